"""The store contract: what the pipeline relies on (``storage.protocols``), run alike on the
in-memory fake (``tests/support/memory_store.py``), a SQLite file and PostgreSQL. A test
here that passes on the real store and fails on the fake means the fake has drifted; tests
that use the fake for pipeline logic are only as good as this module."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any, Protocol

import pytest

from scraper.dedup import content_hash, fingerprint
from storage.article_types import ArticleInput, ArticleWrite, CheckPlan, SaveResult
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.protocols import ArticleStore, OutboxStore, SourceStore
from storage.repository import Store
from storage.sources_repo import RunOutcome, SourceSpec
from tests.notify.fakes import FakeClock
from tests.support.memory_store import MemoryStore


class ContractStore(ArticleStore, SourceStore, OutboxStore, Protocol):
    """The three roles together (what both implementations offer)."""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str | None:
    """None for the fake, else the URL of a fresh database (a sync fixture: the
    PostgreSQL one creates its database with ``asyncio.run``)."""
    if request.param == "memory":
        return None
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
async def store(backend: str | None, clock: FakeClock) -> AsyncIterator[ContractStore]:
    if backend is None:
        yield MemoryStore(clock=clock)
        return
    engine = create_engine(backend)
    await upgrade(engine)
    real = Store(engine, clock=clock)
    try:
        yield real
    finally:
        await real.aclose()


CHANNELS = ("hook",)
NEWS = SourceSpec(name="news", url="https://news.example.org/list", kind="listing")
PAGE = SourceSpec(name="page", url="https://news.example.org/notice", kind="page")


def route(_event_type: str) -> tuple[str, ...]:
    return CHANNELS


STORY = (
    "The governors of the border provinces met in Vladivostok on Tuesday to discuss a new "
    "ferry line across the bay, the reopening of two rail crossings and a shared plan for "
    "the river basin. They agreed that customs officers would work the same hours on both "
    "sides, that trucks carrying fresh food would be cleared first, and that a working group "
    "would report on the costs of the rail crossings before the end of the summer. Local "
    "business groups welcomed the plan and asked for the ferry to carry passengers as well "
    "as freight, since tourism between the two cities has grown steadily for three years."
)
OTHER = (
    "A photography exhibition about the fishing villages of the northern coast opened at the "
    "city museum this weekend. The pictures, taken over a decade by a local teacher, show "
    "boats, nets and harbour festivals, and the changing faces of the families who work the "
    "sea. The museum plans a catalogue and evening talks with the photographer during the "
    "two months the exhibition stays open, and school classes may visit free of charge."
)


def item(url: str, text: str = STORY, title: str = "Ferry line agreed") -> ArticleInput:
    print_ = fingerprint(text)
    return ArticleInput(
        url=url,
        title=title,
        text=text,
        content_hash=content_hash(text),
        simhash=print_.simhash,
        simhash_bands=print_.keys,
    )


async def setup_sources(store: ContractStore) -> dict[str, int]:
    return await store.sync_sources([NEWS, PAGE])


def write(
    source_id: int,
    article: ArticleInput,
    *,
    next_check_at: datetime | None = None,
    page: bool = False,
) -> ArticleWrite:
    name = "page" if page else "news"
    return ArticleWrite(source_id, name, article, CheckPlan(next_check_at), route, page)


async def save(store: ContractStore, *writes: ArticleWrite, near: bool = False) -> list[SaveResult]:
    return await store.save_articles(list(writes), near_duplicates=near)


async def announced(store: ContractStore, clock: FakeClock) -> list[tuple[str, dict[str, Any]]]:
    """Every event due now (type, payload), acknowledged so that it is not seen again."""
    claimed = await store.claim_deliveries(owner="reader", now=clock(), limit=100)
    for row in claimed:
        await store.delivery_succeeded(row.id, owner="reader", now=clock())
    return [(row.event_type, row.payload) for row in claimed]


# Articles ----------------------------------------------------------------------------------


async def test_a_new_article_is_stored_and_announced(
    store: ContractStore, clock: FakeClock
) -> None:
    ids = await setup_sources(store)
    (result,) = await save(store, write(ids["news"], item("https://n.example/1")))
    assert (result.outcome, result.version, result.duplicate_of) == ("new", 1, None)
    assert len(result.event_ids) == 1
    known, _ = await store.known_and_due(ids["news"], ["https://n.example/1"], limit=10)
    state = known["https://n.example/1"]
    assert (state.id, state.version, state.content_hash) == (
        result.article_id,
        1,
        content_hash(STORY),
    )
    assert state.check_count == 1
    ((event_type, payload),) = await announced(store, clock)
    assert event_type == "article.new"
    assert payload["id"] == result.event_ids[0]
    assert payload["source"] == "news"
    assert payload["article"]["url"] == "https://n.example/1"
    assert payload["article"]["version"] == 1


async def test_the_same_text_again_is_no_new_version(
    store: ContractStore, clock: FakeClock
) -> None:
    ids = await setup_sources(store)
    (first,) = await save(store, write(ids["news"], item("https://n.example/1")))
    (again,) = await save(store, write(ids["news"], item("https://n.example/1")))
    assert (again.outcome, again.article_id, again.version, again.event_ids) == (
        "unchanged",
        first.article_id,
        1,
        (),
    )
    known, _ = await store.known_and_due(ids["news"], ["https://n.example/1"], limit=10)
    assert known["https://n.example/1"].check_count == 2
    assert [t for t, _ in await announced(store, clock)] == ["article.new"]


async def test_a_changed_text_is_a_new_version_announced_as_an_update(
    store: ContractStore, clock: FakeClock
) -> None:
    ids = await setup_sources(store)
    await save(store, write(ids["news"], item("https://n.example/1")))
    await announced(store, clock)
    edited = STORY.replace("Tuesday", "Wednesday")
    (result,) = await save(store, write(ids["news"], item("https://n.example/1", edited)))
    assert (result.outcome, result.version, result.duplicate_of) == ("updated", 2, None)
    known, _ = await store.known_and_due(ids["news"], ["https://n.example/1"], limit=10)
    assert (known["https://n.example/1"].version, known["https://n.example/1"].content_hash) == (
        2,
        content_hash(edited),
    )
    ((event_type, payload),) = await announced(store, clock)
    assert event_type == "article.updated"
    assert payload["article"]["version"] == 2
    assert payload["changes"]["lines_removed"] == 1
    assert "title_changed" not in payload["changes"]
    (title_only,) = await save(
        store, write(ids["news"], item("https://n.example/1", edited, title="Ferry line"))
    )
    assert (title_only.outcome, title_only.version) == ("updated", 3)


async def test_exact_copies_point_at_the_earliest_original(
    store: ContractStore, clock: FakeClock
) -> None:
    ids = await setup_sources(store)
    (original,) = await save(store, write(ids["news"], item("https://n.example/1")))
    (copy,) = await save(store, write(ids["news"], item("https://m.example/a")))
    assert (copy.outcome, copy.duplicate_of) == ("duplicate", original.article_id)
    # A later copy in one batch points at the root, never at another copy.
    results = await save(
        store,
        write(ids["news"], item("https://o.example/x", OTHER)),
        write(ids["news"], item("https://o.example/y", OTHER)),
        write(ids["news"], item("https://o.example/z")),
    )
    assert [r.outcome for r in results] == ["new", "duplicate", "duplicate"]
    assert results[1].duplicate_of == results[0].article_id
    assert results[2].duplicate_of == original.article_id
    events = await announced(store, clock)
    assert [t for t, _ in events] == [
        "article.new",
        "article.duplicate",
        "article.new",
        "article.duplicate",
        "article.duplicate",
    ]
    assert events[1][1]["duplicate_of"] == original.article_id


async def test_near_copies_are_linked_only_when_asked(
    store: ContractStore, clock: FakeClock
) -> None:
    ids = await setup_sources(store)
    (original,) = await save(store, write(ids["news"], item("https://n.example/1")), near=True)
    reworded = "VLADIVOSTOK (news agency) - " + STORY
    (exact_only,) = await save(store, write(ids["news"], item("https://m.example/a", reworded)))
    assert (exact_only.outcome, exact_only.duplicate_of) == ("new", None)
    # A near copy of both: the earliest wins.
    again = STORY + " Reporting by the regional desk."
    (near,) = await save(store, write(ids["news"], item("https://m.example/b", again)), near=True)
    assert (near.outcome, near.duplicate_of) == ("duplicate", original.article_id)
    (distinct,) = await save(
        store, write(ids["news"], item("https://m.example/c", OTHER)), near=True
    )
    assert (distinct.outcome, distinct.duplicate_of) == ("new", None)


async def test_an_edited_copy_that_differs_becomes_an_original(
    store: ContractStore, clock: FakeClock
) -> None:
    ids = await setup_sources(store)
    (original,) = await save(store, write(ids["news"], item("https://n.example/1")))
    (copy,) = await save(store, write(ids["news"], item("https://m.example/a")))
    await announced(store, clock)
    (edited,) = await save(store, write(ids["news"], item("https://m.example/a", OTHER)))
    assert (edited.outcome, edited.article_id, edited.version) == ("updated", copy.article_id, 2)
    assert edited.duplicate_of is None
    ((event_type, payload),) = await announced(store, clock)
    assert event_type == "article.updated"
    assert payload["changes"]["previously_duplicate_of"] == original.article_id


async def test_an_original_edited_into_a_copy_of_an_earlier_article(
    store: ContractStore, clock: FakeClock
) -> None:
    ids = await setup_sources(store)
    (first,) = await save(store, write(ids["news"], item("https://n.example/1")))
    (second,) = await save(store, write(ids["news"], item("https://n.example/2", OTHER)))
    await announced(store, clock)
    (now_copy,) = await save(store, write(ids["news"], item("https://n.example/2")))
    assert (now_copy.outcome, now_copy.duplicate_of, now_copy.version) == (
        "duplicate",
        first.article_id,
        2,
    )
    ((event_type, payload),) = await announced(store, clock)
    assert (event_type, payload["duplicate_of"]) == ("article.duplicate", first.article_id)
    # An original is never made a copy of a later article: the first, edited to the
    # second's old text, stays an original.
    (back,) = await save(store, write(ids["news"], item("https://n.example/1", OTHER)))
    assert (back.outcome, back.duplicate_of) == ("updated", None)
    assert second.article_id > first.article_id


async def test_a_watched_page_is_silent_at_first_and_announced_as_changed(
    store: ContractStore, clock: FakeClock
) -> None:
    ids = await setup_sources(store)
    url = PAGE.url
    (baseline,) = await save(store, write(ids["page"], item(url), page=True))
    assert (baseline.outcome, baseline.event_ids) == ("new", ())
    (copy_of_page,) = await save(store, write(ids["page"], item(url + "?v=2"), page=True))
    assert (copy_of_page.outcome, copy_of_page.duplicate_of) == ("new", None)  # pages never dedup
    (changed,) = await save(store, write(ids["page"], item(url, OTHER), page=True))
    assert (changed.outcome, changed.version) == ("updated", 2)
    assert [t for t, _ in await announced(store, clock)] == ["page.changed"]


async def test_due_rechecks_come_soonest_first_and_leave_once_checked(
    store: ContractStore, clock: FakeClock
) -> None:
    ids = await setup_sources(store)
    soon, later = clock() + timedelta(hours=1), clock() + timedelta(hours=2)
    (a,) = await save(store, write(ids["news"], item("https://n.example/a"), next_check_at=later))
    (b,) = await save(
        store, write(ids["news"], item("https://n.example/b", OTHER), next_check_at=soon)
    )
    assert (await store.known_and_due(ids["news"], [], limit=10))[1] == []
    clock.advance(3 * 3600)
    _, due = await store.known_and_due(ids["news"], [], limit=10)
    assert [s.id for s in due] == [b.article_id, a.article_id]
    assert [s.id for s in (await store.known_and_due(ids["news"], [], limit=1))[1]] == [
        b.article_id
    ]
    assert (await store.known_and_due(ids["page"], [], limit=10))[1] == []
    await store.mark_checked(b.article_id, CheckPlan(clock() + timedelta(days=1), etag='"v2"'))
    known, due = await store.known_and_due(ids["news"], ["https://n.example/b"], limit=10)
    assert [s.id for s in due] == [a.article_id]
    state = known["https://n.example/b"]
    assert (state.etag, state.check_count, state.version) == ('"v2"', 2, 1)
    await store.mark_checked(b.article_id, CheckPlan(None))  # no validators sent: kept
    known, _ = await store.known_and_due(ids["news"], ["https://n.example/b"], limit=10)
    assert (known["https://n.example/b"].etag, known["https://n.example/b"].next_check_at) == (
        '"v2"',
        None,
    )


async def test_same_content_and_rename(store: ContractStore) -> None:
    ids = await setup_sources(store)
    (a,) = await save(store, write(ids["news"], item("https://n.example/1?page=2")))
    found = await store.same_content(ids["news"], content_hash(STORY))
    assert [(s.id, s.url) for s in found] == [(a.article_id, "https://n.example/1?page=2")]
    assert await store.same_content(ids["page"], content_hash(STORY)) == []
    assert await store.rename_article(a.article_id, "https://n.example/1")
    (b,) = await save(store, write(ids["news"], item("https://n.example/2", OTHER)))
    assert not await store.rename_article(b.article_id, "https://n.example/1")  # taken
    known, _ = await store.known_and_due(ids["news"], ["https://n.example/1"], limit=1)
    assert known["https://n.example/1"].id == a.article_id


async def test_context_parameters_need_two_contents_or_a_canonical(store: ContractStore) -> None:
    ids = await setup_sources(store)
    news = ids["news"]
    await store.record_context(news, ["pageNo"], content_hash="h1", example_url="u", via="content")
    await store.record_context(news, ["pageNo"], content_hash="h1", example_url="u", via="content")
    assert await store.context_params(news) == frozenset()
    await store.record_context(news, ["PAGENO"], content_hash="h2", example_url="u", via="content")
    assert await store.context_params(news) == {"pageno"}
    await store.record_context(news, ["ref"], content_hash="h3", example_url="u", via="canonical")
    assert await store.context_params(news) == {"pageno", "ref"}
    assert await store.context_params(ids["page"]) == frozenset()


# Outbox ------------------------------------------------------------------------------------


async def one_delivery(store: ContractStore, clock: FakeClock) -> tuple[str, datetime]:
    ids = await setup_sources(store)
    (result,) = await save(store, write(ids["news"], item("https://n.example/1")))
    return result.event_ids[0], clock()


async def test_a_claimed_delivery_is_leased_then_acknowledged(
    store: ContractStore, clock: FakeClock
) -> None:
    event_id, now = await one_delivery(store, clock)
    (row,) = await store.claim_deliveries(owner="w1", now=now, limit=10, lease_seconds=60)
    assert (row.event_id, row.channel, row.attempts, row.source_name) == (
        event_id,
        "hook",
        0,
        "news",
    )
    assert row.event_type == "article.new"
    assert row.payload["id"] == event_id
    assert await store.claim_deliveries(owner="w2", now=now, limit=10) == []  # leased
    await store.delivery_succeeded(row.id, owner="w2", now=now)  # not the holder: ignored
    later = now + timedelta(seconds=61)
    (taken_over,) = await store.claim_deliveries(owner="w2", now=later, limit=10)
    assert taken_over.id == row.id
    await store.delivery_succeeded(row.id, owner="w1", now=later)  # lease lost: ignored
    await store.delivery_succeeded(row.id, owner="w2", now=later)
    far = now + timedelta(days=30)
    assert await store.claim_deliveries(owner="w3", now=far, limit=10) == []


async def test_failed_deliveries_back_off_then_die_and_can_be_retried(
    store: ContractStore, clock: FakeClock
) -> None:
    _, now = await one_delivery(store, clock)
    (row,) = await store.claim_deliveries(owner="w", now=now, limit=10)
    retry_at = now + timedelta(minutes=5)
    await store.delivery_failed(
        row.id, owner="w", error="HTTP 503", now=now, next_attempt_at=retry_at
    )
    assert await store.claim_deliveries(owner="w", now=now + timedelta(minutes=4), limit=10) == []
    (again,) = await store.claim_deliveries(owner="w", now=retry_at, limit=10)
    assert again.attempts == 1
    await store.delivery_failed(
        again.id, owner="w", error="x" * 5000, now=retry_at, next_attempt_at=None
    )
    far = now + timedelta(days=30)
    assert await store.claim_deliveries(owner="w", now=far, limit=10) == []  # dead
    assert await store.retry_dead(channel="other", now=far) == 0
    assert await store.retry_dead(channel="hook", now=far) == 1
    (revived,) = await store.claim_deliveries(owner="w", now=far, limit=10)
    assert (revived.id, revived.attempts) == (row.id, 0)


async def test_postponed_deliveries_wait_without_an_attempt(
    store: ContractStore, clock: FakeClock
) -> None:
    _, now = await one_delivery(store, clock)
    (row,) = await store.claim_deliveries(owner="w", now=now, limit=10)
    until = now + timedelta(hours=1)
    await store.postpone_deliveries([row.id], owner="someone-else", until=until)  # ignored
    assert await store.claim_deliveries(owner="w", now=now + timedelta(seconds=61), limit=10) != []
    await store.postpone_deliveries([row.id], owner="w", until=until)
    assert await store.claim_deliveries(owner="w", now=until - timedelta(seconds=1), limit=10) == []
    (back,) = await store.claim_deliveries(owner="w", now=until, limit=10)
    assert back.attempts == 0


# Sources -----------------------------------------------------------------------------------


async def test_sync_inserts_updates_and_disables(store: ContractStore, clock: FakeClock) -> None:
    first = clock() + timedelta(minutes=3)
    ids = await store.sync_sources(
        [NEWS, SourceSpec("other", "https://o.example/", "listing", first_run_at=first)]
    )
    assert set(ids) == {"news", "other"}
    state = await store.source_state("other")
    assert state is not None
    assert (state.id, state.next_run_at, state.consecutive_failures, state.last_success_at) == (
        ids["other"],
        first,
        0,
        None,
    )
    assert await store.source_state("missing") is None
    again = await store.sync_sources([NEWS])
    assert again == {"news": ids["news"]}
    clock.advance(600)
    assert await store.claim_source("other", owner="w", lease_seconds=60) is None  # disabled
    later = clock() + timedelta(hours=1)
    spec = SourceSpec("other", "https://o.example/", "listing", first_run_at=later)
    await store.sync_sources([NEWS, spec])  # enabled again, its slot kept
    state = await store.source_state("other")
    assert state is not None
    assert state.next_run_at == first
    await store.sync_sources([NEWS, SourceSpec(**{**spec.__dict__, "reschedule": True})])
    state = await store.source_state("other")
    assert state is not None
    assert state.next_run_at == later


async def test_a_lease_keeps_other_workers_out_until_released(
    store: ContractStore, clock: FakeClock
) -> None:
    await store.sync_sources([NEWS])
    claimed = await store.claim_source("news", owner="w1", lease_seconds=60)
    assert claimed is not None
    assert claimed.name == "news"
    assert await store.claim_source("news", owner="w2", lease_seconds=60) is None
    clock.advance(50)
    assert await store.renew_lease("news", owner="w1", lease_seconds=60)
    assert not await store.renew_lease("news", owner="w2", lease_seconds=60)
    clock.advance(50)  # 100 s after the claim, 50 s after the renewal
    assert await store.claim_source("news", owner="w2", lease_seconds=60) is None
    await store.release_source("news", owner="w2", next_run_at=clock())  # not the holder
    assert await store.claim_source("news", owner="w2", lease_seconds=60) is None
    await store.release_source("news", owner="w1", wait=lambda failures: 600.0 + failures)
    state = await store.source_state("news")
    assert state is not None
    assert state.next_run_at == clock() + timedelta(seconds=600)
    assert await store.claim_source("news", owner="w2", lease_seconds=60) is None  # not due
    assert await store.claim_source("news", owner="w2", lease_seconds=60, due_only=False)
    clock.advance(61)
    assert await store.claim_source("news", owner="w3", lease_seconds=60, due_only=False)


async def test_runs_count_failures_announce_failing_once_then_recovered(
    store: ContractStore, clock: FakeClock
) -> None:
    ids = await store.sync_sources([NEWS])
    news = ids["news"]
    for n in range(1, 5):
        events = await store.record_run(
            news, RunOutcome(ok=False, error=f"HTTP 503 ({n})"), failing_after=3, router=route
        )
        assert len(events) == (1 if n == 3 else 0)
        clock.advance(60)
    state = await store.source_state("news")
    assert state is not None
    assert (state.consecutive_failures, state.last_success_at) == (4, None)
    ((event_type, payload),) = await announced(store, clock)
    assert event_type == "source.failing"
    assert (payload["error"], payload["consecutive_failures"], payload["source"]) == (
        "HTTP 503 (3)",
        3,
        "news",
    )
    await store.claim_source("news", owner="w", lease_seconds=60, due_only=False)
    events = await store.record_run(
        news,
        RunOutcome(ok=True, links_found=12),
        failing_after=3,
        router=route,
        owner="w",
        wait=lambda failures: 300.0 * (failures + 1),
    )
    assert len(events) == 1
    state = await store.source_state("news")
    assert state is not None
    assert (state.consecutive_failures, state.last_success_at, state.last_links_found) == (
        0,
        clock(),
        12,
    )
    assert state.next_run_at == clock() + timedelta(seconds=300)  # released with the run
    assert await store.claim_source("news", owner="w2", lease_seconds=60, due_only=False)
    assert [t for t, _ in await announced(store, clock)] == ["source.recovered"]
    suspicious = RunOutcome(ok=True, links_found=0, suspicion="no links where there were 12")
    assert len(await store.record_run(news, suspicious, failing_after=3, router=route)) == 1
    ((event_type, payload),) = await announced(store, clock)
    assert (event_type, payload["reason"]) == ("source.failing", "no links where there were 12")


async def test_validators_are_kept_per_document(store: ContractStore) -> None:
    assert await store.get_validators("https://n.example/list") == (None, None)
    await store.save_validators("https://n.example/list", '"a"', None)
    await store.save_validators_many(
        {
            "https://n.example/list": ('"b"', "Tue, 01 Dec 2026 10:00:00 GMT"),
            "https://n.example/feed": (None, None),
        }
    )
    assert await store.get_validators("https://n.example/list") == (
        '"b"',
        "Tue, 01 Dec 2026 10:00:00 GMT",
    )
    assert await store.get_validators("https://n.example/feed") == (None, None)
