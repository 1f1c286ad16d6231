"""From a fetched article page to a stored article: extract, normalise, hash, save."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from scraper import dedup
from scraper.config.types import Source
from scraper.discover import discover
from scraper.discover.types import Link
from scraper.encoding import looks_binary
from scraper.extract import extract
from scraper.extract.types import Article
from scraper.fetch import Page, decode_page
from storage.article_types import ArticleInput


@dataclass(frozen=True)
class Extracted:
    article: Article
    item: ArticleInput
    # The body decoded to no text (random bytes, an image served as HTML, a charset that
    # nothing fits): flagged and never stored as a version.
    undecodable: bool = False


def extract_page(
    page: Page, source: Source, url: str, site_names: tuple[str, ...] = ()
) -> Extracted:
    """Decoding (when the fetch left it to us), extraction and hashing of one page.
    Module-level and pure, so it can run in the CPU pool: it takes and returns plain,
    picklable data."""
    page = decode_page(page, source.encoding)
    undecodable = looks_binary(page.text)
    article = extract(
        page.text,
        page.final_url,
        content_selector=source.content_selector,
        remove_selectors=source.remove_selectors,
        language=source.language,
        site_names=site_names,
    )
    text = strip_ignored(article.text, source.ignore_text)
    fingerprint = dedup.fingerprint(text)
    item = ArticleInput(
        url=url,
        title=article.title,
        text=text,
        content_hash=dedup.content_hash(text),
        canonical_url=article.canonical_url,
        author=article.author,
        **publisher_date(article.published_at),
        language=article.language or source.language,
        simhash=fingerprint.simhash,
        simhash_bands=fingerprint.keys,
    )
    return Extracted(article, item, undecodable)


_WARM_UP_URL = "https://news.example.org/news/list"
_WARM_UP_PAGE = (
    b"<html><head><meta charset='utf-8'><title>Warm-up</title></head><body><ul>"
    b"<li><a href='https://news.example.org/news/view/1'>First news of the day</a></li>"
    b"</ul><article><p>The regional governments met to discuss cooperation on trade, "
    b"transport and the environment along the river, and agreed to meet again.</p>"
    b"</article></body></html>"
)


def warm_up(*, articles: bool = True) -> None:
    """Discover (and with ``articles``, extract) a small page once: the first call loads
    the public suffix list, the parsers' tables and the language model (seconds on a
    busy machine; the model alone is about 75 MB, so it is loaded only in the process
    that extracts articles)."""
    page = Page(
        url=_WARM_UP_URL, final_url=_WARM_UP_URL, status=200, content_type="text/html",
        content=_WARM_UP_PAGE, text="", encoding="utf-8", decoded=False,
    )  # fmt: skip
    source = Source(name="warm-up", url=_WARM_UP_URL)
    discover(decode_page(page, None), source)
    if articles:
        extract_page(page, source, _WARM_UP_URL)


def publisher_date(value: date | None) -> dict[str, Any]:
    """The stored form of an extracted publication date (see ``Article.published_at``):
    the UTC instant only when a time and its offset are known, and beside it the
    publisher's own day, wall-clock time and offset in minutes."""
    if value is None:
        return {}
    if not isinstance(value, datetime):
        return {"published_date": value}
    offset = value.utcoffset()
    return {
        "published_at": value.astimezone(UTC) if offset is not None else None,
        "published_date": value.date(),
        "published_time": value.time().replace(tzinfo=None),
        "published_utc_offset": int(offset.total_seconds()) // 60 if offset is not None else None,
    }


def strip_ignored(text: str, patterns: tuple[str, ...]) -> str:
    """Remove ``ignore_text`` matches (counters, dates that change on every load) so that
    they neither make versions nor change the hash."""
    if not patterns:
        return text
    for pattern in patterns:
        text = re.sub(pattern, "", text)
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def changed_at(link: Link) -> datetime | None:
    """When a feed or sitemap says the article last changed. Many feeds give only a
    publication date, and bump it when they republish an edited item."""
    dates = [d for d in (link.updated_at, link.published_at) if d is not None]
    return max(dates) if dates else None


def is_later(candidate: datetime | None, known: datetime | None) -> bool:
    return candidate is not None and (known is None or candidate > known)
