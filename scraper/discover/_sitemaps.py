"""XML sitemaps, sitemap indexes and Google News sitemaps, parsed with defusedxml."""

from __future__ import annotations

from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from scraper.discover._common import (
    Collector,
    LinkFilter,
    absolute,
    parse_w3c_datetime,
    safe_xml_bytes,
)
from scraper.discover.types import Discovery, Link
from scraper.errors import UnsupportedContentType
from scraper.fetch.types import Page


def read_sitemap(page: Page, links: LinkFilter) -> Discovery:
    data = safe_xml_bytes(page)
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError) as exc:
        raise UnsupportedContentType(f"unreadable sitemap: {exc}", url=page.final_url) from exc
    if _local(root.tag) == "sitemapindex":
        return Discovery(kind="sitemap", follow_up=_children(root, page, links))
    found = Collector()
    for entry in root:
        if _local(entry.tag) != "url":
            continue
        fields = _fields(entry)
        url = absolute(fields.get("loc"), page.final_url)
        if url is None or not links.accepts(url):
            continue
        found.add(
            Link(
                url=url,
                title=fields.get("title") or None,
                updated_at=parse_w3c_datetime(fields.get("lastmod")),
                published_at=parse_w3c_datetime(fields.get("publication_date")),
            )
        )
    return Discovery(kind="sitemap", links=found.links())


def _children(root: Element, page: Page, links: LinkFilter) -> tuple[str, ...]:
    """Child sitemaps, newest ``lastmod`` first (those without one keep their order, last)."""
    children: list[tuple[datetime | None, str]] = []
    for entry in root:
        if _local(entry.tag) != "sitemap":
            continue
        fields = _fields(entry)
        url = absolute(fields.get("loc"), page.final_url)
        if url is not None and links.same_site(url) and not links.ignored(url):
            children.append((parse_w3c_datetime(fields.get("lastmod")), url))
    dated = [(when, url) for when, url in children if when is not None]
    dated.sort(key=lambda child: child[0], reverse=True)
    undated = [url for when, url in children if when is None]
    return tuple(dict.fromkeys([url for _, url in dated] + undated))


def _fields(entry: Element) -> dict[str, str]:
    """Text of the direct children and of ``<news:news>`` children, by local name."""
    out: dict[str, str] = {}
    for child in entry:
        name = _local(child.tag)
        if name == "news":
            for sub in child:
                sub_name = _local(sub.tag)
                if sub_name in ("publication_date", "title"):
                    out[sub_name] = (sub.text or "").strip()
        elif name in ("loc", "lastmod"):
            out[name] = (child.text or "").strip()
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()
