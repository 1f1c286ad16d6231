"""The bounded pool of polls: a tick asks the database for due sources, as many as the
pool has room for, and polls each in a task of its own.

- **Capacity.** At most ``capacity`` polls run at once; a tick claims no more than the
  free slots, so a worker never leases work it cannot start (other workers take the
  rest), and a backlog drains at the rate the pool sustains, oldest slot first.
- **Hosts.** At most a host's ``per_host_concurrency`` polls of it run at once; a host at
  its limit is left out of the claim, so a thousand sources of one host queue in the
  database behind its politeness while the other hosts' sources keep their slots.
- **Idle.** Between ticks the loop sleeps until the earliest slot (or a poll finishing,
  or a reload), at most ``max_idle`` seconds, so an idle daemon costs one short query
  every few seconds.
- **Stop.** ``stop_claiming`` ends the loop; ``drain`` gives the polls in flight their
  grace period, cancels the rest quietly (each hands its lease back, its source due
  now) and finally hands back any lease this worker still holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from scraper.config.types import Config, Source
from scraper.errors import StorageError
from scraper.fetch import host_key
from scraper.service import Service
from storage.repository import SourceState

log = logging.getLogger("scraper.poll_pool")

DEFAULT_CAPACITY = 64
MAX_IDLE = 10.0  # seconds between ticks when nothing is due (new sources of other workers)
MIN_TICK = 0.2  # seconds between two claims: slots close together share one claim
RETRY_STORAGE = 5.0  # seconds before claiming again after the database failed a claim
DEFAULT_HOST_LIMIT = 2


class PollPool:
    def __init__(
        self,
        service: Service,
        *,
        capacity: int = DEFAULT_CAPACITY,
        max_idle: float = MAX_IDLE,
        on_events: Callable[[], None] = lambda: None,
    ) -> None:
        self.service = service
        self.capacity = max(1, capacity)
        self.max_idle = max_idle
        self._on_events = on_events
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._hosts: Counter[str] = Counter()
        self._host_limits: dict[str, int] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self._outage_logged = False
        self.use_config(service.config)

    # What others read and tell --------------------------------------------------------

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    def polling(self, name: str) -> bool:
        return name in self._tasks

    def use_config(self, config: Config) -> None:
        """Per-host limits of ``config``: the largest ``per_host_concurrency`` of the
        sources of each host (the fetcher's politeness fixes a host's limit the same way)."""
        limits: dict[str, int] = {}
        for source in config.enabled_sources:
            host = host_key(source.url)
            limits[host] = max(limits.get(host, 0), source.per_host_concurrency)
        self._host_limits = limits
        self.wake()

    def wake(self) -> None:
        """Claim now (a reload added sources, a poll finished)."""
        self._wake.set()

    # The tick loop ----------------------------------------------------------------------

    async def run(self) -> None:
        """Claim and start polls until ``stop_claiming``."""
        last_tick = -MIN_TICK
        while not self._stopping:
            # Slots close together are claimed together, in one transaction.
            await self._sleep(last_tick + MIN_TICK - time.monotonic())
            if self._stopping:
                break
            last_tick = time.monotonic()
            try:
                await self._claim_round()
                delay = await self._idle_for()
            except StorageError as exc:
                if not self._outage_logged:
                    log.warning("cannot claim sources, the database is unavailable: %s", exc)
                    self._outage_logged = True
                delay = RETRY_STORAGE
            else:
                if self._outage_logged:
                    log.info("the database answers again; claiming sources")
                    self._outage_logged = False
            await self._sleep(delay)

    def stop_claiming(self) -> None:
        self._stopping = True
        self._wake.set()

    async def _sleep(self, seconds: float) -> None:
        """Sleep up to ``seconds``, or until woken."""
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        self._wake.clear()

    async def _claim_round(self) -> None:
        store = self.service.store
        while not self._stopping and self.capacity > len(self._tasks):
            busy = [host for host, n in self._hosts.items() if n >= self._limit(host)]
            admit = self._admitter()

            states, more = await store.claim_due(
                owner=self.service.owner, lease_seconds=self.service.lease_seconds,
                limit=self.capacity - len(self._tasks), busy_hosts=busy, admit=admit,
            )  # fmt: skip
            if self._stopping:
                # Stopped while the claim ran (a slow database): ``drain`` has already
                # counted the polls in flight, so a poll started now would outlive the
                # daemon. Hand the batch back untouched instead.
                for state in states:
                    await self._hand_back(state)
                return
            for state in states:
                await self._start(state)
            if not states or not more:
                return

    async def _idle_for(self) -> float:
        """Seconds until the next tick: until the earliest slot, or until a poll finishes
        when the pool is full."""
        if len(self._tasks) >= self.capacity:
            return self.max_idle
        busy = [host for host, n in self._hosts.items() if n >= self._limit(host)]
        due = await self.service.store.next_due_at(busy_hosts=busy)
        if due is None:
            return self.max_idle
        return min(self.max_idle, max(0.0, (due - datetime.now(UTC)).total_seconds()))

    def _admitter(self) -> Callable[[str | None], bool]:
        """Says yes to a claim candidate while its host has room, counting the ones it
        admitted (one claim may hold several sources of one host)."""
        taken: Counter[str] = Counter()

        def admit(host: str | None) -> bool:
            if host is None:
                return True
            if self._hosts[host] + taken[host] >= self._limit(host):
                return False
            taken[host] += 1
            return True

        return admit

    def _limit(self, host: str) -> int:
        return self._host_limits.get(host, DEFAULT_HOST_LIMIT)

    async def _start(self, state: SourceState) -> None:
        try:
            source = self.service.config.source(state.name)
        except KeyError:
            # Removed from the config by a reload after the claim's transaction began:
            # hand it back untouched (the sync disabled it, nobody claims it again).
            await self._hand_back(state)
            return
        host = host_key(source.url)
        self._hosts[host] += 1
        task = asyncio.create_task(self._poll(source, state), name=f"poll:{source.name}")
        self._tasks[source.name] = task
        task.add_done_callback(lambda _task: self._finished(source.name, host))

    async def _hand_back(self, state: SourceState) -> None:
        """Release a claimed source unpolled, keeping its slot."""
        await self.service.store.release_source(
            state.name, owner=self.service.owner, next_run_at=state.next_run_at
        )

    def _finished(self, name: str, host: str) -> None:
        self._tasks.pop(name, None)
        self._hosts[host] -= 1
        if self._hosts[host] <= 0:
            del self._hosts[host]
        self._wake.set()

    async def _poll(self, source: Source, state: SourceState) -> None:
        try:
            report = await self.service.poll_claimed(source, state)
        except Exception as exc:
            outage = storage_failure(exc)
            if outage is not None:  # one line, not a traceback; the source is due again now
                log.warning(
                    "poll of %s failed, the database is unavailable: %s", source.name, outage
                )
            else:
                log.exception("poll of %s failed", source.name)
            return
        if report.events:
            self._on_events()  # announce now, not at the next delivery round

    # Stopping ---------------------------------------------------------------------------

    async def drain(self, grace: float, *, settle: float = 2.0) -> None:
        """Wait up to ``grace`` seconds for the polls in flight, then cancel the rest and
        give their lease releases up to ``settle`` seconds; finally hand back whatever
        lease this worker still holds (a release that failed, a claim cut short)."""
        tasks = list(self._tasks.values())
        if tasks:
            log.info("stopping: %d polls in flight get up to %.0fs", len(tasks), grace)
            _done, late = await asyncio.wait(tasks, timeout=max(0.0, grace))
            if late:
                log.info("stopping: cancelling %d polls still running", len(late))
                for task in late:
                    task.cancel()
                await asyncio.wait(late, timeout=settle)
        try:
            released = await asyncio.wait_for(
                self.service.store.release_leases(self.service.owner), timeout=settle
            )
        except (StorageError, TimeoutError) as exc:
            log.warning("could not hand back the last leases (they expire on their own): %s", exc)
        else:
            if released:
                log.info("handed back %d leases of unfinished polls", released)


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
