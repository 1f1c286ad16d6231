"""Database URLs and engines. Users give plain ``sqlite:///…`` or ``postgresql://…`` URLs;
the async driver (aiosqlite, asyncpg) is chosen here."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO, Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from scraper.errors import AlreadyRunning, StorageError
from storage.article_writes import sqlite_hamming

DEFAULT_DATABASE_URL = "sqlite:///nea-monitor.db"
ENV_DATABASE_URL = "NEA_DATABASE_URL"

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def resolve_database_url(url: str | None = None) -> str:
    """``--db`` wins, then ``NEA_DATABASE_URL``, then a SQLite file in the working directory."""
    return url or os.environ.get(ENV_DATABASE_URL) or DEFAULT_DATABASE_URL


def async_url(url: str) -> URL:
    """Map a plain URL to its async driver; reject what we do not support, clearly."""
    try:
        parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    except ArgumentError as exc:
        raise StorageError(f"invalid database URL {url!r}: {exc}") from exc
    backend = parsed.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise StorageError(
            f"unsupported database {backend!r} in {redact(url)}: use sqlite:/// or postgresql://"
        )
    return parsed.set(drivername=_ASYNC_DRIVERS[backend])


def redact(url: str) -> str:
    """The URL with its password hidden, for logs and error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def is_sqlite(url: str | URL) -> bool:
    parsed = url if isinstance(url, URL) else async_url(url)
    return parsed.get_backend_name() == "sqlite"


def sqlite_path(url: str | URL) -> Path | None:
    """The database file of a SQLite URL, or None for an in-memory database."""
    parsed = url if isinstance(url, URL) else async_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def create_engine(url: str, *, pool_size: int = 5) -> AsyncEngine:
    """An async engine for ``url``. On SQLite every transaction starts with BEGIN IMMEDIATE:
    a deferred transaction that later writes can fail with SQLITE_BUSY at once, whatever
    the busy timeout, when another connection writes first."""
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        path = sqlite_path(target)
        if path is not None and path.parent != Path(""):
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(target, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        target,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (see the "begin" hook below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # Wait for other writers first: switching a new database to WAL needs its lock, and
        # several daemons (or a migration) may be starting on it at the same moment.
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the daemon
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # The near-duplicate lookup compares simhashes in SQL (PostgreSQL has bit ops).
        dbapi_connection.create_function("nea_hamming", 2, sqlite_hamming, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Reads (StoreBase.reading) begin deferred: WAL readers never wait for the lock.
        read_only = connection.get_execution_options().get("nea_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class DaemonLock:
    """One daemon per SQLite file: an exclusive ``flock`` on ``<db>.lock``, released by the
    kernel when the process dies, so a crash never leaves a stale lock behind."""

    def __init__(self, url: str) -> None:
        self._path = sqlite_path(url)
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        if self._path is None:
            return
        lock_path = self._path.with_name(self._path.name + ".lock")
        handle = lock_path.open("a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise AlreadyRunning(
                f"another nea-monitor daemon is running on {self._path} "
                f"(lock {lock_path} is held); SQLite supports one daemon — use PostgreSQL "
                "to run several"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
