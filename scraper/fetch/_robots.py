"""robots.txt, parsed with protego and cached per origin with an expiry.

Status handling follows RFC 9309 and Google's crawler: 2xx is parsed; 4xx (other than
429) means no rules, allow everything; 5xx, 429 and network failures mean disallow
everything for now and ask again after ``robots_error_ttl``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from scraper.config.types import Source
from scraper.errors import FetchError, HTTPStatusError, RobotsDisallowed


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
    ) -> None:
        self._load = load
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
        try:
            body = await self._load(key, source)
        except HTTPStatusError as exc:
            if 400 <= exc.status < 500 and exc.status != 429:
                return RobotsRules(None, allow_all=True, expires=now + self._ttl)
            return self._unavailable(f"robots.txt unavailable (HTTP {exc.status})", now)
        except FetchError as exc:
            return self._unavailable(f"robots.txt unavailable ({exc.args[0]})", now)
        try:
            rules = Protego.parse(body.decode("utf-8", errors="replace"))
        except Exception as exc:  # protego is lenient; anything else is a parser bug
            return self._unavailable(f"robots.txt unreadable ({exc})", now)
        return RobotsRules(rules, allow_all=True, expires=now + self._ttl)

    def _unavailable(self, problem: str, now: float) -> RobotsRules:
        return RobotsRules(None, allow_all=False, expires=now + self._error_ttl, problem=problem)
