"""What the article write path takes and gives back: plain, frozen values, importable
without the write path itself (the poller builds them, the store consumes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the parsing process builds ArticleInput without SQLAlchemy
    from storage.events import Router

Outcome = Literal["new", "updated", "unchanged", "duplicate"]


@dataclass(frozen=True)
class ArticleInput:
    """An extracted, normalised and hashed article, ready to store."""

    url: str
    title: str
    text: str
    content_hash: str
    canonical_url: str | None = None
    author: str | None = None
    published_at: datetime | None = None  # UTC instant: only with a time and its offset
    published_date: date | None = None  # the publisher's calendar day
    published_time: time | None = None  # the publisher's wall-clock time, if given
    published_utc_offset: int | None = None  # minutes east of UTC, if given
    language: str | None = None
    simhash: int | None = None  # signed 64-bit form
    simhash_bands: tuple[int, ...] = ()  # near-duplicate index keys, by band (scraper.dedup)


@dataclass(frozen=True)
class CheckPlan:
    """When to look at the article again, and the validators its URL answered with."""

    next_check_at: datetime | None
    etag: str | None = None
    last_modified: str | None = None
    listed_updated_at: datetime | None = None


@dataclass(frozen=True)
class ArticleWrite:
    """One article to store, with where it came from and whom to tell."""

    source_id: int
    source_name: str
    item: ArticleInput
    plan: CheckPlan
    router: Router
    page_watch: bool = False  # a watched page: no dedup, and its first capture is silent


@dataclass(frozen=True)
class SaveResult:
    outcome: Outcome
    article_id: int
    version: int
    duplicate_of: int | None = None
    event_ids: tuple[str, ...] = ()
