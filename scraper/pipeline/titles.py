"""Page titles recently seen per source, from which each site's title affixes are learned.

One page cannot tell "Headline_China Neighborhood Affairs" from "Site_Headline"; two
pages of the same site can: a part that ends the titles of both is the site's name (or
the board's: "… > 사무국 소식"). The titles of a source's listing pages are remembered too,
so the articles of a first poll already have one other page to compare with. Kept in
memory, a bounded number per source: after a restart, the first listing page read teaches
it again.
"""

from __future__ import annotations

import html
import re
from collections import deque

from scraper.extract import learn_site_names

RECENT_TITLES = 50  # per source; a site's affix shows in any few of its pages
TITLE_SCAN_CHARS = 16_384
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)


class TitleMemory:
    def __init__(self, per_source: int = RECENT_TITLES) -> None:
        self._per_source = per_source
        self._titles: dict[str, deque[str]] = {}

    def site_names(self, source: str) -> tuple[str, ...]:
        """The parts that end the titles of pages of ``source`` seen so far: on the page
        being titled, a part among them ends a second page's title, so it is the site's."""
        titles = self._titles.get(source)
        return learn_site_names(titles, min_pages=1) if titles else ()

    def remember(self, source: str, page_title: str) -> None:
        if page_title:
            self._titles.setdefault(source, deque(maxlen=self._per_source)).append(page_title)


def document_title(markup: str) -> str:
    """The ``<title>`` of an HTML document, read without parsing it (a listing page)."""
    match = _TITLE.search(markup[:TITLE_SCAN_CHARS])
    return " ".join(html.unescape(match.group(1)).split()) if match else ""
