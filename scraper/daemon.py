"""The long-running daemon: APScheduler fires one job per source, the outbox is delivered
every few seconds, ``sources.yaml`` is watched for changes, and SIGTERM/SIGINT stop it
cleanly (no new work, in-flight polls get a deadline, leases and statuses are written)."""

from __future__ import annotations

import asyncio
import logging
import random
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scraper.config import Config, ConfigWatcher, diff_configs
from scraper.config.types import Schedule, Source
from scraper.errors import ScraperError, StorageError
from scraper.service import Service

log = logging.getLogger("scraper.daemon")

DELIVER_EVERY = 5.0
SHUTDOWN_DEADLINE = 20.0
MAX_START_JITTER = 30.0
# A poll that failed because the database was away is tried again this soon (or at its
# interval, when shorter), not an interval later.
RETRY_AFTER_STORAGE_ERROR = 15.0


def trigger_for(schedule: Schedule) -> BaseTrigger:
    if schedule.cron:
        return CronTrigger.from_crontab(schedule.cron, timezone=UTC)
    seconds = schedule.interval_seconds or 1800.0
    # Jitter spreads sources that share an interval, so they do not all fire together.
    return IntervalTrigger(seconds=seconds, jitter=min(seconds * 0.1, 60.0), timezone=UTC)


class Daemon:
    def __init__(
        self,
        service: Service,
        config_path: str | Path,
        *,
        reload_interval: float = 2.0,
        deliver_every: float = DELIVER_EVERY,
        shutdown_deadline: float = SHUTDOWN_DEADLINE,
        on_ready: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.service = service
        self.deliver_every = deliver_every
        self.shutdown_deadline = shutdown_deadline
        self._on_ready = on_ready
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._watcher = ConfigWatcher(
            config_path, self.apply_config, poll_interval=reload_interval, config=service.config
        )
        self._stop = asyncio.Event()
        self._inflight: set[asyncio.Task[object]] = set()
        self._polling: set[str] = set()  # sources this process is polling now
        self._stopping = False

    def request_stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.request_stop)
        loop.add_signal_handler(signal.SIGINT, self.request_stop)
        loop.add_signal_handler(signal.SIGHUP, self._reload_soon)
        try:
            for source in self.service.config.enabled_sources:
                self._schedule(source)
            self._scheduler.add_job(
                self._track, IntervalTrigger(seconds=self.deliver_every, timezone=UTC),
                args=[self._deliver], id="__deliver__", max_instances=1, coalesce=True,
                next_run_time=datetime.now(UTC),
            )  # fmt: skip
            self._scheduler.start()
            self._watcher.start()
            log.info(
                "daemon running: %d sources, %d channels, worker %s",
                len(self.service.config.enabled_sources),
                len(self.service.config.channels),
                self.service.owner,
            )
            if self._on_ready is not None:
                await self._on_ready()
            await self._stop.wait()
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(signum)
            await self._shutdown()

    async def apply_config(self, config: Config) -> None:
        diff = diff_configs(self.service.config, config)
        await self.service.apply_config(config)
        for name in diff.removed:
            self._unschedule(name)
        for name in (*diff.added, *diff.changed):
            self._unschedule(name)
            source = config.source(name)
            if source.enabled:
                self._schedule(source)
        log.info(
            "configuration reloaded: %d added, %d removed, %d changed",
            len(diff.added), len(diff.removed), len(diff.changed),
        )  # fmt: skip

    def _schedule(self, source: Source) -> None:
        # Spread first polls so a large config does not fire all at once; a few sources
        # need no spreading. Later polls keep the trigger's own jitter.
        spread = min(
            MAX_START_JITTER,
            (source.schedule.interval_seconds or 600.0) / 10,
            0.25 * len(self.service.config.enabled_sources),
        )
        jitter = random.uniform(0, spread)
        self._scheduler.add_job(
            self._track, trigger_for(source.schedule), args=[self._poll_job(source.name)],
            id=f"source:{source.name}", name=source.name, max_instances=1, coalesce=True,
            misfire_grace_time=None, replace_existing=True,
            next_run_time=datetime.now(UTC) + timedelta(seconds=jitter),
        )  # fmt: skip

    def _unschedule(self, name: str) -> None:
        if self._scheduler.get_job(f"source:{name}") is not None:
            self._scheduler.remove_job(f"source:{name}")

    def _poll_job(self, name: str) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            try:
                source = self.service.config.source(name)
            except KeyError:
                return  # removed by a reload since the job fired
            if name in self._polling:
                return  # a retry met the regular poll (or the reverse): one is enough
            self._polling.add(name)
            try:
                report = await self.service.poll_source(source)
            except Exception as exc:
                if storage_failure(exc):
                    self._retry_soon(source)
                raise
            finally:
                self._polling.discard(name)
            if report is not None and report.events:
                await self.service.deliver()  # announce now, not at the next delivery tick

        return job

    def _retry_soon(self, source: Source) -> None:
        if self._stopping:
            return
        delay = min(RETRY_AFTER_STORAGE_ERROR, source.schedule.interval_seconds or 3600.0)
        self._scheduler.add_job(
            self._track, DateTrigger(datetime.now(UTC) + timedelta(seconds=delay), UTC),
            args=[self._poll_job(source.name)], id=f"retry:{source.name}",
            name=f"retry {source.name}", replace_existing=True, misfire_grace_time=None,
        )  # fmt: skip

    async def _deliver(self) -> None:
        await self.service.deliver()

    async def _track(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run one job as a tracked task, so shutdown can wait for it or cancel it; errors
        are logged with their job, never allowed to kill the scheduler."""
        if self._stopping:
            return
        task = asyncio.current_task()
        assert task is not None
        self._inflight.add(task)
        try:
            await work()
        except Exception as exc:
            if storage_failure(exc):  # an outage: one line per job, not a traceback
                log.warning("job failed, the database is unavailable: %s", storage_failure(exc))
            else:
                log.exception("job failed")
        finally:
            self._inflight.discard(task)

    def _reload_soon(self) -> None:
        log.info("SIGHUP: reloading configuration")
        task = asyncio.create_task(self._watcher.reload_now(), name="reload")
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _shutdown(self) -> None:
        self._stopping = True
        log.info(
            "stopping: waiting up to %.0fs for %d jobs", self.shutdown_deadline, len(self._inflight)
        )
        self._scheduler.shutdown(wait=False)
        await self._watcher.stop()
        pending = {t for t in self._inflight if t is not asyncio.current_task()}
        if pending:
            _done, late = await asyncio.wait(pending, timeout=self.shutdown_deadline)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=5.0)
        # What the last polls stored is announced now rather than at the next start.
        try:
            await asyncio.wait_for(self.service.deliver(), timeout=self.shutdown_deadline)
        except (TimeoutError, ScraperError) as exc:
            log.warning("final delivery pass incomplete (%s); pending events stay queued", exc)
        log.info("stopped")


def storage_failure(exc: BaseException) -> StorageError | None:
    """The database error behind ``exc`` (also when a task group wrapped it), if any."""
    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = storage_failure(inner)
            if found is not None:
                return found
    return None
