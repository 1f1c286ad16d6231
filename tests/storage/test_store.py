"""The store's write paths on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage.models import ArticleRow, ArticleVersionRow, DeliveryRow, EventRow
from storage.repository import (
    ArticleInput,
    CheckPlan,
    Router,
    RunOutcome,
    SaveResult,
    SourceSpec,
    Store,
)
from tests.support.texts import article, story

CHANNELS = ("webhook-0", "jsonl-1")


def route_all(_event_type: str) -> tuple[str, ...]:
    return CHANNELS


def item(url: str, text: str, title: str = "Title", simhash: int | None = None) -> ArticleInput:
    return ArticleInput(
        url=url,
        title=title,
        text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        simhash=simhash,
        simhash_bands=() if simhash is None else (simhash & 0xFFFF, (simhash >> 16) & 0xFFFF),
    )


PLAN = CheckPlan(next_check_at=datetime(2030, 1, 1, tzinfo=UTC))


async def _source(store: Store, name: str = "near-news") -> int:
    ids = await store.sync_sources([SourceSpec(name=name, url="https://example.org/", kind="auto")])
    return ids[name]


async def _save(
    store: Store, sid: int, source: str, article: ArticleInput, router: Router = route_all
) -> SaveResult:
    return await store.save_article(
        source_id=sid, source_name=source, item=article, plan=PLAN, router=router
    )


async def _count(store: Store, model: type) -> int:
    async with store.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_new_unchanged_updated_and_versions(store: Store) -> None:
    sid = await _source(store)
    first = await _save(store, sid, "near-news", item("https://e.org/1", "Body one."))
    again = await _save(store, sid, "near-news", item("https://e.org/1", "Body one."))
    changed = await _save(
        store, sid, "near-news", item("https://e.org/1", "Body one.\nA new line.")
    )

    assert (first.outcome, first.version) == ("new", 1)
    assert (again.outcome, again.version, again.event_ids) == ("unchanged", 1, ())
    assert (changed.outcome, changed.version) == ("updated", 2)
    assert await _count(store, ArticleRow) == 1
    assert await _count(store, ArticleVersionRow) == 2
    assert await _count(store, EventRow) == 2
    assert await _count(store, DeliveryRow) == 4  # two events × two channels
    async with store.transaction() as session:
        event = await session.get(EventRow, changed.event_ids[0])
        assert event is not None
        assert event.type == "article.updated"
        assert event.payload["article"]["version"] == 2
        assert event.payload["changes"]["lines_added"] == 1
        assert event.payload["id"] == event.id


async def test_same_text_elsewhere_is_a_duplicate_of_the_original(store: Store) -> None:
    sid = await _source(store)
    other = await _source(store, "mirror")
    original = await _save(store, sid, "near-news", item("https://e.org/1", "Shared body."))
    copy = await _save(store, other, "mirror", item("https://m.org/9", "Shared body."))
    third = await _save(store, other, "mirror", item("https://m.org/10", "Shared body."))
    assert copy.outcome == "duplicate"
    assert copy.duplicate_of == original.article_id
    assert third.duplicate_of == original.article_id  # points at the original, not a copy
    async with store.transaction() as session:
        types = (await session.scalars(select(EventRow.type).order_by(EventRow.created_at))).all()
    assert sorted(types) == ["article.duplicate", "article.duplicate", "article.new"]


async def test_near_duplicate_found_through_the_index_and_verified(store: Store) -> None:
    sid = await _source(store)
    await _save(store, sid, "near-news", article("https://e.org/1", story(1)))
    near = await store.save_article(
        source_id=sid,
        source_name="near-news",
        item=article("https://e.org/2", "Source: agency\n\n" + story(1)),
        plan=PLAN,
        router=route_all,
        near_duplicates=True,
    )
    assert near.outcome == "duplicate"


async def test_failing_after_streak_then_recovered(store: Store) -> None:
    sid = await _source(store)
    failed = RunOutcome(ok=False, error="connection refused")
    first = await store.record_run(sid, failed, failing_after=2, router=route_all)
    second = await store.record_run(sid, failed, failing_after=2, router=route_all)
    third = await store.record_run(sid, failed, failing_after=2, router=route_all)
    recovered = await store.record_run(sid, RunOutcome(ok=True), failing_after=2, router=route_all)
    assert (len(first), len(second), len(third), len(recovered)) == (0, 1, 0, 1)
    health = {h.name: h for h in await store.source_health()}["near-news"]
    assert health.last_status == "ok"
    assert health.consecutive_failures == 0
    assert health.last_error is None


async def test_lease_is_exclusive_until_released_or_expired(store: Store) -> None:
    await _source(store)
    results = await asyncio.gather(
        *(store.claim_source("near-news", owner=f"w{i}", lease_seconds=60) for i in range(4))
    )
    claimed = [state is not None for state in results]
    assert sorted(claimed) == [False, False, False, True]
    winner = f"w{claimed.index(True)}"
    assert next(s for s in results if s is not None).name == "near-news"
    later = datetime.now(UTC) + timedelta(hours=1)
    await store.release_source("near-news", owner=winner, next_run_at=later)
    # Released, but not due again until next_run_at: nobody polls it twice per interval.
    assert await store.claim_source("near-news", owner="w9", lease_seconds=60) is None
    late = await store.claim_source("near-news", owner="w9", lease_seconds=60, due_only=False)
    assert late is not None
    assert late.next_run_at == later


async def test_outbox_claim_fail_dead_retry(store: Store) -> None:
    sid = await _source(store)
    await _save(store, sid, "near-news", item("https://e.org/1", "Body."), lambda _t: ("hook",))
    now = datetime.now(UTC)
    claimed = await store.claim_deliveries(owner="d1", now=now, limit=10)
    assert [(d.channel, d.event_type, d.source_name) for d in claimed] == [
        ("hook", "article.new", "near-news")
    ]
    assert await store.claim_deliveries(owner="d2", now=now, limit=10) == []  # leased
    await store.delivery_failed(
        claimed[0].id, owner="d1", error="HTTP 500", now=now, next_attempt_at=None
    )
    assert [d.channel for d in await store.dead_deliveries()] == ["hook"]
    assert await store.retry_dead(now=now) == 1
    again = await store.claim_deliveries(owner="d2", now=now, limit=10)
    await store.delivery_succeeded(again[0].id, owner="d2", now=now)
    assert await store.delivery_counts() == {("hook", "delivered"): 1}


async def test_edited_copy_is_quiet_while_a_copy_and_announced_once_it_diverges(
    store: Store,
) -> None:
    sid = await _source(store)
    original = await _save(store, sid, "near-news", item("https://e.org/1", "Shared body."))
    await _save(store, sid, "near-news", item("https://m.org/2", "Shared body."))
    retitled = await _save(
        store, sid, "near-news", item("https://m.org/2", "Shared body.", title="Other title")
    )
    diverged = await _save(store, sid, "near-news", item("https://m.org/2", "Own text now."))

    assert (retitled.outcome, retitled.duplicate_of, retitled.event_ids) == (
        "updated",
        original.article_id,
        (),
    )
    assert diverged.duplicate_of is None
    async with store.transaction() as session:
        event = await session.get(EventRow, diverged.event_ids[0])
    assert event is not None
    assert event.type == "article.updated"
    assert event.payload["changes"]["previously_duplicate_of"] == original.article_id


async def test_postponed_rows_are_released_and_stale_owners_record_nothing(store: Store) -> None:
    sid = await _source(store)
    await _save(store, sid, "near-news", item("https://e.org/1", "Body."), lambda _t: ("hook",))
    now = datetime.now(UTC)
    first = await store.claim_deliveries(owner="d1", now=now, limit=10)
    later = now + timedelta(minutes=10)
    await store.postpone_deliveries([first[0].id], owner="d1", until=later)
    assert await store.claim_deliveries(owner="d2", now=now, limit=10) == []  # not due yet
    taken = await store.claim_deliveries(owner="d2", now=later, limit=10)
    assert [d.attempts for d in taken] == [0]  # postponing counted no attempt
    # d1 comes back late: its lease is gone, so its outcome is not recorded.
    await store.delivery_succeeded(first[0].id, owner="d1", now=later)
    assert await store.delivery_counts() == {("hook", "pending"): 1}
    await store.delivery_succeeded(taken[0].id, owner="d2", now=later)
    assert await store.delivery_counts() == {("hook", "delivered"): 1}
