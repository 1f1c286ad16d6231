"""Plain values the store hands to the operator's commands (``scraper status``,
``scraper articles``, ``scraper dedup explain``) and their ISO form: importable without
SQLAlchemy, so that those commands load no database toolkit they do not use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


def iso(moment: date | None) -> str | None:
    """ISO 8601 of a datetime (UTC as ``Z``) or of a date (``2023-12-13``)."""
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class ArticleListing:
    id: int
    source: str
    url: str
    title: str
    published_at: datetime | None
    published_date: date | None  # the publisher's calendar day
    language: str | None
    version: int
    duplicate_of: int | None
    first_seen_at: datetime
    updated_at: datetime
    content_hash: str
    text: str


@dataclass(frozen=True)
class ArticleText:
    id: int
    url: str
    text: str
    duplicate_of: int | None


@dataclass(frozen=True)
class SourceHealth:
    name: str
    url: str
    kind: str
    enabled: bool
    last_run_at: datetime | None
    last_status: str | None
    last_error: str | None
    consecutive_failures: int
    failing: bool
    next_run_at: datetime | None
    last_success_at: datetime | None
    articles: int


@dataclass(frozen=True)
class DeadDelivery:
    id: int
    event_id: str
    channel: str
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class Backlog:
    """What ``scraper status`` and the metrics say of the schedule: sources due and not
    being polled, the oldest of their slots, and the leases held now per worker."""

    due: int
    oldest_due_at: datetime | None
    oldest_due: str | None = None  # the name of the source waiting longest
    polling: dict[str, int] = field(default_factory=dict)
