"""RSS 0.9x/1.0/2.0 and Atom through feedparser, fed only bytes that passed the XML
safety check."""

from __future__ import annotations

from typing import Any

import feedparser

from scraper.discover._common import (
    Collector,
    LinkFilter,
    absolute,
    from_struct_time,
    safe_xml_bytes,
)
from scraper.discover.types import Discovery, Link
from scraper.fetch.types import Page


def read_feed(page: Page, links: LinkFilter) -> Discovery:
    data = safe_xml_bytes(page)
    parsed = feedparser.parse(
        data,
        response_headers={
            "content-location": page.final_url,
            "content-type": "application/xml; charset=utf-8",
        },
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    found = Collector()
    base = str(parsed.feed.get("link") or page.final_url) if parsed.feed else page.final_url
    for entry in parsed.entries:
        url = _entry_url(entry, page.final_url) or _entry_url(entry, base)
        if url is None or not links.accepts(url):
            continue
        title = " ".join(str(entry.get("title") or "").split()) or None
        found.add(
            Link(
                url=url,
                title=title,
                updated_at=from_struct_time(dict.get(entry, "updated_parsed")),
                published_at=from_struct_time(dict.get(entry, "published_parsed")),
            )
        )
    return Discovery(kind="feed", links=found.links())


def _entry_url(entry: Any, base: str) -> str | None:
    for candidate in _candidates(entry):
        url = absolute(candidate, base)
        if url is not None:
            return url
    return None


def _candidates(entry: Any) -> list[str]:
    out: list[str] = []
    if entry.get("link"):
        out.append(str(entry["link"]))
    for link in entry.get("links") or ():
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            out.append(str(link["href"]))
    guid = str(entry.get("id") or "")
    if guid.startswith(("http://", "https://")):
        out.append(guid)
    return out
