"""The discovery stage: article links from a listing page, a feed or a sitemap.

``discover(page, source)`` is pure (CPU only, no I/O) and returns a ``Discovery``: the
article links found (normalised, deduplicated, in document order, filtered by the
source's site, ``follow`` and ``ignore``) and ``follow_up`` documents of the same source
to read in this poll (pagination, child sitemaps, autodiscovered feeds).
"""

from __future__ import annotations

from dataclasses import replace

from scraper.config.types import Source
from scraper.discover._common import LinkFilter
from scraper.discover._feeds import read_feed
from scraper.discover._listing import read_listing
from scraper.discover._sitemaps import read_sitemap
from scraper.discover._sniff import sniff_kind
from scraper.discover.types import Discovery, DocumentKind, Link
from scraper.fetch.types import Page, decode_page
from scraper.urls import normalize_url

__all__ = ["Discovery", "DocumentKind", "Link", "discover", "sniff_kind"]


def discover(page: Page, source: Source) -> Discovery:
    """Read ``page`` as the document kind the source declares (or, for ``kind: auto``, as
    sniffed from its media type and first bytes).

    Raises ``UnsupportedContentType`` for XML that declares entities (billion laughs,
    external entities) or a sitemap that is not well-formed XML. A ``not_modified`` page
    yields no links.
    """
    if page.not_modified:
        return Discovery(kind="page" if source.kind == "page" else _declared(source, page))
    if source.kind == "page":
        url = normalize_url(page.final_url) or page.final_url
        return Discovery(kind="page", links=(Link(url=url),))
    if not page.text and page.content:  # handed over undecoded (or built so by a caller)
        page = decode_page(replace(page, decoded=False), source.encoding)
    kind = source.kind if source.kind != "auto" else sniff_kind(page)
    links = LinkFilter(source, page)
    if kind == "feed":
        return read_feed(page, links)
    if kind == "sitemap":
        return read_sitemap(page, links)
    return read_listing(page, source, links)


def _declared(source: Source, page: Page) -> DocumentKind:
    if source.kind in ("listing", "feed", "sitemap"):
        return source.kind
    return "listing"
