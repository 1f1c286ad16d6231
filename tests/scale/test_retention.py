"""Retention (``scraper prune``), on SQLite and PostgreSQL: settled events and superseded
versions go after N days; pending deliveries and current versions never do."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from storage.engine import create_engine
from storage.migrate import upgrade
from storage.repository import ArticleInput, CheckPlan, SourceSpec, Store
from storage.retention import PruneReport, prune

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CHANNELS = ["log", "hook"]


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    store: Store
    clock: Clock
    source_id: int = 0
    events: dict[str, str] = field(default_factory=dict)  # label -> event id

    async def save(self, label: str, url: str, body: str, days_ago: float) -> None:
        self.clock.now = NOW - timedelta(days=days_ago)
        result = await self.store.save_article(
            source_id=self.source_id, source_name="site",
            item=ArticleInput(url=url, title=url, text=body, content_hash=f"{label:0>64}"),
            plan=CheckPlan(next_check_at=None), router=lambda _type: CHANNELS,
        )  # fmt: skip
        (self.events[label],) = result.event_ids

    async def settle(self, label: str, **outcome_by_channel: str) -> None:
        """Deliver (or kill) the event's deliveries per channel; others stay pending."""
        claimed = await self.store.claim_deliveries(owner="w", now=NOW, limit=100)
        for row in claimed:
            outcome = (
                outcome_by_channel.get(row.channel) if row.event_id == self.events[label] else None
            )
            if outcome == "delivered":
                await self.store.delivery_succeeded(row.id, owner="w", now=NOW)
            elif outcome == "dead":
                await self.store.delivery_failed(
                    row.id, owner="w", error="gone", now=NOW, next_attempt_at=None
                )
        async with self.store.transaction() as session:  # release the others' leases
            await session.execute(
                text("UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL")
            )

    async def rows(self, sql: str) -> list[tuple[object, ...]]:
        async with self.store.transaction() as session:
            return [tuple(row) for row in await session.execute(text(sql))]


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[World]:
    clock = Clock()
    engine = create_engine(db_url)
    await upgrade(engine)
    store = Store(engine, clock=clock)
    ids = await store.sync_sources([SourceSpec(name="site", url="https://e.org/", kind="listing")])
    try:
        yield World(store, clock, ids["site"])
    finally:
        await store.aclose()


async def _populate(world: World) -> None:
    await world.save("a1", "https://e.org/a", "First text of A.", days_ago=100)
    await world.settle("a1", log="delivered", hook="delivered")
    await world.save("b1", "https://e.org/b", "Text of B.", days_ago=100)
    await world.settle("b1", log="delivered")  # hook stays pending
    await world.save("c1", "https://e.org/c", "Text of C.", days_ago=100)
    await world.settle("c1", log="delivered", hook="dead")
    await world.save("a2", "https://e.org/a", "Second text of A.", days_ago=50)
    await world.settle("a2", log="delivered", hook="delivered")
    await world.save("a3", "https://e.org/a", "Third text of A.", days_ago=40)  # pending
    await world.save("d1", "https://e.org/d", "Text of D.", days_ago=5)
    await world.settle("d1", log="delivered", hook="delivered")


@pytest.mark.parametrize("batch", [1, 1000])
async def test_prune_removes_settled_events_and_superseded_versions(
    world: World, batch: int
) -> None:
    await _populate(world)
    report = await prune(
        world.store, events_older_than_days=30, versions_older_than_days=30, now=NOW, batch=batch
    )
    assert report == PruneReport(events=3, deliveries=6, versions=2)

    kept = {row[0] for row in await world.rows("SELECT id FROM events")}
    assert kept == {world.events[label] for label in ("b1", "a3", "d1")}
    # Nothing pending was touched: b1's hook delivery and both of a3's are still queued.
    pending = await world.rows("SELECT event_id, channel FROM deliveries WHERE status = 'pending'")
    assert sorted(pending) == sorted(
        [(world.events["b1"], "hook"), (world.events["a3"], "log"), (world.events["a3"], "hook")]
    )
    versions = await world.rows(
        "SELECT a.url, v.version FROM article_versions v JOIN articles a ON a.id = v.article_id"
    )
    # A keeps only its current version 3 (itself 40 days old); B, C, D their only version.
    assert sorted(versions) == [
        ("https://e.org/a", 3), ("https://e.org/b", 1), ("https://e.org/c", 1),
        ("https://e.org/d", 1),
    ]  # fmt: skip
    assert len(await world.rows("SELECT id FROM articles")) == 4

    again = await prune(
        world.store, events_older_than_days=30, versions_older_than_days=30, now=NOW
    )
    assert again == PruneReport()


async def test_prune_is_opt_in_per_kind(world: World) -> None:
    await _populate(world)
    assert await prune(world.store, now=NOW) == PruneReport()
    only_versions = await prune(world.store, versions_older_than_days=30, now=NOW)
    assert only_versions == PruneReport(versions=2)
    assert len(await world.rows("SELECT id FROM events")) == 6
    with pytest.raises(ValueError, match="negative"):
        await prune(world.store, events_older_than_days=-1, now=NOW)


def _scraper(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args], capture_output=True, text=True, timeout=120
    )


async def test_prune_command(world: World, db_url: str) -> None:
    await _populate(world)
    await world.store.aclose()  # the command opens its own connections
    refused = _scraper("prune", "--db", db_url)
    assert refused.returncode == 2
    assert "--events-days" in refused.stderr
    done = _scraper("prune", "--db", db_url, "--events-days", "30", "--versions-days", "30")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "pruned 3 events (6 deliveries) and 2 article versions"
