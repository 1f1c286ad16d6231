"""What every query module of the store shares: the engine, sessions, and the few places
where SQLite and PostgreSQL must be spoken to differently."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from scraper.errors import StorageError
from storage.engine import verify_database_file
from storage.operator_reads import OperatorReads
from storage.types import utcnow

Clock = Callable[[], datetime]
PING_SECONDS = 5.0
# The execution option that marks a connection as reading only (see ``reading``).
READ_ONLY = "nea_read_only"
AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])


class StoreBase:
    def __init__(self, engine: AsyncEngine, *, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.clock = clock
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        # SQLite has one write lock, and its busy handler serves waiters in no order: with
        # dozens of polls writing, a transaction could wait past the busy timeout while
        # others keep winning ("database is locked"). Writers of this process take turns
        # here instead, first come first served, with no timeout; the busy timeout is
        # left for writers of other processes (the CLI).
        self._write_turn = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        # Units of work wait here, first come first served and without a deadline, for
        # one of the pool's connections (two are left for the readiness probe and the
        # NOTIFY channel): under load, dozens of polls asking the pool directly waited past
        # its 30 s checkout timeout ("QueuePool limit … reached").
        pool = engine.sync_engine.pool
        size = pool.size() + int(getattr(pool, "_max_overflow", 0)) if hasattr(pool, "size") else 0
        self._connections = asyncio.Semaphore(max(1, size - 2)) if size > 0 else None

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work through the ORM: committed on success, rolled back on any
        error; database errors come out as ``StorageError`` naming what failed."""
        async with self._turn(), translated_errors(), self._sessions.begin() as session:
            yield session

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """The same for Core statements, where the ORM's bookkeeping would cost more
        than the work (the article write path)."""
        async with self._turn(), translated_errors(), self.engine.begin() as connection:
            yield connection

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        if self._write_turn is None:
            async with self._connection_slot():
                yield
            return
        async with self._write_turn, self._connection_slot():
            yield

    @asynccontextmanager
    async def _connection_slot(self) -> AsyncIterator[None]:
        if self._connections is None:
            yield
            return
        async with self._connections:
            yield

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A unit of work that only reads. On SQLite it begins deferred: a WAL reader,
        which neither waits for the writer nor holds up the writes of other polls (every
        other transaction begins IMMEDIATE and takes the one write lock)."""
        async with (
            self._connection_slot(),
            translated_errors(),
            self.engine.connect() as connection,
        ):
            await connection.execution_options(**{READ_ONLY: True})
            async with connection.begin():
                yield connection

    @asynccontextmanager
    async def operator_reads(self) -> AsyncIterator[OperatorReads]:
        """The statements of ``scraper status`` and ``scraper articles``
        (:mod:`storage.operator_reads`), sent through one of this store's connections: a
        reading one, which never waits for the write turn (the daemon's backlog metric)."""
        async with self.reading() as connection:

            async def fetch(sql: str, params: Sequence[Any]) -> list[Sequence[Any]]:
                result = await connection.exec_driver_sql(sql, tuple(params))
                return [tuple(row) for row in result.all()]

            yield OperatorReads(fetch, postgres=self.is_postgres)

    def for_update(self, query: AnySelect, *, skip_locked: bool = False) -> AnySelect:
        """Row locks where the database has them; SQLite's BEGIN IMMEDIATE already
        serializes writers, so there it is a no-op."""
        if not self.is_postgres:
            return query
        return query.with_for_update(skip_locked=skip_locked)

    async def ping(self) -> None:
        """Readiness: the database answers within ``PING_SECONDS`` and, on SQLite, is
        still the file the store opened. Raises ``StorageError`` (``DatabaseReplaced``
        for a file deleted or replaced under us) or ``TimeoutError``."""
        verify_database_file(self.engine)
        async with (
            translated_errors("database unreachable"),
            asyncio.timeout(PING_SECONDS),
            self.engine.connect() as connection,
        ):
            await connection.execute(text("SELECT 1"))

    def connections_in_use(self) -> int:
        """Connections checked out of the engine's pool now (0 for a pool without count)."""
        checkedout = getattr(self.engine.sync_engine.pool, "checkedout", None)
        return int(checkedout()) if checkedout is not None else 0

    async def aclose(self) -> None:
        await self.engine.dispose()


@asynccontextmanager
async def translated_errors(failure: str = "database error") -> AsyncIterator[None]:
    """Database errors as ``StorageError``: ``failure`` and the first line of what
    SQLAlchemy said, or "database unreachable" when the driver could not connect."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise StorageError(f"{failure}: {first_line(exc)}") from exc
    except Exception as exc:
        if not is_driver_error(exc):
            raise
        raise StorageError(f"database unreachable: {first_line(exc)}") from exc


def about_the_rows(exc: StorageError) -> bool:
    """Whether a write failed because of what it wrote (a lost race, a deadlock, one bad
    row) rather than because the database is out of reach (or was replaced)."""
    cause = exc.__cause__
    if cause is None or is_driver_error(cause):
        return False
    return not (isinstance(cause, DBAPIError) and cause.connection_invalidated)


def is_driver_error(exc: BaseException) -> bool:
    """What the driver raises past SQLAlchemy when it cannot (re)connect, e.g. while
    PostgreSQL restarts: a refused connection (an OSError), or asyncpg's own errors
    ("the database system is starting up", "connection was closed")."""
    return isinstance(exc, OSError) or type(exc).__module__.startswith("asyncpg")


def first_line(exc: BaseException) -> str:
    """The first line of a database error, without the SQL and parameters SQLAlchemy
    appends (they may hold article text; passwords never appear in either)."""
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
