"""Choosing a page's publication date among what it declares and what it writes.

Declared dates (meta tags, JSON-LD, ``<time>``) come first: publication before
modification. A declared day without a time is completed by another declared value of the
same day that has one (``2020-02-24`` in a meta tag, ``2020-02-24T21:25:54-05:00`` in
JSON-LD). Without a declared date, a labelled date in the page text ("发布时间：", "작성일",
"Posted on") wins, then a date in the article block's short meta lines, then the first date
of the page, then the URL's. A page without any stays undated: never "today".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

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
DATE_TEXT_CHARS = 30_000  # how much of the page text is searched for a written date
META_LINE_CHARS = 80  # block paragraphs this short are searched for a date first
HEAD_PARAGRAPHS = 40


def find_published(
    head: _meta.HeadMeta,
    url: str | None,
    pars: Sequence[Paragraph],
    page_text: str,
    language: str | None,
    now: datetime | None = None,
) -> Published | None:
    return declared_date(head, now) or written_date(url, pars, page_text, language, now)


def declared_date(head: _meta.HeadMeta, now: datetime | None = None) -> Published | None:
    """The date the page declares: publication (meta, JSON-LD, itemprop, ``<time>``),
    else modification; completed with a time from another value of the same day."""
    published = _parsed(_published_values(head), now)
    chosen = next(published, None)
    if chosen is None:
        modified = _parsed(_modified_values(head), now)
        chosen = next(modified, None)
        published = modified
    if chosen is None:
        return None
    for other in published:
        if _dates.precision(chosen) == 2:
            break
        if _dates.day(other) == _dates.day(chosen) and (
            _dates.precision(other) > _dates.precision(chosen)
        ):
            chosen = other
    return chosen


def _published_values(head: _meta.HeadMeta) -> Iterable[str | None]:
    yield from (head.meta(key) for key in PUBLISHED_META_KEYS)
    for key in JSONLD_PUBLISHED:
        value = _meta.jsonld_value(head, key)
        yield value if isinstance(value, str) else None
    yield from head.times


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
    now: datetime | None = None,
) -> Published | None:
    """A date written near the article or on the page, or the one in the URL."""
    short_years = (language or "")[:2] in _dates.YEAR_FIRST_LANGUAGES
    head_pars = pars[:HEAD_PARAGRAPHS]
    meta_lines = "\n".join(p.text for p in head_pars if len(p.text) <= META_LINE_CHARS)
    block_text = "\n".join(p.text for p in head_pars)[:DATE_TEXT_CHARS]
    written = (
        _dates.find_labelled_date(page_text, now, year_first_short=short_years)
        # "2023.12.13 | Views 5" lines of the block
        or _dates.find_date_in_text(meta_lines, now, year_first_short=short_years)
        or _dates.find_date_in_text(page_text, now)
        or _dates.find_date_in_text(block_text, now)
    )
    from_url = _dates.date_from_url(url, now)
    if from_url is None:
        return written
    # The URL names the day; a date written on the page for that same day adds the time.
    if written is not None and _dates.day(written) == from_url:
        return written
    return from_url
