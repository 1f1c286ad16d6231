"""Telling a feed from a sitemap from an HTML page, by media type and first bytes."""

from __future__ import annotations

import re

from scraper.discover.types import DocumentKind
from scraper.fetch.types import Page

_FEED_TYPES = ("rss", "atom", "rdf")
# The first element after the prolog (XML declaration, comments, doctype, PIs).
_ROOT = re.compile(r"<\s*([A-Za-z][\w.:-]*)")
_PROLOG = re.compile(r"\A(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*", re.S)


def sniff_kind(page: Page) -> DocumentKind:
    """``feed`` for RSS/Atom/RDF, ``sitemap`` for ``<urlset>``/``<sitemapindex>``, else
    ``listing`` (HTML)."""
    head = page.text[:4096].lstrip("\ufeff")
    prolog = _PROLOG.match(head)
    match = _ROOT.match(head, prolog.end() if prolog else 0)
    root = match.group(1).lower() if match else ""
    local = root.rsplit(":", 1)[-1]
    if local in ("rss", "feed") or root == "rdf:rdf":
        return "feed"
    if local in ("urlset", "sitemapindex"):
        return "sitemap"
    if any(kind in page.content_type for kind in _FEED_TYPES) and local != "html":
        return "feed"
    return "listing"
