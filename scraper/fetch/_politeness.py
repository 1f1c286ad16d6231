"""Politeness: a global cap on requests in flight, and per host (``host:port``) a cap on
concurrent requests plus a minimum delay between the starts of two requests."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit


def host_key(url: str) -> str:
    """The politeness key of ``url``: ``host:port``, the port made explicit."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


class _HostGate:
    def __init__(self, concurrency: int) -> None:
        self.semaphore = asyncio.Semaphore(max(1, concurrency))
        self.turn = asyncio.Lock()  # serialises the *start* of requests to the host
        self.last_start = -math.inf


class Politeness:
    """Hands out request slots. Use as::

        async with politeness.slot("example.org:443", concurrency=2, delay=1.0):
            ...  # the request

    The delay is measured between request starts, like Scrapy's ``DOWNLOAD_DELAY``; a
    host's concurrency is fixed by the first source that reaches it.
    """

    def __init__(
        self,
        max_concurrency: int,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self._global = asyncio.Semaphore(max(1, max_concurrency))
        self._gates: dict[str, _HostGate] = {}
        self._clock = clock
        self._sleep = sleep

    @asynccontextmanager
    async def slot(self, key: str, *, concurrency: int, delay: float) -> AsyncIterator[None]:
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = _HostGate(concurrency)
        async with gate.semaphore:
            async with gate.turn:
                wait = gate.last_start + delay - self._clock()
                if wait > 0:
                    await self._sleep(wait)
                await self._global.acquire()
                gate.last_start = self._clock()
            try:
                yield
            finally:
                self._global.release()
