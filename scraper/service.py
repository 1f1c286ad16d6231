"""The running service: one store, one fetcher, one poller and one dispatcher, shared by
every source. ``run --once``, the daemon and ``preview`` all drive this object."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from datetime import UTC, datetime
from functools import partial
from typing import Self

import httpx
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from scraper.config.types import Config, Source
from scraper.errors import StorageError
from scraper.fetch import Fetcher
from scraper.metrics import MeasuredFetcher, Metrics
from scraper.notify.dispatcher import Dispatcher, DispatchReport
from scraper.notify.routing import channels_for
from scraper.pipeline.cpu import CpuPool
from scraper.pipeline.poll import Handback, Poller, PollReport
from scraper.pipeline.schedule import failure_backoff, interval_of
from scraper.pipeline.writer import ArticleWriter
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.repository import Router, SourceSpec, Store

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
        cpu = CpuPool(workers=cpu_workers)
        cpu.start()  # the workers boot while the database is migrated
        try:
            if migrate:
                await upgrade(engine)
        except BaseException:
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
        service = cls(
            config, store, fetcher=fetcher, cpu=cpu, http_client=http, metrics=metrics,
        )  # fmt: skip
        await service.apply_config(config)
        return service

    async def apply_config(self, config: Config) -> None:
        self.config = config
        self._source_ids = await self.store.sync_sources(
            [
                SourceSpec(name=s.name, url=s.url, kind=s.kind, enabled=s.enabled, tags=s.tags)
                for s in config.sources
            ]
        )
        self.dispatcher = self._new_dispatcher(config)

    def _new_dispatcher(self, config: Config) -> Dispatcher:
        return Dispatcher(
            self.store, config.channels, owner=self.owner, http_client=self._http,
            engine=self.store.engine, lease_seconds=self.lease_seconds,
        )  # fmt: skip

    def router_for(self, source: Source) -> Router:
        channels = self.config.channels

        def route(event_type: str) -> list[str]:
            return channels_for(channels, event_type, source.name, source.tags)

        return route

    async def poll_source(self, source: Source, *, force: bool = False) -> PollReport | None:
        """Poll ``source`` if this worker wins its lease (and, unless ``force``, it is due).
        Returns None when another worker has it or polled it already this interval."""
        state = await self.store.claim_source(
            source.name, owner=self.owner, lease_seconds=self.lease_seconds, due_only=not force
        )
        if state is None:
            return None
        renewal = asyncio.create_task(self._renew(source.name), name=f"lease:{source.name}")
        handback = Handback(self.owner, partial(_next_wait, source), renewal.cancel)
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
                await asyncio.shield(self._release(source, finished=finished))

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

    async def _release(self, source: Source, *, finished: bool = True) -> None:
        """Hand the lease back. A poll that did not finish (the database went away, a
        shutdown cancelled it) leaves its source due now, so the next trigger of any
        worker polls it again; when the release itself fails, the lease just expires."""
        try:
            if finished:
                await self.store.release_source(
                    source.name, owner=self.owner, wait=partial(_next_wait, source)
                )
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
        """Readiness: the database answers."""
        try:
            async with self.store.engine.connect() as connection:
                await asyncio.wait_for(connection.execute(text("SELECT 1")), timeout=5)
            return True
        except (SQLAlchemyError, OSError, TimeoutError):
            return False

    async def aclose(self) -> None:
        await self.writer.aclose()
        await self.fetcher.aclose()
        await self._http.aclose()
        self.cpu.shutdown()
        await self.store.aclose()


def _next_wait(source: Source, consecutive_failures: int) -> float:
    """Seconds until another worker may poll ``source`` again. The local scheduler decides
    the exact time; this only keeps other workers from polling it again too soon (a little
    early is fine, twice is not)."""
    return 0.9 * failure_backoff(interval_of(source.schedule), consecutive_failures)
