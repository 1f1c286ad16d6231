"""What discovery hands to the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

DocumentKind = Literal["listing", "feed", "sitemap", "page"]


@dataclass(frozen=True)
class Link:
    """An article URL found by discovery, already normalised."""

    url: str
    title: str | None = None
    # When the feed entry / sitemap <lastmod> says the article last changed (UTC), if known.
    updated_at: datetime | None = None
    published_at: datetime | None = None


@dataclass(frozen=True)
class Discovery:
    """The result of reading one listing page, feed or sitemap."""

    kind: DocumentKind
    links: tuple[Link, ...] = ()
    # Further documents of the same source to read in this poll: pagination (rel=next),
    # child sitemaps of a sitemap index, feeds found by <link rel=alternate> autodiscovery.
    follow_up: tuple[str, ...] = field(default=())
    # Anchors of a listing page left unread because ``max_links_per_page`` links had
    # been found before them (0 when the page was read to the end).
    cut: int = 0
