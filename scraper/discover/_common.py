"""What every discovery reader shares: the link filter (site, ``follow``, ``ignore``), an
ordered de-duplicating collector, safe XML bytes, and date parsing."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, time
from time import struct_time

from scraper.config.types import Source
from scraper.discover.types import Link
from scraper.errors import UnsupportedContentType
from scraper.fetch.types import Page
from scraper.urls import host_of, normalize_url, registrable_domain, url_key

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_XML_DECL_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")


@functools.lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


class LinkFilter:
    """Which URLs a source may follow: never one matching ``ignore``; with ``follow``, only
    (and any, even off-site) URLs matching it; otherwise only URLs of the source's site
    (its registrable domain, or that of the page it redirected to)."""

    def __init__(self, source: Source, page: Page) -> None:
        self._sites = {
            registrable_domain(host_of(source.url)),
            registrable_domain(host_of(page.final_url)),
        }
        self._sites.discard("")
        self.follow = _compiled(tuple(source.follow))
        self.ignore = _compiled(tuple(source.ignore))

    def same_site(self, url: str) -> bool:
        return registrable_domain(host_of(url)) in self._sites

    def ignored(self, url: str) -> bool:
        return any(p.search(url) for p in self.ignore)

    def followed(self, url: str) -> bool:
        return any(p.search(url) for p in self.follow)

    def accepts(self, url: str) -> bool:
        if self.ignored(url):
            return False
        if self.follow:
            return self.followed(url)
        return self.same_site(url)


class Collector:
    """Links in first-seen order, one per article (``url_key``: a trailing slash does not
    make another article); a later sighting may fill in a missing (or longer) title and
    dates, the URL stays the first one seen."""

    def __init__(self) -> None:
        self._links: dict[str, Link] = {}

    def add(self, link: Link) -> None:
        key = url_key(link.url)
        seen = self._links.get(key)
        if seen is None:
            self._links[key] = link
            return
        title = seen.title
        if link.title and (not title or len(link.title) > len(title)):
            title = link.title
        self._links[key] = Link(
            url=seen.url,
            title=title,
            updated_at=seen.updated_at or link.updated_at,
            published_at=seen.published_at or link.published_at,
        )

    def links(self) -> tuple[Link, ...]:
        return tuple(self._links.values())

    def __len__(self) -> int:
        return len(self._links)

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and url_key(url) in self._links


def dedupe_urls(urls: list[str], limit: int | None = None) -> tuple[str, ...]:
    """First-seen order, one per ``url_key``, at most ``limit``."""
    unique: dict[str, str] = {}
    for url in urls:
        unique.setdefault(url_key(url), url)
    out = tuple(unique.values())
    return out if limit is None else out[:limit]


def absolute(href: str | None, base: str) -> str | None:
    if not href:
        return None
    return normalize_url(href, base)


def safe_xml_bytes(page: Page) -> bytes:
    """The document as UTF-8 bytes (decoded once, by ``decode_html``, with the XML
    declaration rewritten to match), refusing entity declarations outright: no billion
    laughs, no external entities, whatever parser reads it next."""
    if _ENTITY_DECL.search(page.content) or "<!ENTITY" in page.text.upper():
        raise UnsupportedContentType("XML with entity declarations refused", url=page.final_url)
    text = _XML_DECL_ENCODING.sub(r"\1\2utf-8\2", page.text, count=1)
    return text.encode("utf-8")


def parse_w3c_datetime(value: str | None) -> datetime | None:
    """``2024-05-01``, ``2024-05-01T10:00+09:00``, ``2024-05-01T01:00:00Z`` → aware UTC."""
    if not value:
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.combine(datetime.strptime(value[:10], "%Y-%m-%d").date(), time())
        except ValueError:
            return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def from_struct_time(value: struct_time | None) -> datetime | None:
    """feedparser's UTC ``struct_time`` → aware datetime."""
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None
