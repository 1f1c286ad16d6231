"""Migration 0012 indexes the near-duplicate keys by value (then article id, with the
band), on SQLite and PostgreSQL; the stored keys stay as they are, and the downgrade
brings back the (band, value) index."""

from __future__ import annotations

from sqlalchemy import Connection, inspect

from storage.engine import create_engine
from storage.migrate import current_revision, upgrade
from tests.storage.migration_rows import downgrade_on, insert_article, insert_source, stored_keys


def _indexes(connection: Connection) -> dict[str, list[str | None]]:
    found = inspect(connection).get_indexes("simhash_bands")
    return {index["name"]: list(index["column_names"]) for index in found if index["name"]}


async def test_upgrade_indexes_keys_by_value_and_downgrade_restores(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0011")
        async with engine.begin() as connection:
            await insert_source(connection)
            await insert_article(connection, 1, text="a", simhash=1, bands=[7, -8, 9])
        before = await stored_keys(engine)
        await upgrade(engine, "0012")
        assert await current_revision(engine) == "0012"
        async with engine.connect() as connection:
            indexes = await connection.run_sync(_indexes)
        assert indexes == {"ix_simhash_bands_value": ["value", "article_id", "band"]}
        assert await stored_keys(engine) == before

        async with engine.begin() as connection:
            await connection.run_sync(downgrade_on, "0011")
        assert await current_revision(engine) == "0011"
        async with engine.connect() as connection:
            indexes = await connection.run_sync(_indexes)
        assert indexes == {"ix_simhash_bands_band_value": ["band", "value"]}
        assert await stored_keys(engine) == before
    finally:
        await engine.dispose()
