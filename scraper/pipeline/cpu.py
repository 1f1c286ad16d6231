"""CPU-bound work (HTML parsing, extraction, discovery) off the event loop where it pays.

Small pages are parsed inline: a few milliseconds, cheaper than a round trip to another
process. Pages past ``offload_bytes`` go to a process pool, so one huge page never stalls
fetching, scheduling and delivery for everyone else. The pool uses ``forkserver``: forking
a process that runs threads (the SQLite driver has one) is unsafe."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_OFFLOAD_BYTES = 512 * 1024


class CpuPool:
    def __init__(self, *, workers: int = 0, offload_bytes: int = DEFAULT_OFFLOAD_BYTES) -> None:
        """``workers=0`` runs everything inline (tests, ``scraper extract``)."""
        self.offload_bytes = offload_bytes
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context)
        return self._pool

    async def run(
        self, size: int, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``function`` inline, or in the pool when the input is ``size`` bytes or more.
        The function and its arguments must be picklable (module-level, plain data)."""
        if self._workers <= 0 or size < self.offload_bytes:
            return function(*args, **kwargs)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor(), _call, function, args, kwargs)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _call(function: Callable[..., T], args: tuple[object, ...], kwargs: dict[str, object]) -> T:
    return function(*args, **kwargs)
