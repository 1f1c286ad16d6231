"""Migration 0006 adds the publisher's day, time and offset beside ``published_at``, fills
the day of rows stored before it, and its downgrade drops the columns again."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Connection, inspect, select, text

from storage.engine import create_engine
from storage.migrate import current_revision, upgrade
from tests.storage.migration_rows import ARTICLES, downgrade_on, insert_article, insert_source

NEW_COLUMNS = {"published_date", "published_time", "published_utc_offset"}


def _article_columns(connection: Connection) -> set[str]:
    return {c["name"] for c in inspect(connection).get_columns("articles")}


async def test_upgrade_fills_the_day_and_downgrade_drops_the_columns(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0005")
        async with engine.begin() as connection:
            await insert_source(connection)
            await insert_article(connection, 1, text="dated", simhash=None)
            await insert_article(connection, 2, text="undated", simhash=None)
            await connection.execute(
                text("UPDATE articles SET published_at = :at WHERE id = 1"),
                {"at": datetime(2020, 2, 25, 2, 25, 54) if engine.dialect.name == "sqlite"
                 else datetime(2020, 2, 25, 2, 25, 54, tzinfo=UTC)},
            )  # fmt: skip

        await upgrade(engine, "0006")
        assert await current_revision(engine) == "0006"
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(ARTICLES.c.id, ARTICLES.c.published_at, ARTICLES.c.published_date,
                           ARTICLES.c.published_time, ARTICLES.c.published_utc_offset)
                    .order_by(ARTICLES.c.id)
                )
            ).all()  # fmt: skip
        assert [tuple(r) for r in rows] == [
            (1, datetime(2020, 2, 25, 2, 25, 54, tzinfo=UTC), date(2020, 2, 25), None, None),
            (2, None, None, None, None),
        ]

        async with engine.begin() as connection:
            await connection.run_sync(downgrade_on, "0005")
            columns = await connection.run_sync(_article_columns)
        assert await current_revision(engine) == "0005"
        assert not NEW_COLUMNS & columns
        assert "published_at" in columns
    finally:
        await engine.dispose()
