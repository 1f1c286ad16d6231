"""The long-running daemon: a pool of polls claims due sources from the database, the
outbox is delivered every few seconds (and right after a poll that wrote events),
``sources.yaml`` is watched for changes, and SIGTERM/SIGINT stop it cleanly within the
grace period: no new polls, in-flight polls get the grace period, the rest are cancelled
quietly and their sources left due, a last delivery pass, exit 0."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from scraper.config import Config, ConfigWatcher, diff_configs
from scraper.errors import ScraperError, StorageError
from scraper.poll_pool import DEFAULT_CAPACITY, PollPool
from scraper.service import Service

log = logging.getLogger("scraper.daemon")

DELIVER_EVERY = 5.0
SHUTDOWN_DEADLINE = 20.0  # the grace period: SIGTERM to exit
STATS_EVERY = 15.0  # seconds between two readings of the backlog for the metrics


class Daemon:
    def __init__(
        self,
        service: Service,
        config_path: str | Path,
        *,
        reload_interval: float = 2.0,
        deliver_every: float = DELIVER_EVERY,
        shutdown_deadline: float = SHUTDOWN_DEADLINE,
        max_polls: int | None = None,
        on_ready: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.service = service
        self.deliver_every = deliver_every
        self.shutdown_deadline = shutdown_deadline
        self._on_ready = on_ready
        self._watcher = ConfigWatcher(
            config_path, self.apply_config, poll_interval=reload_interval, config=service.config
        )
        self._stop = asyncio.Event()
        self._deliver_now = asyncio.Event()
        self.pool = PollPool(
            service, capacity=max_polls or DEFAULT_CAPACITY, on_events=self._deliver_now.set
        )
        self._tasks: list[asyncio.Task[Any]] = []
        self._stats: asyncio.Task[None] | None = None
        self._stopping = False

    def request_stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.request_stop)
        loop.add_signal_handler(signal.SIGINT, self.request_stop)
        loop.add_signal_handler(signal.SIGHUP, self._reload_soon)
        try:
            self._tasks = [
                asyncio.create_task(self.pool.run(), name="poll-pool"),
                asyncio.create_task(self._deliver_forever(), name="deliver"),
            ]
            if self.service.metrics is not None:
                self._stats = asyncio.create_task(self._stats_forever(), name="stats")
            self._watcher.start()
            log.info(
                "daemon running: %d sources, %d channels, up to %d polls at once, worker %s",
                len(self.service.config.enabled_sources), len(self.service.config.channels),
                self.pool.capacity, self.service.owner,
            )  # fmt: skip
            if self._on_ready is not None:
                await self._on_ready()
            await self._stop.wait()
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(signum)
            await self._shutdown()

    async def apply_config(self, config: Config) -> None:
        """Sync the new config to the database, then switch to it. Raises (and changes
        nothing) when the sync fails: the watcher tries again."""
        diff = diff_configs(self.service.config, config)
        rescheduled = {
            name
            for name in diff.changed
            if self.service.config.source(name).schedule != config.source(name).schedule
        }
        await self.service.apply_config(
            config, reschedule=rescheduled, starting=len(diff.added) + len(rescheduled)
        )
        self.pool.use_config(config)
        log.info(
            "configuration reloaded: %d added, %d removed, %d changed",
            len(diff.added), len(diff.removed), len(diff.changed),
        )  # fmt: skip

    async def _deliver_forever(self) -> None:
        outage = False
        while not self._stopping:
            try:
                await self.service.deliver()
            except StorageError as exc:
                if not outage:
                    log.warning("delivery paused, the database is unavailable: %s", exc)
                outage = True
            except Exception:
                log.exception("delivery round failed")
            else:
                outage = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._deliver_now.wait(), timeout=self.deliver_every)
            self._deliver_now.clear()

    async def _stats_forever(self) -> None:
        metrics = self.service.metrics
        assert metrics is not None
        metrics.watch_pool(
            lambda: self.pool.in_flight, self.pool.capacity, self.service.store.connections_in_use
        )
        while not self._stopping:
            # An outage is told by the readiness probe and the claim loop already.
            with contextlib.suppress(StorageError):
                metrics.record_backlog(await self.service.store.backlog())
            await asyncio.sleep(STATS_EVERY)

    def _reload_soon(self) -> None:
        log.info("SIGHUP: reloading configuration")
        task = asyncio.create_task(self._watcher.reload_now(), name="reload")
        self._tasks.append(task)

    async def _shutdown(self) -> None:
        """Within ``shutdown_deadline``: polls get all of it but a few seconds kept for
        cancelling the late ones, handing back leases and a last delivery pass."""
        started = time.monotonic()
        self._stopping = True
        reserve = min(5.0, self.shutdown_deadline / 4)
        self.pool.stop_claiming()
        self._deliver_now.set()
        if self._stats is not None:
            self._stats.cancel()
        await self._watcher.stop()
        await self.pool.drain(self.shutdown_deadline - reserve, settle=reserve / 3)
        background = [t for t in self._tasks if not t.done()]
        if background:
            remaining = self.shutdown_deadline - reserve / 3 - (time.monotonic() - started)
            _done, late = await asyncio.wait(background, timeout=max(0.1, remaining))
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1.0)
        # What the last polls stored is announced now rather than at the next start.
        remaining = self.shutdown_deadline - (time.monotonic() - started) - 0.5
        try:
            await asyncio.wait_for(self.service.deliver(), timeout=max(0.1, remaining))
        except (TimeoutError, ScraperError) as exc:
            log.warning("final delivery pass incomplete (%s); pending events stay queued", exc)
        log.info("stopped")
