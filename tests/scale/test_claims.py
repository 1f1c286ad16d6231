"""Claiming due sources in batches: two workers on one database, a clock of the test's
own, every slot of three intervals. Whatever the interleaving of their transactions, a
source is polled once per slot, never twice in one interval, and both workers work."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from scraper.config.types import Schedule
from scraper.pipeline.schedule import MIN_GAP, first_run, next_run
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.repository import SourceSpec, Store

INTERVAL = 60.0
SOURCES = 200
SCHEDULE = Schedule(interval_seconds=INTERVAL)
START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def stores(db_url: str) -> AsyncIterator[tuple[Store, Store, Clock]]:
    engine = create_engine(db_url)
    await upgrade(engine)
    await engine.dispose()
    clock = Clock()
    one, two = Store(create_engine(db_url), clock=clock), Store(create_engine(db_url), clock=clock)
    try:
        yield one, two, clock
    finally:
        await one.aclose()
        await two.aclose()


def _specs(now: datetime) -> list[SourceSpec]:
    return [
        SourceSpec(
            name=f"site-{i}",
            url=f"https://host{i % 7}.example.org/{i}",
            kind="listing",
            host=f"host{i % 7}.example.org:443",
            first_run_at=first_run(f"site-{i}", SCHEDULE, now, sources=SOURCES),
        )
        for i in range(SOURCES)
    ]


async def test_two_workers_claiming_in_batches_never_poll_a_source_twice_in_an_interval(
    stores: tuple[Store, Store, Clock],
) -> None:
    one, two, clock = stores
    await one.sync_sources(_specs(clock.now))
    claims: dict[str, list[datetime]] = {}
    by_worker: Counter[str] = Counter()

    async def work(store: Store, owner: str) -> None:
        states, _more = await store.claim_due(owner=owner, lease_seconds=INTERVAL, limit=16)
        for state in states:
            claims.setdefault(state.name, []).append(clock.now)
            by_worker[owner] += 1
            due = next_run(
                state.name, SCHEDULE, slot=state.next_run_at, ended_at=clock.now,
                consecutive_failures=0,
            )  # fmt: skip
            await store.release_source(state.name, owner=owner, next_run_at=due)

    # Three intervals, a tick a second; both workers claim at every tick, concurrently.
    for _ in range(int(3 * INTERVAL)):
        await asyncio.gather(work(one, "worker-1"), work(two, "worker-2"))
        clock.now += timedelta(seconds=1)

    assert set(claims) == {f"site-{i}" for i in range(SOURCES)}
    for name, times in claims.items():
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
        assert all(gap >= MIN_GAP * INTERVAL for gap in gaps), (name, gaps)
        assert len(times) == 3, (name, times)  # one poll per slot: none missed, none doubled
    assert by_worker["worker-1"] > 0, by_worker
    assert by_worker["worker-2"] > 0, by_worker


async def test_a_claim_takes_no_more_than_its_limit_nor_a_full_hosts_sources(
    stores: tuple[Store, Store, Clock],
) -> None:
    one, _two, clock = stores
    await one.sync_sources(_specs(clock.now))
    clock.now += timedelta(seconds=INTERVAL)  # every source due
    allowed = {"host0.example.org:443": 2}

    def admit(host: str | None) -> bool:
        if host in allowed:
            allowed[host] -= 1
            return allowed[host] >= 0
        return True

    states, more = await one.claim_due(
        owner="w", lease_seconds=60, limit=40, busy_hosts=["host1.example.org:443"], admit=admit
    )
    hosts = Counter(int(s.name.split("-")[1]) % 7 for s in states)
    assert len(states) == 40
    assert more
    assert hosts[1] == 0  # busy: left out of the claim
    assert hosts[0] == 2  # admitted twice, then refused
    # Claimed sources are leased: nobody claims them again until released.
    again, _ = await one.claim_due(owner="x", lease_seconds=60, limit=SOURCES)
    assert not {s.name for s in again} & {s.name for s in states}
    assert len(again) == SOURCES - len(states)
    backlog = await one.backlog()
    assert backlog.due == 0
    assert backlog.polling == {"w": 40, "x": SOURCES - 40}
    assert await one.release_leases("w") == 40
    assert (await one.backlog()).due == 40


async def test_next_due_is_the_earliest_slot_or_lease_end(
    stores: tuple[Store, Store, Clock],
) -> None:
    one, _two, clock = stores
    specs = _specs(clock.now)
    await one.sync_sources(specs)
    earliest = min(spec.first_run_at for spec in specs if spec.first_run_at is not None)
    assert await one.next_due_at() == earliest
    assert (await one.backlog()).oldest_due_at is None  # nothing due yet
