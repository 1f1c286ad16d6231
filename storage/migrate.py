"""Schema migrations. The daemon, ``scraper db upgrade`` and ``alembic upgrade head`` all run
the same Alembic scripts. Several processes starting at once on an empty database migrate
it exactly once: on PostgreSQL the upgrade holds a transaction-scoped advisory lock; on
SQLite an exclusive ``flock`` on ``<db>.migrate-lock``, taken before the first connection
(switching a new file to WAL, which every connection does, cannot wait for a migration in
progress on another connection)."""

from __future__ import annotations

import asyncio
import fcntl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from alembic import command
from scraper.errors import StorageError
from storage.base import translated_errors
from storage.engine import sqlite_path
from storage.revisions import find_alembic_dir

# Any constant works; this one spells "nea-migr" in ASCII.
MIGRATION_LOCK_ID = 0x6E65612D6D696772 & 0x7FFFFFFFFFFFFFFF


ALEMBIC_DIR = find_alembic_dir()


def alembic_config() -> AlembicConfig:
    if not (ALEMBIC_DIR / "env.py").exists():
        raise StorageError(f"Alembic scripts not found at {ALEMBIC_DIR}")
    config = AlembicConfig()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database to ``revision``; a no-op when it is there already."""
    async with (
        translated_errors("database migration failed"),
        _one_process_at_a_time(engine),
        engine.begin() as connection,
    ):
        if connection.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_ID}
            )
        await connection.run_sync(_upgrade_on, revision)


@asynccontextmanager
async def _one_process_at_a_time(engine: AsyncEngine) -> AsyncIterator[None]:
    path = sqlite_path(engine.url)
    if path is None:  # PostgreSQL (advisory lock above), or SQLite in memory
        yield
        return
    path = path.resolve()  # the same file through a symlink meets the same lock
    with path.with_name(path.name + ".migrate-lock").open("a") as handle:
        # Blocking: another process may be migrating right now. Off the event loop.
        await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _upgrade_on(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    def _read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(_read)


async def schema_behind(engine: AsyncEngine) -> tuple[str | None, str] | None:
    """(the database's revision, the latest) when the database is not at the latest
    schema, else None. For an error message: it loads Alembic's scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    async with translated_errors():
        current = await current_revision(engine)
    if head is None or current == head:
        return None
    return current, head
