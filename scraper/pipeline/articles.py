"""From a fetched article page to a stored article: extract, normalise, hash, save."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from scraper import dedup
from scraper.config.types import Source
from scraper.discover.types import Link
from scraper.extract import extract
from scraper.extract.types import Article
from scraper.fetch import Page, decode_page
from storage.repository import ArticleInput


@dataclass(frozen=True)
class Extracted:
    article: Article
    item: ArticleInput


def extract_page(page: Page, source: Source, url: str) -> Extracted:
    """Decoding (when the fetch left it to us), extraction and hashing of one page.
    Module-level and pure, so it can run in the CPU pool: it takes and returns plain,
    picklable data."""
    page = decode_page(page, source.encoding)
    article = extract(
        page.text,
        page.final_url,
        content_selector=source.content_selector,
        remove_selectors=source.remove_selectors,
        language=source.language,
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
        published_at=article.published_at,
        language=article.language or source.language,
        simhash=fingerprint.simhash,
        simhash_bands=fingerprint.keys,
    )
    return Extracted(article, item)


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
