"""robots.txt, parsed with protego and cached per origin with an expiry.

Status handling follows RFC 9309 and Google's crawler: 2xx is parsed; 4xx (other than
429) means no rules, allow everything; 5xx, 429 and network failures mean disallow
everything for now and ask again after ``robots_error_ttl``.

Given a ``RobotsMemory`` (the store), answers of the first two kinds are also kept in the
database with the time they were fetched, so a new process uses them for the rest of
their lifetime instead of asking every host again. Failures are not kept: they are
retried soon anyway. A database that cannot be reached only costs the refetch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlsplit

from protego import Protego

from scraper.config.types import Source
from scraper.errors import FetchError, HTTPStatusError, RobotsDisallowed, StorageError

log = logging.getLogger("scraper.fetch")


@dataclass(frozen=True)
class RobotsRules:
    rules: Protego | None  # None: no usable rules
    allow_all: bool
    expires: float
    problem: str | None = None  # why everything is disallowed, when it is

    def allows(self, url: str, user_agent: str) -> bool:
        if self.rules is None:
            return self.allow_all
        return bool(self.rules.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.rules is None:
            return None
        delay = self.rules.crawl_delay(user_agent)
        return float(delay) if delay is not None else None


RobotsLoader = Callable[[str, Source], Awaitable[bytes]]
"""Fetches a robots.txt URL for a source: returns the body, raises ``FetchError``."""


class RobotsMemory(Protocol):
    """Where fetched robots.txt files outlive the process (``storage.Store``). A body of
    None stands for a 4xx answer: no rules."""

    async def recall_robots(self, url: str) -> tuple[bytes | None, datetime] | None: ...

    async def remember_robots(self, url: str, body: bytes | None, fetched_at: datetime) -> None: ...


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


class RobotsCache:
    def __init__(
        self,
        load: RobotsLoader,
        *,
        ttl: float,
        error_ttl: float,
        clock: Callable[[], float],
        memory: RobotsMemory | None = None,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._load = load
        self._memory = memory
        self._wall_clock = wall_clock
        self._ttl = ttl
        self._error_ttl = error_ttl
        self._clock = clock
        self._entries: dict[str, RobotsRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def check(self, url: str, source: Source) -> float | None:
        """Raise ``RobotsDisallowed`` unless ``url`` may be fetched; return the
        Crawl-delay that applies to the source's user agent, if any."""
        rules = await self.rules_for(url, source)
        if not rules.allows(url, source.user_agent):
            why = rules.problem or "robots.txt disallows this URL"
            raise RobotsDisallowed(why, url=url, source=source.name)
        return rules.crawl_delay(source.user_agent)

    async def rules_for(self, url: str, source: Source) -> RobotsRules:
        key = robots_url(url)
        entry = self._entries.get(key)
        if entry is not None and entry.expires > self._clock():
            return entry
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # one fetch per origin, however many pages wait for it
            entry = self._entries.get(key)
            if entry is None or entry.expires <= self._clock():
                entry = self._entries[key] = await self._fetch(key, source)
        return entry

    async def _fetch(self, key: str, source: Source) -> RobotsRules:
        now = self._clock()
        remembered = await self._recall(key)
        if remembered is not None:
            body, fetched_at = remembered
            age = (self._wall_clock() - fetched_at).total_seconds()
            if 0 <= age < self._ttl:
                return self._rules(body, now, lifetime=self._ttl - age)
        try:
            body = await self._load(key, source)
        except HTTPStatusError as exc:
            if 400 <= exc.status < 500 and exc.status != 429:
                await self._remember(key, None)
                return self._rules(None, now, lifetime=self._ttl)
            return self._unavailable(f"robots.txt unavailable (HTTP {exc.status})", now)
        except FetchError as exc:
            return self._unavailable(f"robots.txt unavailable ({exc.args[0]})", now)
        await self._remember(key, body)
        return self._rules(body, now, lifetime=self._ttl)

    def _rules(self, body: bytes | None, now: float, *, lifetime: float) -> RobotsRules:
        if body is None:  # a 4xx answer: no rules
            return RobotsRules(None, allow_all=True, expires=now + lifetime)
        try:
            rules = Protego.parse(body.decode("utf-8", errors="replace"))
        except Exception as exc:  # protego is lenient; anything else is a parser bug
            return self._unavailable(f"robots.txt unreadable ({exc})", now)
        return RobotsRules(rules, allow_all=True, expires=now + lifetime)

    async def _recall(self, key: str) -> tuple[bytes | None, datetime] | None:
        if self._memory is None:
            return None
        try:
            return await self._memory.recall_robots(key)
        except StorageError as exc:
            log.warning("robots.txt of %s not read from the database: %s", key, exc)
            return None

    async def _remember(self, key: str, body: bytes | None) -> None:
        if self._memory is None:
            return
        try:
            await self._memory.remember_robots(key, body, self._wall_clock())
        except StorageError as exc:
            log.warning("robots.txt of %s not kept in the database: %s", key, exc)

    def _unavailable(self, problem: str, now: float) -> RobotsRules:
        return RobotsRules(None, allow_all=False, expires=now + self._error_ttl, problem=problem)
