"""Migration 0013 adds the (source_id, first_seen_at, id) index of articles on SQLite and
PostgreSQL, which one source's newest-first listing reads as one range; stored articles
stay as they are, and the downgrade removes only that index."""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

from storage.engine import create_engine
from storage.migrate import current_revision, upgrade
from tests.storage.migration_rows import downgrade_on, insert_article, insert_source

NAME = "ix_articles_source_first_seen"


def _indexes(connection: Connection) -> dict[str, list[str | None]]:
    found = inspect(connection).get_indexes("articles")
    return {index["name"]: list(index["column_names"]) for index in found if index["name"]}


async def test_upgrade_adds_the_source_index_and_downgrade_removes_it(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0012")
        async with engine.begin() as connection:
            await insert_source(connection)
            await insert_article(connection, 1, text="a", simhash=None)
            await insert_article(connection, 2, text="b", simhash=None)
        async with engine.connect() as connection:
            before = await connection.run_sync(_indexes)
            rows = (await connection.execute(text("SELECT id, text FROM articles"))).all()
        assert NAME not in before

        await upgrade(engine, "0013")
        assert await current_revision(engine) == "0013"
        async with engine.connect() as connection:
            indexes = await connection.run_sync(_indexes)
            assert (await connection.execute(text("SELECT id, text FROM articles"))).all() == rows
        assert indexes == {**before, NAME: ["source_id", "first_seen_at", "id"]}

        async with engine.begin() as connection:
            await connection.run_sync(downgrade_on, "0012")
        assert await current_revision(engine) == "0012"
        async with engine.connect() as connection:
            assert await connection.run_sync(_indexes) == before
    finally:
        await engine.dispose()
