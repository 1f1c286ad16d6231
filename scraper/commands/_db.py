"""The database of a one-shot command: opened, never created. Light to import: the
engine and Alembic are loaded only by the commands (and the error paths) that use them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Protocol

from scraper.errors import DatabaseReplaced, StorageError, UsageError
from storage.locations import resolve_database_url
from storage.operator_reads import OperatorReads, open_operator_reads

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


@asynccontextmanager
async def operator_reads(db: str | None) -> AsyncIterator[OperatorReads]:
    """What ``status`` and ``articles`` read, on the database ``--db`` (or the
    environment) names: through its driver alone, no SQLAlchemy. The database must exist
    and be at this version's schema."""
    async with open_operator_reads(resolve_database_url(db)) as reads:
        yield reads


@asynccontextmanager
async def existing_database(db: str | None) -> AsyncIterator[AsyncEngine]:
    """An engine on the database ``--db`` (or the environment) names, which must exist:
    a mistyped path is an error, not a new empty database."""
    from storage.engine import open_existing

    engine = open_existing(resolve_database_url(db))
    try:
        yield engine
    except StorageError as exc:
        if isinstance(exc, DatabaseReplaced):
            raise
        raise StorageError(f"{exc}{await _upgrade_hint(engine)}") from exc
    finally:
        await engine.dispose()


async def _upgrade_hint(engine: AsyncEngine) -> str:
    """Why a query may have failed: a database older than this version's schema (these
    commands read it as it is; only ``run`` and ``db upgrade`` migrate)."""
    from storage.migrate import schema_behind

    try:
        behind = await schema_behind(engine)
    except StorageError:
        return ""
    if behind is None:
        return ""
    current, head = behind
    return (
        f" (the database schema is at revision {current or 'none'}, this version needs "
        f"{head}: run `scraper db upgrade`)"
    )


class _KnowsSources(Protocol):
    async def source_names(self) -> list[str]: ...


async def known_source(store: _KnowsSources, name: str) -> None:
    """Raise ``UsageError`` unless the database knows a source called ``name``."""
    names = await store.source_names()
    if name not in names:
        known = ", ".join(names) or "none"
        raise UsageError(f"no source named {name!r} in the database (sources: {known})")
