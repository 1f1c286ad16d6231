"""Batched article writes (``Store.save_articles`` and the group-commit ``ArticleWriter``)
on a real SQLite file and a real PostgreSQL database.

The reference for a batch is the same writes stored one at a time: a batch must decide
every article exactly as that would, including copies of articles earlier in the batch."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scraper.errors import StorageError
from scraper.pipeline.writer import ArticleWriter
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.models import ArticleRow, DeliveryRow, EventRow, SimhashBandRow
from storage.repository import ArticleInput, ArticleWrite, CheckPlan, SaveResult, SourceSpec, Store
from tests.support.texts import article, story

PLAN = CheckPlan(next_check_at=datetime(2030, 1, 1, tzinfo=UTC))


def route(_event_type: str) -> tuple[str, ...]:
    return ("hook", "log")


def item(url: str, text: str, title: str = "T") -> ArticleInput:
    return article(url, text, title)


async def source(store: Store, name: str = "batch-news") -> int:
    ids = await store.sync_sources([SourceSpec(name=name, url="https://e.org/", kind="auto")])
    return ids[name]


def writes(sid: int, *items: ArticleInput) -> list[ArticleWrite]:
    return [ArticleWrite(sid, "batch-news", i, PLAN, route) for i in items]


async def count(store: Store, model: type) -> int:
    async with store.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_batch_stores_originals_copies_and_edits_in_one_go(store: Store) -> None:
    sid = await source(store)
    await store.save_articles(writes(sid, item("https://e.org/old", story(100))))

    results = await store.save_articles(
        writes(
            sid,
            item("https://e.org/a", story(1)),
            item("https://e.org/a-copy", story(1)),  # same text as a, earlier in the batch
            item("https://e.org/a-near", "Home\n\n" + story(1) + "\n\nvia agency"),
            item("https://e.org/old", story(100) + " Edited with a new closing sentence."),
            item("https://e.org/b", story(2)),
        ),
        near_duplicates=True,
    )

    a, copy, near_copy, edited, b = results
    assert (a.outcome, copy.outcome, near_copy.outcome) == ("new", "duplicate", "duplicate")
    assert copy.duplicate_of == a.article_id
    assert near_copy.duplicate_of == a.article_id
    assert (edited.outcome, edited.version, b.outcome) == ("updated", 2, "new")
    assert all(len(r.event_ids) == 1 for r in results)
    assert await count(store, ArticleRow) == 5
    assert await count(store, EventRow) == 6  # the first article.new, then one per write
    assert await count(store, DeliveryRow) == 12  # two channels each
    # Bands of the edited article were replaced, not added to.
    async with store.transaction() as session:
        bands = await session.scalars(
            select(SimhashBandRow.value).where(SimhashBandRow.article_id == edited.article_id)
        )
        edited_text = story(100) + " Edited with a new closing sentence."
        assert sorted(bands) == sorted(item("x", edited_text).simhash_bands)


async def test_near_copies_are_found_past_the_first_statement_of_probes(store: Store) -> None:
    """Probes go to the database in fixed-size statements, the last one padded: a near copy
    whose probes land in a later, padded statement is found like one in the first."""
    sid = await source(store)
    await store.save_articles(
        writes(sid, item("https://e.org/original", story(0))), near_duplicates=True
    )
    others = [item(f"https://e.org/{n}", story(n + 1)) for n in range(60)]
    near = item("https://e.org/near", story(0).upper() + "\n\nRead more")
    results = await store.save_articles(writes(sid, *others, near), near_duplicates=True)
    assert [r.outcome for r in results[:-1]] == ["new"] * 60
    assert results[-1].outcome == "duplicate"
    assert results[-1].duplicate_of == 1


async def test_a_batch_repeating_a_url_is_refused(store: Store) -> None:
    sid = await source(store)
    with pytest.raises(ValueError, match="repeat a URL"):
        await store.save_articles(
            writes(sid, item("https://e.org/1", "x"), item("https://e.org/1", "y"))
        )
    assert await count(store, ArticleRow) == 0


@pytest.fixture
async def reference(tmp_path: Path) -> AsyncIterator[Store]:
    engine = create_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    await upgrade(engine)
    reference = Store(engine)
    yield reference
    await reference.aclose()


def random_writes(rng: random.Random, rounds: int) -> list[ArticleInput]:
    """Articles from a few URLs and a few texts, so that copies, near copies, edits and
    unchanged re-saves all happen, also within one batch."""
    texts = [story(n) for n in range(6)]
    chosen = []
    for _ in range(rounds):
        body = rng.choice(texts)
        if rng.random() < 0.3:  # a near copy: a source line added
            body = body + "\n\n(via agency)"
        chosen.append(item(f"https://e.org/{rng.randrange(8)}", body))
    return chosen


def outcome_by_url(
    items: list[ArticleInput], results: list[SaveResult], ids: dict[int, str]
) -> list[tuple[str, str, int, str | None, int]]:
    return [
        (
            i.url,
            r.outcome,
            r.version,
            ids.get(r.duplicate_of) if r.duplicate_of else None,
            len(r.event_ids),
        )
        for i, r in zip(items, results, strict=True)
    ]


async def url_of_id(store: Store) -> dict[int, str]:
    async with store.transaction() as session:
        return {
            row.id: row.url for row in await session.execute(select(ArticleRow.id, ArticleRow.url))
        }


@pytest.mark.parametrize("seed", range(6))
async def test_batches_decide_exactly_as_one_at_a_time(
    store: Store, reference: Store, seed: int
) -> None:
    rng = random.Random(seed)
    items = random_writes(rng, 40)
    sid, ref_sid = await source(store), await source(reference)

    one_by_one = [
        (await reference.save_articles(writes(ref_sid, i), near_duplicates=True))[0] for i in items
    ]
    batched: list[SaveResult] = []
    start = 0
    while start < len(items):  # random batch sizes, cut where a URL would repeat
        size, urls, end = rng.randint(1, 12), set(), start
        while end < len(items) and end - start < size and items[end].url not in urls:
            urls.add(items[end].url)
            end += 1
        batched += await store.save_articles(writes(sid, *items[start:end]), near_duplicates=True)
        start = end

    expected = outcome_by_url(items, one_by_one, await url_of_id(reference))
    assert outcome_by_url(items, batched, await url_of_id(store)) == expected
    assert await count(store, EventRow) == await count(reference, EventRow)


# The group-commit writer ---------------------------------------------------------------


async def test_concurrent_saves_share_transactions(store: Store) -> None:
    sid = await source(store)
    writer = ArticleWriter(store, near_duplicates=True)
    stories = [item(f"https://e.org/{n}", story(n)) for n in range(60)]
    try:
        results = await asyncio.gather(*(writer.save(w) for w in writes(sid, *stories)))
    finally:
        await writer.aclose()
    assert [r.outcome for r in results] == ["new"] * 60
    assert len({r.article_id for r in results}) == 60
    assert writer.saved == 60
    assert writer.batches < 10  # grouped, not one per article
    assert await count(store, ArticleRow) == 60


async def test_two_saves_of_one_url_at_once_are_stored_in_turn(store: Store) -> None:
    sid = await source(store)
    writer = ArticleWriter(store, near_duplicates=True)
    try:
        first, second = await asyncio.gather(
            *(
                writer.save(w)
                for w in writes(sid, item("https://e.org/1", "v1"), item("https://e.org/1", "v2"))
            )
        )
    finally:
        await writer.aclose()
    assert (first.outcome, second.outcome, second.version) == ("new", "updated", 2)


async def test_one_bad_article_does_not_fail_the_rest_of_its_batch(store: Store) -> None:
    sid = await source(store)
    writer = ArticleWriter(store, near_duplicates=True)
    good = writes(sid, *(item(f"https://e.org/{n}", f"story {n}") for n in range(5)))
    orphan = ArticleWrite(sid + 999, "gone", item("https://e.org/orphan", "no source"), PLAN, route)
    try:
        outcomes = await asyncio.gather(
            *(writer.save(w) for w in [*good[:2], orphan, *good[2:]]), return_exceptions=True
        )
    finally:
        await writer.aclose()
    assert isinstance(outcomes[2], StorageError)  # the source row does not exist
    assert [o.outcome for o in outcomes if isinstance(o, SaveResult)] == ["new"] * 5
    assert await count(store, ArticleRow) == 5


async def test_closing_the_writer_stores_what_is_queued(store: Store) -> None:
    sid = await source(store)
    writer = ArticleWriter(store, near_duplicates=True, linger=0.5)
    saving = [
        asyncio.create_task(writer.save(w))
        for w in writes(sid, *(item(f"https://e.org/{n}", f"s{n}") for n in range(3)))
    ]
    await asyncio.sleep(0)  # let the saves queue up
    await writer.aclose()
    assert [t.result().outcome for t in saving] == ["new"] * 3
    with pytest.raises(RuntimeError):
        await writer.save(writes(sid, item("https://e.org/late", "late"))[0])
