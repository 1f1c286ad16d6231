"""Publication dates: meta tags, JSON-LD, ``<time>``, the URL, and dates written in text.

A date is kept as the publisher wrote it, in one of three shapes (``Published``):

- a ``date`` when only the day is given (``2023.12.13``, ``2025年8月26日``);
- a naive ``datetime`` for a wall-clock time without an offset (``2005-08-22 19:13:18``):
  the publisher's local time, never passed off as UTC;
- an aware ``datetime`` in the publisher's own offset when one is given
  (``2020-02-24T21:25:54-05:00`` stays on the 24th).

``.isoformat()`` of each is ISO 8601, and ``day()`` is the publisher's calendar day.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

# date, or its subclass datetime: naive for a local time, aware with the publisher's offset
Published = date

MIN_YEAR = 1990
LATEST_OFFSET = timedelta(hours=14)  # Kiribati's: the first place a day begins

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
# A zone written after a time: "+09:00", "GMT+8", "UTC", "(KST)". Names only where they
# are unambiguous (CST is China's and America's both).
_ZONE = (
    r"(?:\s*\(?\s*(?:(?:UTC|GMT)\s*([+-])(\d{1,2})(?::?(\d{2}))?(?!\d)"
    r"|([+-])(\d{2}):?(\d{2})(?!\d)|(UTC|GMT|Z|KST|JST|MSK|МСК|HKT|ULAT|北京时间)(?![A-Za-z])))?"
)
_ZONE_HOURS = {"UTC": 0, "GMT": 0, "Z": 0, "KST": 9, "JST": 9, "MSK": 3, "МСК": 3,
               "HKT": 8, "ULAT": 8, "北京时间": 8}  # fmt: skip
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # 2023-12-13, 2023.12.13, 2023/12/13, 2023. 12. 13.
    (
        re.compile(
            r"(?<!\d)(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})(?!\d)\.?" + _TIME + _ZONE
        ),
        "ymd",
    ),
    # 2025年8月26日, 2023년 12월 13일
    (
        re.compile(
            r"(?<!\d)(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?" + _TIME + _ZONE
        ),
        "ymd",
    ),
    # 2025 оны 8 сарын 26 (Mongolian: "year's 8th month's 26")
    (
        re.compile(
            r"(?<!\d)(\d{4})\s*оны\s*(\d{1,2})(?:\s*-?\s*р)?\s*сарын\s*(\d{1,2})(?!\d)"
            + _TIME
            + _ZONE,
            re.I,
        ),
        "ymd",
    ),
    # 26 августа 2025 г.
    (
        re.compile(
            r"(?<!\d)(\d{1,2})\s+((?:январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|"
            r"ноябр|декабр)[а-яё]*)\s+(\d{4})(?:\s*г(?:ода?)?\.?)?" + _TIME + _ZONE,
            re.I,
        ),
        "d_ru_y",
    ),
    # August 26, 2025 / Aug. 26 2025
    (
        re.compile(
            rf"\b({_MONTH_RX})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})" + _TIME + _ZONE,
            re.I,
        ),
        "m_d_y",
    ),
    # 26 August 2025
    (
        re.compile(
            rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?({_MONTH_RX})\.?,?\s+(\d{{4}})"
            + _TIME
            + _ZONE,
            re.I,
        ),
        "d_m_y",
    ),
    # 2023 Jan 7 (citation metadata)
    (
        re.compile(
            rf"(?<!\d)(\d{{4}})[^\S\n]+({_MONTH_RX})\.?[^\S\n]+(\d{{1,2}})(?!\d)"
            # not "… of 2024 / September 1st, 2023": the day is then the next date's
            r"(?!(?:st|nd|rd|th)?,?\s+\d{4})" + _TIME + _ZONE,
            re.I,
        ),
        "y_m_d",
    ),
    # 13.12.2023 (day first, as in Russian and Mongolian pages)
    (re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)" + _TIME + _ZONE), "dmy"),
    # 10/31/2024: month first as in the USA, unless the first number cannot be a month
    (re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)" + _TIME + _ZONE), "mdy"),
    # 11-29-2024, 09:03 AM (forum software's US default) or 29-11-2024: dashed both ways,
    # so read only when one number cannot be a month (02-12-2025 says nothing)
    (re.compile(r"(?<![\d-])(\d{1,2})-(\d{1,2})-(\d{4})(?!\d)" + _TIME + _ZONE), "dash"),
]
# Two-digit years, as Korean, Japanese and Chinese boards write them: 24-05-21, 24.05.21.
# Year first in those languages only (Russian 21.05.24 is day first), and only where a
# label or a short meta line says it is a date: alone, it could be anything.
_SHORT_YMD = re.compile(r"(?<![\d.\-/:])(\d{2})([-./])(\d{2})\2(\d{2})(?![\d.\-/])" + _TIME)
YEAR_FIRST_LANGUAGES = frozenset({"ko", "ja", "zh"})
_YEAR_FIRST_SCRIPT = re.compile("[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3]")
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
# After a Latin label, words that make it a sentence about another time
_NOT_A_LABEL = re.compile(r"\s+(?:before|after|since|until|till|prior\s+to|more\s+than|over)\b")
LABEL_REACH = 40  # characters after a label searched for its date
MAX_LABELS = 50
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
# Japanese era years, as prefectures and ministries write them: 令和7年8月26日, 平成31年.
_ERA = re.compile(
    r"(令和|平成)\s*(\d{1,2}|元)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日" + _TIME + _ZONE
)
_ERA_START = {"令和": 2018, "平成": 1988}  # the year before each era's first
MAX_YEARS = 200
MAX_SHORT_CHARS = 2_000  # two-digit-year dates are looked for near the label only
_URL_DATE = re.compile(
    r"(?<!\d)(20\d{2}|19\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?!\d)"
)
# /2023/october/03/, /2023/oct/3/: the month as a word in a path
_URL_WORD_DATE = re.compile(
    rf"/((?:20|19)\d{{2}})/({_MONTH_RX})/(0?[1-9]|[12]\d|3[01])(?=/|$)", re.I
)


def day(value: Published) -> date:
    """The publisher's calendar day of a date in any of the three shapes."""
    return value.date() if isinstance(value, datetime) else value


def precision(value: Published) -> int:
    """0 for a day, 1 for a local time, 2 for a time with its offset."""
    if not isinstance(value, datetime):
        return 0
    return 2 if value.tzinfo is not None else 1


def parse_date(value: str | None, now: datetime | None = None) -> Published | None:
    """A date from an ISO 8601 or RFC 2822 string, or any supported written form."""
    if not value:
        return None
    value = value.strip()[:200]
    parsed = _parse_iso(value) or _parse_rfc2822(value)
    if parsed is not None:
        return parsed if _plausible(parsed, now) else None
    return find_date_in_text(value, now)


def _parse_iso(value: str) -> Published | None:
    if len(value) < 10 or not value[:4].isdigit():
        return None
    if len(value) == 10 or not value[10:11].strip() or value[10] in "Tt":
        try:
            if len(value) == 10:
                return date.fromisoformat(value)
            return datetime.fromisoformat(value.replace("t", "T"))
        except ValueError:
            return None
    return None


def _parse_rfc2822(value: str) -> Published | None:
    """``Tue, 24 Feb 2020 21:25:54 -0500`` (feeds and some meta tags)."""
    if "," not in value[:5] or ":" not in value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed


def find_date_in_text(
    text: str, now: datetime | None = None, *, year_first_short: bool = False
) -> Published | None:
    """The first plausible date written in ``text``.

    Only the surroundings of four-digit years are matched against the patterns, so the
    cost stays proportional to the number of years in the text, not to its length.
    With ``year_first_short``, two-digit years written year first (``24-05-21``) count
    too: the caller knows the text is a date label's and the page's language writes them.
    """
    for count, year in enumerate(_YEAR.finditer(text)):
        if count >= MAX_YEARS:
            break
        start, end = year.span()
        window = text[max(0, start - 24) : end + 40]
        offset = start - max(0, start - 24)
        for pattern, kind in _PATTERNS:
            for match in pattern.finditer(window):
                if not match.start() <= offset < match.end():
                    continue
                parsed = _from_match(match.groups(), kind)
                if parsed is not None and _plausible(parsed, now):
                    return parsed
    if "令和" in text or "平成" in text:
        for era in _ERA.finditer(text):
            name, era_year = era.group(1), era.group(2)
            number = 1 if era_year == "元" else int(era_year)
            parsed = _from_match((str(_ERA_START[name] + number), *era.groups()[2:]), "ymd")
            if parsed is not None and _plausible(parsed, now):
                return parsed
    if year_first_short:
        for short in _SHORT_YMD.finditer(text[:MAX_SHORT_CHARS]):
            yy, _, month, mday = short.groups()[:4]
            groups = (f"20{yy}", month, mday, *short.groups()[4:])
            parsed = _from_match(groups, "ymd")
            if parsed is not None and _plausible(parsed, now):
                return parsed
    return None


def find_labelled_date(
    text: str, now: datetime | None = None, *, year_first_short: bool = False
) -> Published | None:
    """The date after a publication label ("发布时间：", "작성일", "Posted on", "掲載日").
    Two-digit years written year first count after a Chinese, Japanese or Korean label,
    whose boards write them so, and after any label when ``year_first_short``."""
    lower = text.lower()
    for end, label in _label_ends(lower)[:MAX_LABELS]:
        if _NOT_A_LABEL.match(lower, end):
            continue  # "posted before December 12, 2018": a sentence, not a byline
        found = find_date_in_text(
            text[end : end + LABEL_REACH], now,
            year_first_short=year_first_short or _YEAR_FIRST_SCRIPT.match(label) is not None,
        )  # fmt: skip
        if found is not None:
            return found
    return None


def _label_ends(lower: str) -> list[tuple[int, str]]:
    """End offsets of every label in ``lower`` with the label, in document order (Latin
    ones as words)."""
    ends: list[tuple[int, str]] = []
    for label in _LABELS:
        start = lower.find(label)
        found = 0
        while start != -1 and found < MAX_PER_LABEL:
            end = start + len(label)
            if not label.isascii() or _is_word(lower, start, end):
                ends.append((end, label))
                found += 1
            start = lower.find(label, end)
    ends.sort()
    return ends


def _is_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def _from_match(groups: tuple[str | None, ...], kind: str) -> Published | None:
    a, b, c = groups[0] or "", groups[1] or "", groups[2] or ""
    if kind == "ymd":
        year, month, mday = int(a), int(b), int(c)
    elif kind == "dmy":
        mday, month, year = int(a), int(b), int(c)
    elif kind == "dash":
        first, second, year = int(a), int(b), int(c)
        if (first > 12) == (second > 12):
            return None
        month, mday = (second, first) if first > 12 else (first, second)
    elif kind == "mdy":
        month, mday, year = (int(a), int(b), int(c)) if int(a) <= 12 else (int(b), int(a), int(c))
    elif kind == "y_m_d":
        year, month, mday = int(a), _en_month(b), int(c)
    elif kind == "d_ru_y":
        mday, month, year = int(a), _ru_month(b), int(c)
    elif kind == "m_d_y":
        month, mday, year = _en_month(a), int(b), int(c)
    else:
        mday, month, year = int(a), _en_month(b), int(c)
    try:
        the_day = date(year, month, mday)
    except ValueError:
        return None
    if not groups[3]:
        return the_day  # no time written: the day is all the publisher said
    hour, minute, second = (int(g) if g else 0 for g in groups[3:6])
    meridiem = (groups[6] or "").lower()
    if meridiem == "p" and hour < 12:
        hour += 12
    elif meridiem == "a" and hour == 12:
        hour = 0
    try:
        local = datetime(year, month, mday, hour, minute, second)
    except ValueError:
        return the_day
    zone = _zone(groups[7:])
    return local if zone is None else local.replace(tzinfo=zone)


def _zone(groups: tuple[str | None, ...]) -> timezone | None:
    """The offset written after a time, if any (see ``_ZONE`` for the groups)."""
    if len(groups) < 7:
        return None
    sign, hours, minutes = (groups[0], groups[1], groups[2]) if groups[0] else groups[3:6]
    if sign and hours:
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta > timedelta(hours=14):
            return None
        return timezone(-delta if sign == "-" else delta)
    name = groups[6]
    if name:
        return timezone(timedelta(hours=_ZONE_HOURS[name]))
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


def _plausible(value: Published, now: datetime | None = None) -> bool:
    """Not before ``MIN_YEAR``, and not in the future: a time with its offset not after
    that offset's today, a day or a local time not after the latest day anywhere on Earth
    (UTC+14) — never a day that has not begun where the page was written."""
    current = now or datetime.now(UTC)
    if isinstance(value, datetime) and value.tzinfo is not None:
        limit = current.astimezone(value.tzinfo).date()
    else:
        limit = (current.astimezone(UTC) + LATEST_OFFSET).date()
    return value.year >= MIN_YEAR and day(value) <= limit


def date_from_url(url: str | None, now: datetime | None = None) -> date | None:
    if not url:
        return None
    match = _URL_DATE.search(url)
    word = None if match is not None else _URL_WORD_DATE.search(url)
    try:
        if match is not None:
            value = date(int(match[1]), int(match[2]), int(match[3]))
        elif word is not None:
            value = date(int(word[1]), _en_month(word[2]), int(word[3]))
        else:
            return None
    except ValueError:
        return None
    return value if _plausible(value, now) else None
