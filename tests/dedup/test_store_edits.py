"""An edited article's duplicate status is checked again in the same transaction, and a
change of status is announced (real SQLite file and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage.models import ArticleRow, EventRow
from storage.repository import ArticleWrite, CheckPlan, SourceSpec, Store
from tests.support.texts import article, story

PLAN = CheckPlan(next_check_at=datetime(2030, 1, 1, tzinfo=UTC))


def route(_event_type: str) -> tuple[str, ...]:
    return ("log",)


async def save(store: Store, sid: int, url: str, text: str) -> tuple[str, int | None]:
    write = ArticleWrite(sid, "wire", article(url, text), PLAN, route)
    (result,) = await store.save_articles([write], near_duplicates=True)
    return result.outcome, result.duplicate_of


async def events(store: Store) -> list[tuple[str, int | None, object]]:
    async with store.transaction() as session:
        rows = await session.execute(select(EventRow.type, EventRow.article_id, EventRow.payload))
        return [(t, a, p.get("duplicate_of") or p.get("changes", {}).get("previously_duplicate_of"))
                for t, a, p in rows]  # fmt: skip


async def test_a_copy_edited_into_its_own_story_is_announced(store: Store) -> None:
    sid = (await store.sync_sources([SourceSpec(name="wire", url="https://e.org/", kind="auto")]))[
        "wire"
    ]
    assert await save(store, sid, "https://e.org/1", story(1)) == ("new", None)
    assert await save(store, sid, "https://e.org/2", story(1) + "\n\nvia agency") == (
        "duplicate",
        1,
    )
    # The copy is rewritten into another story: an original now, announced as updated.
    assert await save(store, sid, "https://e.org/2", story(2)) == ("updated", None)
    assert (await events(store))[-1] == ("article.updated", 2, 1)


async def test_an_original_edited_into_a_copy_is_announced_as_a_duplicate(store: Store) -> None:
    sid = (await store.sync_sources([SourceSpec(name="wire", url="https://e.org/", kind="auto")]))[
        "wire"
    ]
    await save(store, sid, "https://e.org/1", story(1))
    assert await save(store, sid, "https://e.org/2", story(2)) == ("new", None)
    # Article 2 is replaced by a repost of article 1: checked again, linked, announced.
    assert await save(store, sid, "https://e.org/2", "Source: wire\n\n" + story(1)) == (
        "duplicate",
        1,
    )
    assert (await events(store))[-1] == ("article.duplicate", 2, 1)
    async with store.transaction() as session:
        stored = await session.scalar(select(ArticleRow.duplicate_of).where(ArticleRow.id == 2))
    assert stored == 1
    # An original is never made a copy of a later article.
    assert await save(store, sid, "https://e.org/1", story(1) + " One more line.") == (
        "updated",
        None,
    )
