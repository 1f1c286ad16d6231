"""Group commit for articles: every poll hands its extracted articles to one writer, which
stores whatever has queued up in a single transaction.

Storing articles one transaction at a time made the store the most expensive stage of a
crawl: each transaction pays for BEGIN and COMMIT, a connection checkout and a round trip
per statement to the database driver's thread. While one batch is being written the
event loop keeps fetching and extracting, so the next batch has filled by the time the
writer comes back: batches grow with the load and stay at one article when it is quiet.

A batch that fails as a whole (two workers raced to insert the same URL, a deadlock
between workers on PostgreSQL, a row one article cannot store) is stored again one
article at a time, so that one bad article never fails the others. When the database is
unreachable, every waiting poll gets the error at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass

from scraper.errors import StorageError
from storage.base import about_the_rows
from storage.protocols import ArticleStore
from storage.repository import ArticleWrite, SaveResult

log = logging.getLogger("scraper.writer")

MAX_BATCH = 64
# How long a batch may wait for company once its first article arrives. Small against a
# poll's duration, long enough that concurrent polls share a transaction.
LINGER_SECONDS = 0.01


@dataclass(frozen=True)
class _Request:
    write: ArticleWrite
    done: asyncio.Future[SaveResult]


class ArticleWriter:
    def __init__(
        self,
        store: ArticleStore,
        *,
        near_duplicates: bool,
        max_batch: int = MAX_BATCH,
        linger: float = LINGER_SECONDS,
    ) -> None:
        self.store = store
        self.near_duplicates = near_duplicates
        self.max_batch = max_batch
        self.linger = linger
        self._queue: deque[_Request] = deque()
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.batches = 0  # transactions written, for tests and benchmarks
        self.saved = 0

    async def save(self, write: ArticleWrite) -> SaveResult:
        """Store ``write`` (with whatever else is queued) and return its outcome. A caller
        cancelled before its batch is taken withdraws the write; once taken, it is stored
        or not with the rest of the batch."""
        if self._closing:
            raise RuntimeError("the article writer is closed")
        done: asyncio.Future[SaveResult] = asyncio.get_running_loop().create_future()
        self._queue.append(_Request(write, done))
        self._arrived.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="article-writer")
        return await done

    async def aclose(self) -> None:
        """Store what is queued, then stop."""
        self._closing = True
        self._arrived.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            while not self._queue:
                if self._closing:
                    return
                self._arrived.clear()
                await self._arrived.wait()
            if self.linger > 0 and len(self._queue) < self.max_batch:
                await asyncio.sleep(self.linger)
            await self._store(self._take())

    def _take(self) -> list[_Request]:
        """Up to ``max_batch`` queued writes, oldest first; a second write of a URL already
        in the batch waits for the next one (a batch must not repeat a URL)."""
        batch: list[_Request] = []
        urls: set[str] = set()
        later: list[_Request] = []
        while self._queue and len(batch) < self.max_batch:
            request = self._queue.popleft()
            if request.done.cancelled():
                continue
            if request.write.item.url in urls:
                later.append(request)
            else:
                urls.add(request.write.item.url)
                batch.append(request)
        self._queue.extendleft(reversed(later))
        return batch

    async def _store(self, batch: list[_Request]) -> None:
        if not batch:
            return
        try:
            results = await self.store.save_articles(
                [request.write for request in batch], near_duplicates=self.near_duplicates
            )
        except StorageError as exc:
            if len(batch) == 1 or not _worth_retrying_alone(exc):
                _fail(batch, exc)
                return
            log.info("a batch of %d articles failed (%s); storing them one by one", len(batch), exc)
            for request in batch:
                await self._store_alone(request)
            return
        except Exception as exc:  # a bug: every waiting poll sees it; the writer goes on
            log.exception("storing a batch of %d articles failed", len(batch))
            _fail(batch, exc)
            return
        self._settle(batch, results)

    async def _store_alone(self, request: _Request) -> None:
        try:
            results = await self.store.save_articles(
                [request.write], near_duplicates=self.near_duplicates
            )
        except Exception as exc:
            _fail([request], exc)
            return
        self._settle([request], results)

    def _settle(self, stored: list[_Request], results: list[SaveResult]) -> None:
        """One transaction committed: count it and answer its waiting polls."""
        self.batches += 1
        self.saved += len(stored)
        for request, result in zip(stored, results, strict=True):
            if not request.done.done():
                request.done.set_result(result)


def _worth_retrying_alone(exc: StorageError) -> bool:
    """Whether the batch failed because of what was in it (a lost race, a deadlock, one
    bad row) rather than because the database is out of reach."""
    return about_the_rows(exc)


def _fail(batch: list[_Request], exc: BaseException) -> None:
    for request in batch:
        if not request.done.done():
            request.done.set_exception(exc)
