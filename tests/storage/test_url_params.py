"""What the poller learns about a source's addresses (``storage.url_params_repo``) and
migration 0010, on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from sqlalchemy import inspect

from storage.engine import create_engine
from storage.migrate import current_revision, upgrade
from storage.repository import Store
from tests.storage.migration_rows import downgrade_on as _downgrade_on
from tests.storage.test_store import _save, _source, item

BOARD = "http://near.example/en/page.jsp"


async def test_a_parameter_counts_as_context_after_two_different_contents_agree(
    store: Store,
) -> None:
    sid = await _source(store)
    other = await _source(store, "other")
    assert await store.context_params(sid) == frozenset()

    await store.record_context(sid, {"pageNo"}, content_hash="a", example_url=BOARD, via="content")
    # The same content again is no new evidence (two copies of one stub are not two
    # observations of the site).
    await store.record_context(sid, {"pageno"}, content_hash="a", example_url=BOARD, via="content")
    assert await store.context_params(sid) == frozenset()

    await store.record_context(sid, {"pageNo"}, content_hash="b", example_url=BOARD, via="content")
    assert await store.context_params(sid) == {"pageno"}
    assert await store.context_params(other) == frozenset()  # per source


async def test_the_canonical_url_is_conclusive_at_once(store: Store) -> None:
    sid = await _source(store)
    await store.record_context(
        sid, {"srchBgUid", "srchEnable"}, content_hash="a", example_url=BOARD, via="canonical"
    )
    assert await store.context_params(sid) == {"srchbguid", "srchenable"}
    await store.record_context(sid, set(), content_hash="c", example_url=BOARD, via="content")


async def test_same_content_and_rename(store: Store) -> None:
    sid = await _source(store)
    first = f"{BOARD}?bod_uid=1&pageNo=1"
    result = await _save(store, sid, "near-news", item(first, "The assembly opened in Pohang."))
    await _save(store, sid, "near-news", item(f"{BOARD}?bod_uid=2", "Another story altogether."))
    content_hash = item(first, "The assembly opened in Pohang.").content_hash

    found = await store.same_content(sid, content_hash)
    assert [(a.id, a.url) for a in found] == [(result.article_id, first)]
    assert await store.same_content(sid, "0" * 64) == []

    assert await store.rename_article(result.article_id, f"{BOARD}?bod_uid=1")
    assert [a.url for a in await store.same_content(sid, content_hash)] == [f"{BOARD}?bod_uid=1"]
    # An address another article has is never taken.
    assert not await store.rename_article(result.article_id, f"{BOARD}?bod_uid=2")


async def test_migration_0010_creates_and_drops_the_table(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0010")
        assert await current_revision(engine) == "0010"
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        assert "source_url_params" in tables
        async with engine.begin() as connection:
            await connection.run_sync(_downgrade_on, "0005")
        assert await current_revision(engine) == "0005"
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        assert "source_url_params" not in tables
    finally:
        await engine.dispose()
