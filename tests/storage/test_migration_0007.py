"""Migration 0007 adds ``sources.host``, which the claim uses to leave busy hosts out;
the daemon's sync fills it in. Down and up again on both databases."""

from __future__ import annotations

from sqlalchemy import inspect

from storage.engine import create_engine
from storage.migrate import current_revision, upgrade
from tests.storage.migration_rows import downgrade_on as _downgrade_on


async def _columns(engine: object) -> set[str]:
    async with engine.connect() as connection:  # type: ignore[attr-defined]
        return set(
            await connection.run_sync(
                lambda sync: {c["name"] for c in inspect(sync).get_columns("sources")}
            )
        )


async def test_0007_adds_the_host_of_sources_and_downgrades(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0007")
        assert await current_revision(engine) == "0007"
        assert "host" in await _columns(engine)
        async with engine.begin() as connection:
            await connection.run_sync(_downgrade_on, "0005")
        assert "host" not in await _columns(engine)
        await upgrade(engine, "0007")
        assert "host" in await _columns(engine)
    finally:
        await engine.dispose()
