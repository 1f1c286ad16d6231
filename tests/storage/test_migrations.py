"""The migrated schema is exactly the declared models, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect

from storage.engine import create_engine
from storage.migrate import current_revision, upgrade
from storage.models import Base
from storage.search_repo import SEARCH_TABLE

CONTRACT_COLUMNS = {
    "sources": {"id", "name", "url", "kind", "enabled", "last_run_at", "last_status",
                "last_error", "consecutive_failures"},
    "articles": {"id", "source_id", "url", "canonical_url", "title", "author", "published_at",
                 "language", "text", "content_hash", "simhash", "duplicate_of", "version",
                 "first_seen_at", "updated_at"},
    "article_versions": {"id", "article_id", "version", "title", "text", "content_hash",
                         "fetched_at"},
    "events": {"id", "type", "article_id", "source_id", "payload", "created_at"},
    "deliveries": {"id", "event_id", "channel", "status", "attempts", "next_attempt_at",
                   "delivered_at", "last_error"},
}  # fmt: skip


def _diff(connection: Connection) -> list[object]:
    opts = {"compare_type": True, "include_name": include_name}
    context = MigrationContext.configure(connection, opts=opts)
    return list(compare_metadata(context, Base.metadata))


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    """The search index is the migrations' own (alembic/env.py), not the models'."""
    return not (type_ == "table" and (name or "").startswith(SEARCH_TABLE))


def _columns(connection: Connection) -> dict[str, set[str]]:
    inspector = inspect(connection)
    return {t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()}


async def test_migrated_schema_matches_models(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(_diff) == []
            columns = await connection.run_sync(_columns)
        for table, required in CONTRACT_COLUMNS.items():
            assert required <= columns[table], f"{table} lacks {required - columns[table]}"
        assert await current_revision(engine) is not None
    finally:
        await engine.dispose()


async def test_upgrade_is_idempotent_and_concurrent_starts_are_safe(db_url: str) -> None:
    engines = [create_engine(db_url) for _ in range(3)]
    try:
        # Several daemons starting at once on an empty database migrate it exactly once.
        await asyncio.gather(*(upgrade(engine) for engine in engines))
        await upgrade(engines[0])
        assert await current_revision(engines[0]) == await current_revision(engines[1])
    finally:
        for engine in engines:
            await engine.dispose()
