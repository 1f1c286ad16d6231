"""CPU-bound work (HTML parsing, extraction, discovery) off the event loop where it pays.

Pages from ``offload_bytes`` on go to a process pool: one huge page never stalls fetching,
scheduling and delivery for everyone else, and in a busy crawl the event loop's process
and the pool share the work across two cores (``benchmarks/cpu_offload.py``: the pool
adds about 0.4 ms of latency to a 40 KB page; ``benchmarks/crawl.py``: 29 % more pages per
second). Tiny pages are parsed inline, where a round trip would cost more than the parse,
except work that loads a large model (article extraction classifies the language with a
75 MB model): that always goes to the pool when there is one, so the model lives in one
process, not in the daemon and in each worker.

The pool uses ``spawn``: forking a process that runs threads (the SQLite driver has one)
is unsafe, and spawned workers are this process's own children, so their CPU time is
counted in its resource usage. A worker that dies (killed, out of memory, a crash in a
parser) fails only the pages it had: the next page gets a fresh pool."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

from scraper.errors import WorkerCrashed

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_OFFLOAD_BYTES = 16 * 1024
PARENT_CHECK_SECONDS = 0.5  # how soon a worker notices that its daemon is gone


class CpuPool:
    def __init__(
        self, *, workers: int = 0, offload_bytes: int = DEFAULT_OFFLOAD_BYTES, warm: bool = False
    ) -> None:
        """``workers=0`` runs everything inline (tests, ``scraper extract``). ``warm``: each
        worker loads the parsers' tables and the language model as it starts (the
        daemon), not at its first page."""
        self.offload_bytes = offload_bytes
        self._workers = workers
        self._warm = warm
        self._pool: ProcessPoolExecutor | None = None
        self._started: Future[None] | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=context,
                initializer=_prepare,
                initargs=(os.getpid(), self._warm),
            )
        return self._pool

    def start(self) -> None:
        """Start the workers now rather than at the first big page: a spawned worker
        takes seconds to import the parsers and load the language model, which can then
        overlap start-up (migrations) instead of delaying the first articles."""
        if self._workers > 0:
            self._started = self._executor().submit(_ready)

    async def ready(self) -> None:
        """Wait until the worker started by ``start`` has warmed up (at once without one)."""
        if self._started is not None:
            # A worker that died warming up fails no start-up: the first page that needs
            # the pool starts a fresh one (and fails alone if that one dies too).
            with contextlib.suppress(BrokenProcessPool):
                await asyncio.wrap_future(self._started)

    async def run(
        self, size: int | None, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``function`` inline, or in the pool when the input is ``size`` bytes or more
        (``None``: in the pool whenever there is one). The function and its arguments must
        be picklable (module-level, plain data)."""
        if self._workers <= 0 or (size is not None and size < self.offload_bytes):
            return function(*args, **kwargs)
        loop = asyncio.get_running_loop()
        pool = self._executor()
        try:
            return await loop.run_in_executor(pool, _call, function, args, kwargs)
        except BrokenProcessPool as exc:
            if self._pool is pool:
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
            raise WorkerCrashed(f"the parsing process died ({exc})") from None

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _prepare(parent: int, warm: bool) -> None:
    """Import what parsing needs (selectolax, numpy, the extractor), with ``warm`` load its
    tables and model, once per worker; and make the worker go when the daemon does. A
    worker blocks on its task queue, which a daemon killed by SIGKILL (or the OOM killer)
    never closes: without this it would live on as an orphan."""
    watch = threading.Thread(target=_exit_with, args=(parent,), name="parent-watch", daemon=True)
    watch.start()
    articles = importlib.import_module("scraper.pipeline.articles")
    if warm:
        articles.warm_up()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _ready() -> None:
    """A first task, so that the pool starts its worker now."""


def _call(function: Callable[..., T], args: tuple[object, ...], kwargs: dict[str, object]) -> T:
    return function(*args, **kwargs)
