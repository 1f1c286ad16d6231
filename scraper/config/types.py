"""The validated configuration, as the rest of the program sees it: frozen, fully resolved
(source values already merged over ``defaults``), no optional keys left to interpret."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from scraper import __version__

SourceKind = Literal["auto", "listing", "feed", "sitemap", "page"]
ChannelType = Literal["webhook", "apprise", "jsonl", "postgres"]
EventType = Literal[
    "article.new",
    "article.updated",
    "article.duplicate",
    "page.changed",
    "source.failing",
    "source.recovered",
]
ALL_EVENT_TYPES: tuple[EventType, ...] = (
    "article.new",
    "article.updated",
    "article.duplicate",
    "page.changed",
    "source.failing",
    "source.recovered",
)

DEFAULT_USER_AGENT = f"nea-monitor/{__version__} (+https://github.com/nea-monitor/nea-monitor)"
# Article links read from one listing page at most: a page with 133,000 links (a hostile
# or broken site) costs one capped read, not a poll that stores thousands of pages.
DEFAULT_MAX_LINKS_PER_PAGE = 1000


@dataclass(frozen=True)
class Schedule:
    """Either a fixed interval in seconds or a 5-field cron expression (UTC)."""

    interval_seconds: float | None = None
    cron: str | None = None

    def describe(self) -> str:
        return f"cron: {self.cron}" if self.cron else f"every {self.interval_seconds:g}s"


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    kind: SourceKind = "auto"
    schedule: Schedule = Schedule(interval_seconds=1800)
    timeout: float = 20.0
    user_agent: str = DEFAULT_USER_AGENT
    respect_robots: bool = True
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0
    max_new_articles_per_run: int = 50
    max_page_bytes: int = 5 * 1024 * 1024
    recheck_after: tuple[float, ...] = (3600.0, 6 * 3600.0, 86400.0, 3 * 86400.0, 7 * 86400.0)
    language: str | None = None
    encoding: str | None = None
    follow: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # Query parameters that alone name an article (keep) or never do (drop); see
    # docs/explanation/article-identity.md.
    keep_params: tuple[str, ...] = ()
    drop_params: tuple[str, ...] = ()
    max_links_per_page: int = DEFAULT_MAX_LINKS_PER_PAGE
    link_selector: str | None = None
    content_selector: str | None = None
    remove_selectors: tuple[str, ...] = ()
    ignore_text: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    enabled: bool = True
    line: int = 0  # line of the item in sources.yaml, for messages


@dataclass(frozen=True)
class Channel:
    """One notification channel. ``name`` is unique and is what ``deliveries.channel`` holds."""

    name: str
    type: ChannelType
    url: str | None = None
    path: str | None = None
    secret_env: str | None = None
    events: tuple[EventType, ...] = ALL_EVENT_TYPES
    sources: tuple[str, ...] = ()  # empty: every source
    tags: tuple[str, ...] = ()  # empty: every tag
    template: str | None = None
    digest: float | None = None  # seconds between digest messages (human channels)
    timeout: float = 10.0
    max_attempts: int = 8


@dataclass(frozen=True)
class Topic:
    name: str
    terms: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class Config:
    sources: tuple[Source, ...] = ()
    channels: tuple[Channel, ...] = ()
    topics: tuple[Topic, ...] = ()
    path: str = "sources.yaml"

    def source(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)

    @property
    def enabled_sources(self) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.enabled)


__all__ = [
    "ALL_EVENT_TYPES",
    "DEFAULT_MAX_LINKS_PER_PAGE",
    "DEFAULT_USER_AGENT",
    "Channel",
    "ChannelType",
    "Config",
    "EventType",
    "Schedule",
    "Source",
    "SourceKind",
    "Topic",
]
