"""Operator overrides of the schedule, on SQLite and PostgreSQL: forcing a re-check of
stored articles, clearing a failure back-off, and replanning stored articles when a
source's ``recheck:`` changes. Also migration 0008 up and down."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, inspect, select, update

from scraper.pipeline.schedule import next_recheck
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.models import ArticleRow, SourceRow
from storage.repository import ArticleInput, CheckPlan, RunOutcome, SourceSpec, Store
from tests.storage.migration_rows import downgrade_on

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
HOUR = 3600.0


def item(url: str) -> ArticleInput:
    text = f"Regional governments met about {url}.\n" * 3
    return ArticleInput(
        url=url, title="T", text=text, content_hash=hashlib.sha256(text.encode()).hexdigest()
    )


async def sources(store: Store, *names: str, kind: str = "auto") -> dict[str, int]:
    return await store.sync_sources(
        [SourceSpec(name=n, url=f"https://{n}.example/", kind=kind) for n in names]
    )


async def save(store: Store, source_id: int, name: str, url: str, due: datetime | None) -> int:
    result = await store.save_article(
        source_id=source_id, source_name=name, item=item(url),
        plan=CheckPlan(next_check_at=due), router=lambda _: (),
    )  # fmt: skip
    return result.article_id


async def due_of(store: Store) -> dict[str, datetime | None]:
    async with store.transaction() as session:
        rows = await session.execute(select(ArticleRow.url, ArticleRow.next_check_at))
        return {url: due for url, due in rows}


async def test_recheck_makes_one_sources_articles_due_even_when_their_schedule_ran_out(
    store: Store,
) -> None:
    ids = await sources(store, "a", "b")
    await save(store, ids["a"], "a", "https://a.example/1", NOW + timedelta(days=3))
    await save(store, ids["a"], "a", "https://a.example/2", None)  # schedule ran out
    await save(store, ids["b"], "b", "https://b.example/1", NOW + timedelta(days=3))
    store.clock = lambda: NOW

    assert await store.force_recheck("a") == 2
    due = await due_of(store)
    assert due["https://a.example/1"] == due["https://a.example/2"] == NOW
    assert due["https://b.example/1"] == NOW + timedelta(days=3)
    _, pending = await store.known_and_due(ids["a"], [], limit=10)
    assert {state.url for state in pending} == {"https://a.example/1", "https://a.example/2"}


async def test_recheck_all_leaves_watched_pages_alone(store: Store) -> None:
    ids = await store.sync_sources([
        SourceSpec(name="a", url="https://a.example/", kind="auto"),
        SourceSpec(name="page", url="https://page.example/", kind="page"),
    ])  # fmt: skip
    await save(store, ids["a"], "a", "https://a.example/1", None)
    await save(store, ids["page"], "page", "https://page.example/", None)
    store.clock = lambda: NOW
    assert await store.force_recheck() == 1
    assert (await due_of(store))["https://page.example/"] is None


async def test_reset_clears_the_back_off(store: Store) -> None:
    ids = await sources(store, "a")
    for _ in range(4):
        await store.record_run(
            ids["a"], RunOutcome(ok=False, error="refused"), failing_after=3, router=lambda _: (),
            owner="w", wait=lambda failures: 86400.0,
        )  # fmt: skip
    async with store.transaction() as session:
        await session.execute(
            update(SourceRow).values(next_run_at=NOW + timedelta(days=1), lease_owner=None)
        )
    store.clock = lambda: NOW
    assert await store.reset_backoff("a")
    assert not await store.reset_backoff("nope")
    state = await store.source_state("a")
    assert state is not None
    assert (state.consecutive_failures, state.next_run_at) == (0, NOW)
    assert await store.claim_source("a", owner="w", lease_seconds=60) is not None


async def test_a_changed_recheck_schedule_replans_stored_articles(store: Store) -> None:
    ids = await sources(store, "a")
    old = [HOUR, 6 * HOUR]
    store.clock = lambda: NOW - timedelta(days=1)
    assert await store.apply_recheck_schedules({"a": old}, next_recheck) == {}  # first: record
    pending = await save(store, ids["a"], "a", "https://a.example/pending", NOW)
    finished = await save(store, ids["a"], "a", "https://a.example/finished", None)
    gone = await save(store, ids["a"], "a", "https://a.example/gone", None)  # a 410: off for good
    async with store.transaction() as session:
        # finished: the first save and both re-checks done; gone: taken off after the first.
        await session.execute(
            update(ArticleRow).where(ArticleRow.id == finished).values(check_count=3)
        )
    store.clock = lambda: NOW
    unchanged = await store.apply_recheck_schedules({"a": old}, next_recheck)
    assert unchanged == {}

    new = [HOUR, 6 * HOUR, 30 * 86400.0]
    assert await store.apply_recheck_schedules({"a": new}, next_recheck) == {"a": 2}
    due = await due_of(store)
    first_seen = NOW - timedelta(days=1)
    # pending (check_count 1): its first re-check, an hour after first sight, now overdue.
    assert due["https://a.example/pending"] == NOW + timedelta(minutes=1)
    # finished under the old schedule: the longer schedule brings its third re-check back.
    assert due["https://a.example/finished"] == first_seen + timedelta(days=30)
    assert due["https://a.example/gone"] is None
    assert pending
    assert gone
    # A shorter schedule retires what it no longer covers.
    assert await store.apply_recheck_schedules({"a": [HOUR]}, next_recheck) == {"a": 2}
    assert (await due_of(store))["https://a.example/finished"] is None


def _source_columns(connection: Connection) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns("sources")}


async def test_migration_0008_up_and_down(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            assert "recheck_after" in await connection.run_sync(_source_columns)
        async with engine.begin() as connection:
            await connection.run_sync(downgrade_on, "0005")
        async with engine.connect() as connection:
            assert "recheck_after" not in await connection.run_sync(_source_columns)
        await upgrade(engine)
        async with engine.connect() as connection:
            assert "recheck_after" in await connection.run_sync(_source_columns)
    finally:
        await engine.dispose()


async def test_a_service_started_with_a_changed_recheck_replans(sqlite_url: str) -> None:
    """The wiring: ``Service.open`` (start-up and every reload) applies ``recheck:``."""
    from scraper.config import parse_config
    from scraper.service import Service

    def config(recheck: str) -> str:
        return f"sources:\n  - name: a\n    url: https://a.example/\n    recheck: {recheck}\n"

    first = await Service.open(parse_config(config("[1h, 6h]")), sqlite_url, cpu_workers=0)
    ids = await first.store.sync_sources(
        [SourceSpec(name="a", url="https://a.example/", kind="auto")]
    )
    later = datetime.now(UTC) + timedelta(days=300)
    await save(first.store, ids["a"], "a", "https://a.example/1", later)
    await first.aclose()

    second = await Service.open(parse_config(config("[2d]")), sqlite_url, cpu_workers=0)
    try:
        due = (await due_of(second.store))["https://a.example/1"]
        assert due is not None
        assert due < later - timedelta(days=200)  # planned 2 days after first sight
    finally:
        await second.aclose()
