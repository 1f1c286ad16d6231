"""Publication dates: meta tags, JSON-LD, ``<time>``, the URL, and dates written in text.

Results are timezone-aware UTC. A value without a zone is taken as UTC (the page's own
zone is rarely declared); a date without a time is midnight UTC of that day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

MIN_YEAR = 1990
META_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "publishdate",
    "publish-date",
    "pubdate",
    "publication_date",
    "sailthru.date",
    "parsely-pub-date",
    "citation_publication_date",
    "dc.date.issued",
    "dc.date",
    "dcterms.issued",
    "dcterms.created",
    "date",
    "article:modified_time",
)

_MONTHS_EN = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_MONTHS_RU = {
    stem: i + 1
    for i, stem in enumerate(
        [
            "январ",
            "феврал",
            "март",
            "апрел",
            "ма",
            "июн",
            "июл",
            "август",
            "сентябр",
            "октябр",
            "ноябр",
            "декабр",
        ]
    )
}
_MONTH_RX = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_TIME = r"(?:[T\s,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([aApP])\.?[mM]\b\.?)?)?"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # 2023-12-13, 2023.12.13, 2023/12/13, 2023. 12. 13.
    (re.compile(r"(?<!\d)(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})(?!\d)" + _TIME), "ymd"),
    # 2025年8月26日, 2023년 12월 13일
    (
        re.compile(r"(?<!\d)(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?" + _TIME),
        "ymd",
    ),
    # 26 августа 2025 г.
    (
        re.compile(
            r"(?<!\d)(\d{1,2})\s+((?:январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|"
            r"ноябр|декабр)[а-яё]*)\s+(\d{4})(?:\s*г\.?)?" + _TIME,
            re.I,
        ),
        "d_ru_y",
    ),
    # August 26, 2025 / Aug. 26 2025
    (
        re.compile(
            rf"\b({_MONTH_RX})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})" + _TIME, re.I
        ),
        "m_d_y",
    ),
    # 26 August 2025
    (re.compile(rf"(?<!\d)(\d{{1,2}})\.?\s+({_MONTH_RX})\.?,?\s+(\d{{4}})" + _TIME, re.I), "d_m_y"),
    # 13.12.2023 (day first, as in Russian and Mongolian pages)
    (re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)" + _TIME), "dmy"),
]
# Labels that introduce the publication date, in the languages of the target sites
# (found with str.find on lower-cased text: much faster than one big regex).
_LABELS = (
    "发布时间", "发布日期", "发布于", "发表时间", "发文日期", "成文日期", "更新时间",
    "日期", "時間",
    "작성일", "등록일", "게시일", "입력", "날짜",
    "掲載日", "公開日", "更新日", "投稿日", "発表日",
    "опубликовано", "дата публикации", "дата",
    "нийтэлсэн", "огноо",
    "posted", "published", "date",
)  # fmt: skip
MAX_PER_LABEL = 20
LABEL_REACH = 40  # characters after a label searched for its date
MAX_LABELS = 50
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
MAX_YEARS = 200
_URL_DATE = re.compile(
    r"(?<!\d)(20\d{2}|19\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?!\d)"
)


def parse_date(value: str | None, now: datetime | None = None) -> datetime | None:
    """A datetime (UTC) from an ISO 8601 string or any supported written form."""
    if not value:
        return None
    value = value.strip()[:200]
    iso = _parse_iso(value)
    if iso is not None:
        return iso if _plausible(iso, now) else None
    return find_date_in_text(value, now)


def _parse_iso(value: str) -> datetime | None:
    if len(value) < 10 or not value[:4].isdigit():
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def find_date_in_text(text: str, now: datetime | None = None) -> datetime | None:
    """The first plausible date written in ``text``.

    Only the surroundings of four-digit years are matched against the patterns, so the
    cost stays proportional to the number of years in the text, not to its length.
    """
    for count, year in enumerate(_YEAR.finditer(text)):
        if count >= MAX_YEARS:
            return None
        start, end = year.span()
        window = text[max(0, start - 24) : end + 24]
        offset = start - max(0, start - 24)
        for pattern, kind in _PATTERNS:
            for match in pattern.finditer(window):
                if not match.start() <= offset < match.end():
                    continue
                parsed = _from_match(match.groups(), kind)
                if parsed is not None and _plausible(parsed, now):
                    return parsed
    return None


def find_labelled_date(text: str, now: datetime | None = None) -> datetime | None:
    """The date after a publication label ("发布时间：", "작성일", "Posted on", "掲載日")."""
    for end in _label_ends(text.lower())[:MAX_LABELS]:
        found = find_date_in_text(text[end : end + LABEL_REACH], now)
        if found is not None:
            return found
    return None


def _label_ends(lower: str) -> list[int]:
    """End offsets of every label in ``lower``, in document order (Latin ones as words)."""
    ends: list[int] = []
    for label in _LABELS:
        start = lower.find(label)
        found = 0
        while start != -1 and found < MAX_PER_LABEL:
            end = start + len(label)
            if not label.isascii() or _is_word(lower, start, end):
                ends.append(end)
                found += 1
            start = lower.find(label, end)
    ends.sort()
    return ends


def _is_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def _from_match(groups: tuple[str | None, ...], kind: str) -> datetime | None:
    a, b, c = groups[0] or "", groups[1] or "", groups[2] or ""
    if kind == "ymd":
        year, month, day = int(a), int(b), int(c)
    elif kind == "dmy":
        day, month, year = int(a), int(b), int(c)
    elif kind == "d_ru_y":
        day, month, year = int(a), _ru_month(b), int(c)
    elif kind == "m_d_y":
        month, day, year = _en_month(a), int(b), int(c)
    else:
        day, month, year = int(a), _en_month(b), int(c)
    hour, minute, second = (int(g) if g else 0 for g in groups[3:6])
    meridiem = (groups[6] or "").lower() if len(groups) > 6 else ""
    if meridiem == "p" and hour < 12:
        hour += 12
    elif meridiem == "a" and hour == 12:
        hour = 0
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None


def _en_month(word: str) -> int:
    return _MONTHS_EN.get(word.lower().rstrip("."), 0)


def _ru_month(word: str) -> int:
    word = word.lower()
    if word.startswith("мая") or word == "май":
        return 5
    for stem, number in _MONTHS_RU.items():
        if stem != "ма" and word.startswith(stem):
            return number
    return 0


def _plausible(value: datetime, now: datetime | None) -> bool:
    limit = (now or datetime.now(UTC)) + timedelta(days=2)
    return value.year >= MIN_YEAR and value <= limit


def date_from_url(url: str | None, now: datetime | None = None) -> datetime | None:
    if not url:
        return None
    match = _URL_DATE.search(url)
    if match is None:
        return None
    try:
        value = datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=UTC)
    except ValueError:
        return None
    return value if _plausible(value, now) else None


def first_date(candidates: Iterable[str | None], now: datetime | None = None) -> datetime | None:
    for candidate in candidates:
        parsed = parse_date(candidate, now)
        if parsed is not None:
            return parsed
    return None
