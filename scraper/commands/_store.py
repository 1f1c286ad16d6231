"""The full store of an existing database, for the commands that change it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from scraper.commands._db import existing_database
from storage.migrate import upgrade
from storage.repository import Store


@asynccontextmanager
async def existing_store(db: str | None) -> AsyncIterator[Store]:
    """Migrated first: ``retry``, ``prune``, ``recheck`` and ``reset`` write, and must
    write the current schema."""
    async with existing_database(db) as engine:
        await upgrade(engine)
        yield Store(engine)
