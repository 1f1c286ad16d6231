"""The running service: one store, one fetcher, one poller and one dispatcher, shared by
every source. ``run --once``, the daemon and ``preview`` all drive this object."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Self

import httpx

from scraper.config.types import Config, Source
from scraper.errors import StorageError
from scraper.fetch import Fetcher, host_key
from scraper.metrics import MeasuredFetcher, Metrics
from scraper.notify.dispatcher import Dispatcher, DispatchReport
from scraper.notify.routing import SourceRouter
from scraper.pipeline.articles import warm_up
from scraper.pipeline.cpu import CpuPool
from scraper.pipeline.poll import Handback, Poller, PollReport
from scraper.pipeline.schedule import first_run, interval_of, next_recheck, next_run
from scraper.pipeline.writer import ArticleWriter
from scraper.topics import TopicMatcher
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.repository import Router, SourceSpec, SourceState, Store

log = logging.getLogger("scraper.service")

LEASE_SECONDS = 60.0  # a crashed worker's sources are taken over within two minutes
# Operators (and tests) may shorten or lengthen the lease; read once, when a Service is built.
LEASE_ENV = "NEA_LEASE_SECONDS"


def lease_seconds_from_env() -> float:
    """``NEA_LEASE_SECONDS`` (positive seconds), else ``LEASE_SECONDS``."""
    raw = os.environ.get(LEASE_ENV, "").strip()
    try:
        value = float(raw) if raw else LEASE_SECONDS
    except ValueError:
        value = 0.0
    if value <= 0:
        log.warning("ignoring %s=%r: not a positive number of seconds", LEASE_ENV, raw)
        return LEASE_SECONDS
    return value


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Service:
    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        fetcher: Fetcher,
        cpu: CpuPool,
        http_client: httpx.AsyncClient,
        owner: str | None = None,
        failing_after: int = 3,
        metrics: Metrics | None = None,
    ) -> None:
        self.config = config
        self._matcher = (config, TopicMatcher(config.topics))
        self.store = store
        self.fetcher = fetcher
        self.cpu = cpu
        self.owner = owner or worker_id()
        self.lease_seconds = lease_seconds_from_env()
        self.metrics = metrics
        self._http = http_client
        self._source_ids: dict[str, int] = {}
        self.writer = ArticleWriter(store, near_duplicates=True)
        self.poller = Poller(
            fetcher=fetcher, store=store, writer=self.writer, cpu=cpu, router_for=self.router_for,
            failing_after=failing_after,
        )  # fmt: skip
        self.dispatcher = self._new_dispatcher(config)

    @classmethod
    async def open(
        cls,
        config: Config,
        db_url: str,
        *,
        cpu_workers: int = 0,
        migrate: bool = True,
        metrics: Metrics | None = None,
    ) -> Self:
        """Connect, migrate (serialized across workers), and sync sources with the config."""
        engine = create_engine(db_url)
        cpu = CpuPool(workers=cpu_workers, warm=True)
        cpu.start()  # the workers boot while the database is migrated
        # The first discovery and extraction load their models and tables (seconds on a
        # busy machine): done here, off the event loop, not inline in the first poll,
        # where it would stall every other poll and their lease renewals. With a parsing
        # process every article is extracted there (it warms up itself), so this process
        # never loads the language model.
        warm = asyncio.gather(asyncio.to_thread(warm_up, articles=cpu_workers <= 0), cpu.ready())
        try:
            if migrate:
                await upgrade(engine)
            await warm
        except BaseException:
            # A failed migration leaves the warm-up running: cancel it and collect its
            # outcome, or asyncio prints its cancellation as a traceback at exit.
            warm.cancel()
            await asyncio.gather(warm, return_exceptions=True)
            cpu.shutdown()
            await engine.dispose()
            raise
        store = Store(engine)
        http = httpx.AsyncClient(timeout=30.0, follow_redirects=False)
        fetcher = (
            MeasuredFetcher(metrics, robots_memory=store)
            if metrics is not None
            else Fetcher(robots_memory=store)
        )
        await asyncio.to_thread(fetcher.prepare)  # the CA store, off the event loop
        service = cls(
            config, store, fetcher=fetcher, cpu=cpu, http_client=http, metrics=metrics,
        )  # fmt: skip
        await service.apply_config(config, respread=True)
        return service

    async def apply_config(
        self,
        config: Config,
        *,
        respread: bool = False,
        reschedule: Collection[str] = (),
        starting: int | None = None,
    ) -> None:
        """Sync ``config``'s sources to the database, then make it the running config: a
        sync that fails (the database is away) changes nothing here, and may be retried.

        New sources (and those named in ``reschedule``, whose schedule changed) are due at
        their first slot; with ``respread`` (start-up), so are sources whose slot passed
        more than an interval ago, so that a restart after downtime does not make every
        source due at once. First slots are spread for ``starting`` sources starting
        together (default: every enabled source)."""
        now = datetime.now(UTC)
        if starting is None:
            starting = len(config.enabled_sources)
        specs = [
            SourceSpec(
                name=s.name,
                url=s.url,
                kind=s.kind,
                enabled=s.enabled,
                tags=s.tags,
                host=host_key(s.url),
                first_run_at=first_run(s.name, s.schedule, now, sources=starting),
                stale_before=now - timedelta(seconds=interval_of(s.schedule)),
                reschedule=s.name in reschedule,
            )
            for s in config.sources
        ]
        self._source_ids = await self.store.sync_sources(specs, respread=respread)
        self.config = config
        replanned = await self.store.apply_recheck_schedules(
            {s.name: s.recheck_after for s in config.sources}, next_recheck
        )
        for name, count in replanned.items():
            log.info("%s: recheck schedule changed, %d stored articles planned again", name, count)
        self.dispatcher = self._new_dispatcher(config)

    def _new_dispatcher(self, config: Config) -> Dispatcher:
        return Dispatcher(
            self.store, config.channels, owner=self.owner, http_client=self._http,
            engine=self.store.engine, lease_seconds=self.lease_seconds,
        )  # fmt: skip

    def router_for(self, source: Source) -> Router:
        config = self.config
        if self._matcher[0] is not config:  # topics normalized once per (re)loaded config
            self._matcher = (config, TopicMatcher(config.topics))
        return SourceRouter(config.channels, source.name, source.tags, self._matcher[1])

    async def poll_source(self, source: Source, *, force: bool = False) -> PollReport | None:
        """Poll ``source`` if this worker wins its lease (and, unless ``force``, it is due).
        Returns None when another worker has it or polled it already this interval."""
        state = await self.store.claim_source(
            source.name, owner=self.owner, lease_seconds=self.lease_seconds, due_only=not force
        )
        if state is None:
            return None
        return await self.poll_claimed(source, state)

    async def poll_claimed(self, source: Source, state: SourceState) -> PollReport:
        """Poll a source whose lease this worker holds, and hand the lease back: with the
        outcome, the source due at its next slot; if the poll did not finish (cancelled,
        the database away), due now. The lease is renewed while the poll runs."""
        renewal = asyncio.create_task(self._renew(source.name), name=f"lease:{source.name}")
        wait = partial(_next_wait, source, state.next_run_at)
        handback = Handback(self.owner, wait, renewal.cancel)
        finished = released = False
        try:
            report = await self.poller.poll(
                source, self._source_ids[source.name], state, handback=handback
            )
            finished, released = True, report.released
            if self.metrics is not None:
                self.metrics.record_poll(report)
            return report
        finally:
            renewal.cancel()
            if not released:
                # Shielded: a shutdown that cancels the poll must still hand the lease back.
                await asyncio.shield(self._release(source, wait if finished else None))

    async def _renew(self, name: str) -> None:
        """Keep the lease of a long poll (slow sites, many articles) from expiring."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                renewed = await self.store.renew_lease(
                    name, owner=self.owner, lease_seconds=self.lease_seconds
                )
            except StorageError as exc:  # the database is away: try again next round
                log.warning("could not renew the lease of %s: %s", name, exc)
                continue
            if not renewed:
                log.warning("lost the lease of %s to another worker", name)
                return

    async def _release(self, source: Source, wait: Callable[[int], float] | None) -> None:
        """Hand the lease back, the source due again after ``wait``. A poll that did not
        finish (the database went away, a shutdown cancelled it; no ``wait``) leaves its
        source due now, so the next claim of any worker polls it again; when the release
        itself fails, the lease just expires."""
        try:
            if wait is not None:
                await self.store.release_source(source.name, owner=self.owner, wait=wait)
            else:
                await self.store.release_source(
                    source.name, owner=self.owner, next_run_at=datetime.now(UTC)
                )
        except StorageError as exc:
            log.warning(
                "could not release the lease of %s (it expires within %.0fs): %s",
                source.name, self.lease_seconds, exc,
            )  # fmt: skip

    async def deliver(self, limit: int = 200) -> DispatchReport:
        """One delivery round: what is due now, up to ``limit`` rows."""
        return self._recorded(await self.dispatcher.deliver_pending(limit=limit))

    async def deliver_all(self) -> DispatchReport:
        """Rounds until nothing is due now (failures wait for their back-off)."""
        return self._recorded(await self.dispatcher.deliver_all())

    def _recorded(self, report: DispatchReport) -> DispatchReport:
        if self.metrics is not None:
            self.metrics.record_dispatch(report)
        return report

    async def ready(self) -> bool:
        """Readiness: the database answers, and is still the file we opened (SQLite)."""
        try:
            await self.store.ping()
            return True
        except (StorageError, TimeoutError):
            return False

    async def aclose(self) -> None:
        await self.writer.aclose()
        await self.fetcher.aclose()
        await self._http.aclose()
        self.cpu.shutdown()
        await self.store.aclose()


def _next_wait(source: Source, slot: datetime | None, consecutive_failures: int) -> float:
    """Seconds from now — the end of ``source``'s poll of ``slot`` — until it is due
    again: its next slot, at least 0.9 of its interval (or failure back-off) away, so
    that no worker polls it twice in one interval however long the poll took."""
    now = datetime.now(UTC)
    due = next_run(
        source.name, source.schedule, slot=slot, ended_at=now,
        consecutive_failures=consecutive_failures,
    )  # fmt: skip
    return max(0.0, (due - now).total_seconds())
