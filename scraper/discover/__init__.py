"""The discovery stage: article links from a listing page, a feed or a sitemap.

``discover(page, source)`` is pure (CPU only, no I/O) and returns a ``Discovery``: the
article links found (normalised, deduplicated, in document order, filtered by the
source's site, ``follow`` and ``ignore``) and ``follow_up`` documents of the same source
to read in this poll (pagination, child sitemaps, autodiscovered feeds).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from scraper.config.types import Source
from scraper.discover._common import Collector, LinkFilter
from scraper.discover._feeds import read_feed
from scraper.discover._listing import read_listing
from scraper.discover._shell import looks_scripted
from scraper.discover._sitemaps import read_sitemap
from scraper.discover._sniff import sniff_kind
from scraper.discover.types import Discovery, DocumentKind, Link
from scraper.fetch.types import Page, decode_page
from scraper.identity import IdentityRules, differing_params
from scraper.urls import normalize_url, url_key

__all__ = ["Discovery", "DocumentKind", "Link", "discover", "looks_scripted", "sniff_kind"]


def discover(page: Page, source: Source, learned: Iterable[str] = ()) -> Discovery:
    """Read ``page`` as the document kind the source declares (or, for ``kind: auto``, as
    sniffed from its media type and first bytes).

    Article links come out in their identity form (``scraper.identity``): without the
    source's ``drop_params`` (or with only its ``keep_params``) and without the context
    parameters ``learned`` for it, except those whose values tell this page's own links
    apart. Follow-up documents keep every parameter: ``pageNo`` is context for an
    article, but it is what makes page 2 of a listing page 2.

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
        found = read_feed(page, links)
    elif kind == "sitemap":
        found = read_sitemap(page, links)
    else:
        found = read_listing(page, source, links)
    rules = IdentityRules.of(source.url, source.keep_params, source.drop_params, learned)
    return found if rules.empty else _identified(found, rules)


def _identified(found: Discovery, rules: IdentityRules) -> Discovery:
    """``found`` with its links reduced to their identity, one per article. A learned
    parameter that would merge two different links of this page is withdrawn for it:
    there it tells articles apart, whatever other pages showed."""
    originals = [link.url for link in found.links]
    for _ in range(len(rules.learned) + 1):
        collided = _collisions(originals, rules) & rules.learned
        if not collided:
            break
        rules = rules.without(collided)
    collector = Collector()
    for link in found.links:
        collector.add(replace(link, url=rules.identity(link.url)))
    return replace(found, links=collector.links())


def _collisions(urls: list[str], rules: IdentityRules) -> frozenset[str]:
    """Parameters in which links that the rules would make one differ."""
    by_identity: dict[str, list[str]] = {}
    for url in urls:
        by_identity.setdefault(url_key(rules.identity(url)), []).append(url)
    differ: set[str] = set()
    for group in by_identity.values():
        for other in group[1:]:
            differ |= differing_params(group[0], other) or frozenset()
    return frozenset(differ)


def _declared(source: Source, page: Page) -> DocumentKind:
    if source.kind in ("listing", "feed", "sitemap"):
        return source.kind
    return "listing"
