"""Migration 0005 re-keys ``simhash_bands`` from the stored simhashes (pairs of 8-bit
blocks), on SQLite and PostgreSQL; its downgrade restores the seven bands."""

from __future__ import annotations

import importlib.util

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from scraper.dedup import from_signed64, to_signed64
from scraper.dedup import simhash_pair_keys as simhash_bands
from storage.engine import create_engine
from storage.migrate import ALEMBIC_DIR, current_revision, upgrade
from tests.storage.migration_rows import BANDS, downgrade_on, insert_article, insert_source

_SPEC = importlib.util.spec_from_file_location(
    "migration_0005", ALEMBIC_DIR / "versions" / "0005_simhash_pair_keys.py"
)
assert _SPEC is not None
assert _SPEC.loader is not None
_MIGRATION = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_MIGRATION)
SEVEN_BANDS = _MIGRATION._seven_bands
# Ids across two batches of 2,000 with a gap; negative and positive stored simhashes.
SIMHASHES = {1: to_signed64(0xFEDC_BA98_7654_3210), 2: 0x0123_4567_89AB_CDEF, 2500: -1}


async def _bands(engine: AsyncEngine) -> dict[int, list[tuple[int, int]]]:
    async with engine.connect() as connection:
        rows = (
            await connection.execute(select(BANDS).order_by(BANDS.c.article_id, BANDS.c.band))
        ).all()
    found: dict[int, list[tuple[int, int]]] = {}
    for row in rows:
        found.setdefault(row.article_id, []).append((row.band, row.value))
    return found


async def test_upgrade_rekeys_the_bands_and_downgrade_restores_them(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0004")
        async with engine.begin() as connection:
            await insert_source(connection)
            for id_, simhash in SIMHASHES.items():
                await insert_article(
                    connection, id_, text="x", simhash=simhash, bands=SEVEN_BANDS(simhash)
                )
            await insert_article(connection, 3, text="x", simhash=None)

        await upgrade(engine, "0005")
        assert await current_revision(engine) == "0005"
        assert await _bands(engine) == {
            id_: list(enumerate(simhash_bands(from_signed64(h)))) for id_, h in SIMHASHES.items()
        }

        async with engine.begin() as connection:
            await connection.run_sync(downgrade_on, "0004")
        assert await current_revision(engine) == "0004"
        assert await _bands(engine) == {
            id_: list(enumerate(SEVEN_BANDS(h))) for id_, h in SIMHASHES.items()
        }
    finally:
        await engine.dispose()
