"""The database of a one-shot command: opened, never created."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from scraper.errors import UsageError
from storage.engine import open_existing, resolve_database_url
from storage.reads import ReadQueries


@asynccontextmanager
async def existing_database(db: str | None) -> AsyncIterator[AsyncEngine]:
    """An engine on the database ``--db`` (or the environment) names, which must exist:
    a mistyped path is an error, not a new empty database."""
    engine = open_existing(resolve_database_url(db))
    try:
        yield engine
    finally:
        await engine.dispose()


async def known_source(store: ReadQueries, name: str) -> None:
    """Raise ``UsageError`` unless the database knows a source called ``name``."""
    names = await store.source_names()
    if name not in names:
        known = ", ".join(names) or "none"
        raise UsageError(f"no source named {name!r} in the database (sources: {known})")
