"""Rows written straight into an older schema, for the tests of data migrations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from alembic import command
from storage.migrate import alembic_config
from storage.models import ArticleRow, SimhashBandRow, SourceRow

ARTICLES: Table = ArticleRow.__table__  # type: ignore[assignment]
BANDS: Table = SimhashBandRow.__table__  # type: ignore[assignment]
SOURCES: Table = SourceRow.__table__  # type: ignore[assignment]
NOW = datetime(2026, 11, 22, tzinfo=UTC)


def downgrade_on(connection: Connection, revision: str) -> None:
    """Migrate down to ``revision`` (``run_sync`` it on an ``engine.begin()``)."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def insert_source(connection: AsyncConnection) -> None:
    """The source (id 1) that ``insert_article`` rows belong to."""
    await connection.execute(
        insert(SOURCES).values(
            id=1, name="s", url="https://e.org/", kind="html", enabled=True, tags=[],
            consecutive_failures=0, failing=False, created_at=NOW,
        )
    )  # fmt: skip


async def insert_article(
    connection: AsyncConnection,
    id_: int,
    *,
    text: str,
    simhash: int | None,
    bands: Iterable[int] = (),
) -> None:
    """An article of source 1 with ``simhash`` stored as is and one ``simhash_bands`` row
    per value of ``bands`` (the band index is its position)."""
    await connection.execute(
        insert(ARTICLES).values(
            id=id_, source_id=1, url=f"https://e.org/{id_}", title="t", text=text,
            content_hash="0" * 64, simhash=simhash, version=1, first_seen_at=NOW,
            updated_at=NOW, check_count=0,
        )
    )  # fmt: skip
    rows = [{"article_id": id_, "band": b, "value": v} for b, v in enumerate(bands)]
    if rows:
        await connection.execute(insert(BANDS), rows)


async def stored_keys(engine: AsyncEngine) -> tuple[dict[int, int | None], dict[int, list[int]]]:
    """Each article's simhash, and its index key values in band order (bands 0, 1, … checked)."""
    async with engine.connect() as connection:
        simhashes = dict(
            (await connection.execute(select(ARTICLES.c.id, ARTICLES.c.simhash))).all()
        )
        rows = (
            await connection.execute(select(BANDS).order_by(BANDS.c.article_id, BANDS.c.band))
        ).all()
    keys: dict[int, list[int]] = {}
    for row in rows:
        keys.setdefault(row.article_id, []).append(row.value)
        assert row.band == len(keys[row.article_id]) - 1
    return simhashes, keys
