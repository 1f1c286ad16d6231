"""What ``scraper status`` and ``scraper articles`` read, as plain SQL run through the
database driver itself.

These commands must answer in well under a second, and importing SQLAlchemy (its Core,
the ORM models and the asyncio extension) took most of that. So the statements are
written once here, in the SQL both databases speak, with ``?`` placeholders, and run
either by :func:`open_operator_reads` on a connection of the driver alone (``sqlite3``,
``asyncpg``), or by the store through SQLAlchemy's connection (``storage.reads``,
``storage.sources_repo``): one statement, two ways to send it.

Values come back as the driver gives them: SQLite keeps UTC datetimes as naive text and
booleans as integers, PostgreSQL hands out aware datetimes; ``_when``, ``_day`` and
``bool`` make them the same."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from scraper.errors import StorageError
from storage.locations import ENV_DATABASE_URL
from storage.records import ArticleListing, Backlog, DeadDelivery, SourceHealth
from storage.revisions import head_revision

Row = Sequence[Any]
# Runs one statement (``?`` placeholders) with its parameters; returns every row.
Fetch = Callable[[str, Sequence[Any]], Awaitable[list[Row]]]

_PLACEHOLDER = re.compile(r"\?")


class OperatorReads:
    def __init__(self, fetch: Fetch, *, postgres: bool) -> None:
        self._fetch = fetch
        self._postgres = postgres

    async def _rows(self, sql: str, *params: Any) -> list[Row]:
        if self._postgres:
            numbers = iter(range(1, len(params) + 1))
            sql = _PLACEHOLDER.sub(lambda _match: f"${next(numbers)}", sql)
        return await self._fetch(sql, [self._bind(p) for p in params])

    def _bind(self, value: Any) -> Any:
        """A datetime as the column keeps it: aware on PostgreSQL, naive UTC text in
        SQLite (the format SQLAlchemy writes, so that text comparison orders them)."""
        if not isinstance(value, datetime) or self._postgres:
            return value
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    async def source_names(self) -> list[str]:
        """Every source the database knows, sorted (a removed source keeps its row)."""
        return [row[0] for row in await self._rows("SELECT name FROM sources ORDER BY name")]

    async def list_articles(
        self, *, source: str | None = None, since: datetime | None = None, limit: int = 100
    ) -> list[ArticleListing]:
        """The newest articles first (by first sight), of ``source`` and updated since
        ``since`` when given."""
        where: list[str] = []
        params: list[Any] = []
        if source is not None:
            where.append("s.name = ?")
            params.append(source)
        if since is not None:
            where.append("a.updated_at >= ?")
            params.append(since)
        rows = await self._rows(
            "SELECT a.id, s.name, a.url, a.title, a.published_at, a.published_date,"
            " a.language, a.version, a.duplicate_of, a.first_seen_at, a.updated_at,"
            " a.content_hash, a.text"
            " FROM articles a JOIN sources s ON s.id = a.source_id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY a.first_seen_at DESC, a.id DESC LIMIT ?",
            *params,
            limit,
        )
        return [
            ArticleListing(
                id=r[0],
                source=r[1],
                url=r[2],
                title=r[3],
                published_at=_when(r[4]),
                published_date=_day(r[5]),
                language=r[6],
                version=r[7],
                duplicate_of=r[8],
                first_seen_at=_always(r[9]),
                updated_at=_always(r[10]),
                content_hash=r[11],
                text=r[12],
            )
            for r in rows
        ]

    async def source_health(self) -> list[SourceHealth]:
        rows = await self._rows(
            "SELECT s.name, s.url, s.kind, s.enabled, s.last_run_at, s.last_status,"
            " s.last_error, s.consecutive_failures, s.failing, s.next_run_at,"
            " s.last_success_at, COALESCE(c.n, 0)"
            " FROM sources s LEFT JOIN"
            " (SELECT source_id, COUNT(*) AS n FROM articles GROUP BY source_id) c"
            " ON c.source_id = s.id ORDER BY s.name"
        )
        return [
            SourceHealth(
                name=r[0],
                url=r[1],
                kind=r[2],
                enabled=bool(r[3]),
                last_run_at=_when(r[4]),
                last_status=r[5],
                last_error=r[6],
                consecutive_failures=r[7],
                failing=bool(r[8]),
                next_run_at=_when(r[9]),
                last_success_at=_when(r[10]),
                articles=int(r[11]),
            )
            for r in rows
        ]

    async def delivery_counts(self) -> dict[tuple[str, str], int]:
        """(channel, status) → number of deliveries."""
        rows = await self._rows(
            "SELECT channel, status, COUNT(*) FROM deliveries GROUP BY channel, status"
        )
        return {(r[0], r[1]): int(r[2]) for r in rows}

    async def dead_deliveries(self, limit: int = 50) -> list[DeadDelivery]:
        rows = await self._rows(
            "SELECT id, event_id, channel, attempts, last_error FROM deliveries"
            " WHERE status = 'dead' ORDER BY id DESC LIMIT ?",
            limit,
        )
        return [DeadDelivery(r[0], str(r[1]), r[2], r[3], r[4]) for r in rows]

    async def backlog(self, now: datetime) -> Backlog:
        """Sources due and not being polled, the oldest slot among them, and how many
        sources each worker is polling now (leases held)."""
        due_now = (
            " FROM sources WHERE enabled = ? AND next_run_at <= ?"
            " AND (lease_expires_at IS NULL OR lease_expires_at < ?)"
        )
        ((count, oldest_at),) = await self._rows(
            "SELECT COUNT(*), MIN(next_run_at)" + due_now, True, now, now
        )
        oldest = await self._rows(
            "SELECT name" + due_now + " ORDER BY next_run_at LIMIT 1", True, now, now
        )
        leased = await self._rows(
            "SELECT lease_owner, COUNT(*) FROM sources"
            " WHERE lease_expires_at >= ? AND lease_owner IS NOT NULL GROUP BY lease_owner",
            now,
        )
        return Backlog(
            due=int(count),
            oldest_due_at=_when(oldest_at),
            oldest_due=oldest[0][0] if oldest else None,
            polling={str(owner): int(n) for owner, n in leased},
        )

    async def revision(self) -> str | None:
        """The schema revision Alembic recorded, None for a database never migrated."""
        try:
            rows = await self._rows("SELECT version_num FROM alembic_version")
        except StorageError as exc:
            if "alembic_version" not in str(exc):  # not "no such table"
                raise
            return None
        return str(rows[0][0]) if rows else None


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _always(value: Any) -> datetime:
    moment = _when(value)
    assert moment is not None  # a NOT NULL column
    return moment


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


# The driver's own connection ------------------------------------------------------------


@asynccontextmanager
async def open_operator_reads(url: str) -> AsyncIterator[OperatorReads]:
    """The reads on a connection of the database driver alone, for a one-shot command.
    The database must exist (nothing is created) and be at this version's schema;
    otherwise ``StorageError``, naming the fix. Every failure is a ``StorageError``."""
    backend, target = _parse(url)
    connect = _sqlite(Path(target)) if backend == "sqlite" else _postgres(target)
    async with connect as reads:
        await _check_schema(reads)
        yield reads


def _parse(url: str) -> tuple[str, str]:
    """(backend, what its driver connects to): a SQLite file's path, a PostgreSQL DSN."""
    scheme, sep, rest = url.partition("://")
    backend = scheme.split("+", 1)[0].lower()
    if not sep:
        raise StorageError(f"invalid database URL {url!r}: expected sqlite:/// or postgresql://")
    if backend == "sqlite":
        path = rest[1:].split("?", 1)[0] if rest.startswith("/") else ""
        if not path or path == ":memory:":
            raise StorageError(f"no database at {url} (an in-memory database is always empty)")
        return "sqlite", path
    if backend in ("postgresql", "postgres"):
        return "postgresql", "postgresql://" + rest
    raise StorageError(
        f"unsupported database {backend!r} in {_redact(url)}: use sqlite:/// or postgresql://"
    )


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


@asynccontextmanager
async def _sqlite(path: Path) -> AsyncIterator[OperatorReads]:
    connection = await asyncio.to_thread(_connect_existing, path)

    def run(sql: str, params: Sequence[Any]) -> list[Row]:
        return connection.execute(sql, tuple(params)).fetchall()

    async def fetch(sql: str, params: Sequence[Any]) -> list[Row]:
        try:
            return await asyncio.to_thread(run, sql, params)
        except sqlite3.Error as exc:
            raise StorageError(f"database error: {_first_line(exc)}") from exc

    try:
        await fetch("PRAGMA query_only = ON", ())
        yield OperatorReads(fetch, postgres=False)
    finally:
        await asyncio.to_thread(connection.close)


@asynccontextmanager
async def _postgres(dsn: str) -> AsyncIterator[OperatorReads]:
    import asyncpg  # type: ignore[import-untyped]  # only for PostgreSQL

    try:
        connection = await asyncpg.connect(dsn, timeout=10)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        raise StorageError(f"database unreachable: {_first_line(exc)}") from exc

    async def fetch(sql: str, params: Sequence[Any]) -> list[Row]:
        try:
            return [tuple(r) for r in await connection.fetch(sql, *params)]
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StorageError(f"database error: {_first_line(exc)}") from exc

    try:
        yield OperatorReads(fetch, postgres=True)
    finally:
        await connection.close()


def _connect_existing(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise StorageError(
            f"no database at {path} ({what}; check --db or ${ENV_DATABASE_URL}, or start "
            "the daemon once to create it)"
        )
    # mode=rw opens an existing file only, never creates one (and query_only, set next,
    # keeps this connection from writing even by mistake).
    uri = f"file:{quote(path.resolve().as_posix())}?mode=rw"
    try:
        return sqlite3.connect(
            uri, uri=True, timeout=30.0, check_same_thread=False, isolation_level=None
        )
    except sqlite3.Error as exc:
        raise StorageError(f"database error: {_first_line(exc)}") from exc


async def _check_schema(reads: OperatorReads) -> None:
    head = head_revision()
    if head is None:  # the scripts could not be read here: the queries will tell
        return
    current = await reads.revision()
    if current != head:
        raise StorageError(
            f"the database schema is at revision {current or 'none'}, this version needs "
            f"{head}: run `scraper db upgrade`"
        )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
