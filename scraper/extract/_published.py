"""Choosing a page's publication date among what it declares and what it writes.

Declared dates (meta tags, JSON-LD, ``<time>``) come first: publication before
modification. A declared day without a time is completed by another declared value of the
same day that has one (``2020-02-24`` in a meta tag, ``2020-02-24T21:25:54-05:00`` in
JSON-LD). Without a declared date, a labelled date in the page text ("发布时间：", "작성일",
"Posted on") wins, then a date in the article block's short meta lines, then the first date
of the page, then the URL's. A page without any stays undated: never "today".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta

from . import _dates, _meta
from ._dates import Published
from ._text import Paragraph

PUBLISHED_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "pubdate",
    "ptime",
    "publication_date",
    "release_date",
    "originalpublicationdate",
    "sailthru.date",
    "parsely-pub-date",
    "citation_publication_date",
    "citation_date",
    "dc.date.issued",
    "dc.date.created",
    "dc.date",
    "dcterms.issued",
    "dcterms.created",
    "dcterms.date",
    "prism.publicationdate",
    "article.published",
    "weibo:article:create_at",
    "date",
)
MODIFIED_META_KEYS = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
)
JSONLD_PUBLISHED = ("datePublished", "dateCreated", "uploadDate")
# Other meta names that hold a date ("ms.date", "published-date"), tried after the known
# ones; not those of a modification, an expiry or a validity.
_DATE_NAME = re.compile(r"date|publish|created|issued")
_NOT_PUBLICATION = re.compile(r"modif|updat|expir|valid|revis|review|crawl|index|birth|event")
# Publication dates in the page's other scripts (analytics data layers, framework state),
# also as JSON escaped inside a JSON string (Next.js payloads) or inside an attribute.
# One pattern per quoting: each starts with a literal, which the regex engine scans for
# quickly (one pattern with the three quotings as alternatives is 14x slower).
_DATE_KEYS = (
    r"(?:datePublished|publishDate|publishedDate|publishedAt|publishTime|published_at|"
    r"publish_date|pubDate|firstPublished|first_published_at)"
)
_SCRIPT_DATES = tuple(
    (quote, re.compile(f"{re.escape(quote)}{_DATE_KEYS}{re.escape(quote)}\\s*:\\s*"
                       f'{re.escape(quote)}([^"&\\\\]{{8,40}}){re.escape(quote)}'))
    for quote in ('"', '\\"', "&quot;")
)  # fmt: skip
# An ISO time in an attribute named for the creation or publication (``created-timestamp``,
# ``data-published``): custom elements of script-built pages carry the post's time so.
_ATTRIBUTE_TIME = re.compile(r'="((?:19|20)\d\d-\d\d-\d\dT\d\d:\d\d[^"<>]{0,24})"')
_ATTRIBUTE_NAME = re.compile(r"([\w:-]+)$")
_PUBLISHED_NAME = re.compile(r"creat|publish|posted|pubdate", re.I)
MAX_ATTRIBUTE_TIMES = 20
SCRIPT_SCAN_CHARS = 2_000_000
DATE_TEXT_CHARS = 30_000  # how much of the page text is searched for a written date
META_LINE_CHARS = 80  # block paragraphs this short are searched for a date first
HEAD_PARAGRAPHS = 40
# Around the headline, where bylines put the date: a little before it, more after it.
BEFORE_HEADING_CHARS = 300
AFTER_HEADING_CHARS = 1_500
MIN_HEADING_CHARS = 4  # shorter headings ("News") are found anywhere in a page


def declared_date(
    head: _meta.HeadMeta,
    html: str = "",
    url: str | None = None,
    now: datetime | None = None,
) -> Published | None:
    """The date the page declares: the earliest publication date of its meta tags and
    JSON-LD (a later one is a republication), else the first ``<time>`` or publication
    date in its scripts, else its modification date. Completed with a time from another
    declared value of the same day, and put in the publisher's own offset."""
    metas = list(_parsed(_meta_values(head), now))
    pool = metas or list(_parsed(_page_values(head, html), now))
    pool = pool or list(_parsed(_modified_values(head), now))
    if not pool:
        return None
    chosen = pool[0]
    for other in pool:
        if _dates.day(other) == _dates.day(chosen) and (
            _dates.precision(other) > _dates.precision(chosen)
        ):
            chosen = other
    if isinstance(chosen, datetime) and chosen.utcoffset() == timedelta(0):
        others = [*pool, *_parsed(_page_values(head, html), now)]
        return _in_publishers_offset(chosen, others, _dates.date_from_url(url, now))
    return chosen


def _in_publishers_offset(
    chosen: datetime, others: Sequence[Published], url_day: date | None
) -> Published:
    """A UTC value (``Z``, ``+00:00``: what many CMSs emit) shown in the offset that the
    page's other values carry, or given the URL's day: the publisher's calendar day."""
    for other in others:
        if not isinstance(other, datetime) or other.tzinfo is None:
            continue
        if other.utcoffset() and abs(other - chosen) <= timedelta(days=2):
            return chosen.astimezone(other.tzinfo)
    if url_day is not None and abs((url_day - chosen.date()).days) == 1:
        return url_day  # the URL was made in the publisher's zone, on the publisher's day
    return chosen


def _meta_values(head: _meta.HeadMeta) -> Iterator[str | None]:
    yield from (head.meta(key) for key in PUBLISHED_META_KEYS)
    for key in JSONLD_PUBLISHED:
        value = _meta.jsonld_value(head, key)
        yield value if isinstance(value, str) else _main_entity_value(head, key)
    yield from head.published
    # Other date names, earliest first: beside "published-date" a "published-time" may
    # hold the moment the page was built.
    others = [
        (parsed, value)
        for key, value in head.metas.items()
        if _DATE_NAME.search(key) and not _NOT_PUBLICATION.search(key)
        if (parsed := _dates.parse_date(value)) is not None
    ]
    yield from (value for _, value in sorted(others, key=lambda pair: _dates.day(pair[0])))


def _main_entity_value(head: _meta.HeadMeta, key: str) -> str | None:
    """``key`` of a JSON-LD page's ``mainEntity``: a ``WebPage`` or ``QAPage`` whose
    main entity (the forum post, the question, the article) carries the date."""
    for obj in head.jsonld:
        main = obj.get("mainEntity")
        value = main.get(key) if isinstance(main, dict) else None
        if isinstance(value, str):
            return value
    return None


def _page_values(head: _meta.HeadMeta, html: str) -> Iterator[str | None]:
    yield from head.times
    yield _script_date(html)
    yield _attribute_time(html)


def _script_date(html: str) -> str | None:
    for quote, pattern in _SCRIPT_DATES:
        if quote in html:
            match = pattern.search(html, 0, SCRIPT_SCAN_CHARS)
            if match is not None:
                return match.group(1)
    return None


def _attribute_time(html: str) -> str | None:
    for count, match in enumerate(_ATTRIBUTE_TIME.finditer(html, 0, SCRIPT_SCAN_CHARS)):
        if count >= MAX_ATTRIBUTE_TIMES:
            break
        name = _ATTRIBUTE_NAME.search(html, max(0, match.start() - 40), match.start())
        if name is not None and _PUBLISHED_NAME.search(name.group(1)):
            return match.group(1)
    return None


def _modified_values(head: _meta.HeadMeta) -> Iterable[str | None]:
    yield from (head.meta(key) for key in MODIFIED_META_KEYS)
    value = _meta.jsonld_value(head, "dateModified")
    yield value if isinstance(value, str) else None


def _parsed(values: Iterable[str | None], now: datetime | None) -> Iterator[Published]:
    for value in values:
        parsed = _dates.parse_date(value, now)
        if parsed is not None:
            yield parsed


def written_date(
    url: str | None,
    pars: Sequence[Paragraph],
    page_text: str,
    language: str | None,
    headings: Sequence[str] = (),
    now: datetime | None = None,
) -> Published | None:
    """A date written near the article or on the page, or the one in the URL.
    ``page_text`` is the whole page's text; ``headings`` its title and ``<h1>`` texts."""
    short_years = (language or "")[:2] in _dates.YEAR_FIRST_LANGUAGES
    head_pars = pars[:HEAD_PARAGRAPHS]
    meta_lines = "\n".join(p.text for p in head_pars if len(p.text) <= META_LINE_CHARS)
    block_text = "\n".join(p.text for p in head_pars)[:DATE_TEXT_CHARS]
    top = page_text[:DATE_TEXT_CHARS]
    written = (
        _dates.find_labelled_date(top, now, year_first_short=short_years)
        # "2023.12.13 | Views 5" lines of the block
        or _dates.find_date_in_text(meta_lines, now, year_first_short=short_years)
        or _under_heading(page_text, headings, now)
        or _dates.find_date_in_text(top, now)
        or _dates.find_date_in_text(block_text, now)
    )
    from_url = _dates.date_from_url(url, now)
    if from_url is None:
        return written
    # The URL names the day; a date written on the page for that same day adds the time.
    if written is not None and _dates.day(written) == from_url:
        return written
    return from_url


def _under_heading(
    page_text: str, headings: Sequence[str], now: datetime | None = None
) -> Published | None:
    """The first date in the text around a heading of ``headings`` (the title first, then
    the ``<h1>`` texts) found in the page: the byline's date, wherever the page puts its
    headline (after a long menu or a table of contents). A heading whose surroundings hold
    no date (a "Search" box's ``<h1>``) gives way to the next."""
    for heading in headings:
        if len(heading) < MIN_HEADING_CHARS:
            continue
        at = page_text.find(heading)
        if at == -1:
            continue
        end = at + len(heading)
        window = page_text[max(0, at - BEFORE_HEADING_CHARS) : end + AFTER_HEADING_CHARS]
        found = _dates.find_date_in_text(window, now)
        if found is not None:
            return found
    return None


def wants_page_text(head: _meta.HeadMeta, declared: Published | None) -> bool:
    """Whether ``choose`` needs the page's text: when nothing is declared, or when the
    declared date is JSON-LD's, which a date written under the headline may overrule."""
    return declared is None or _jsonld_day(head) == _dates.day(declared)


def choose(
    head: _meta.HeadMeta,
    declared: Published | None,
    url: str | None,
    pars: Sequence[Paragraph],
    page_text: str,
    language: str | None,
    headings: Sequence[str],
    now: datetime | None = None,
) -> Published | None:
    """The publication date: the declared one, else the written one.

    One exception: JSON-LD's ``datePublished`` is often refreshed by SEO plugins and site
    builders on every republication, while the byline under the headline keeps the day
    the article first appeared. A date written there that is earlier than JSON-LD's (and
    is not the declared modification day) is the original publication: it wins."""
    if declared is None:
        return written_date(url, pars, page_text, language, headings, now)
    if page_text and _jsonld_day(head) == _dates.day(declared):
        shown = _under_heading(page_text, headings, now)
        modified = {_dates.day(value) for value in _parsed(_modified_values(head), now)}
        if (
            shown is not None
            and _dates.day(shown) < _dates.day(declared)
            and _dates.day(shown) not in modified
        ):
            return shown
    return declared


def _jsonld_day(head: _meta.HeadMeta) -> date | None:
    value = _meta.jsonld_value(head, "datePublished")
    parsed = _dates.parse_date(value) if isinstance(value, str) else None
    return _dates.day(parsed) if parsed is not None else None
