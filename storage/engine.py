"""Database URLs and engines. Users give plain ``sqlite:///…`` or ``postgresql://…`` URLs;
the async driver (aiosqlite, asyncpg) is chosen here."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO, Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from scraper.errors import AlreadyRunning, DatabaseReplaced, StorageError
from storage.locations import DEFAULT_DATABASE_URL, ENV_DATABASE_URL, resolve_database_url

__all__ = [
    "DEFAULT_DATABASE_URL", "ENV_DATABASE_URL", "DaemonLock", "DatabaseFile", "async_url",
    "create_engine", "is_sqlite", "open_existing", "redact", "resolve_database_url",
    "sqlite_hamming", "sqlite_path", "verify_database_file",
]  # fmt: skip


_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def sqlite_hamming(a: int | None, b: int | None) -> int | None:
    """``nea_hamming(a, b)`` for SQLite (bits that differ between two simhashes), kept for
    SQL written against ``articles.simhash``; the store no longer uses it. Defined here,
    not beside the write path, so that opening a database imports no NumPy."""
    return None if a is None or b is None else ((a ^ b) & ((1 << 64) - 1)).bit_count()


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


def open_existing(url: str, *, read_only: bool = False, pool_size: int = 5) -> AsyncEngine:
    """An engine on a database that must exist already: for the commands that read or
    repair one, so a mistyped path is an error rather than a new, empty database (and no
    directory is created on the way). ``read_only``: see ``create_engine``."""
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise StorageError(
            f"no database at {path} ({what}; check --db or ${ENV_DATABASE_URL}, or start "
            "the daemon once to create it)"
        )
    return create_engine(url, create=False, read_only=read_only, pool_size=pool_size)


def create_engine(
    url: str, *, pool_size: int = 5, create: bool = True, read_only: bool = False
) -> AsyncEngine:
    """An async engine for ``url``; with ``create``, a SQLite file's directory is made if
    missing. On SQLite every transaction starts with BEGIN IMMEDIATE: a deferred
    transaction that later writes can fail with SQLITE_BUSY at once, whatever the busy
    timeout, when another connection writes first. With ``read_only`` the database itself
    refuses writes through this engine (SQLite ``query_only``, PostgreSQL
    ``default_transaction_read_only``): the read side cannot change what it shows."""
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        path = sqlite_path(target)
        if create and path is not None and path.parent != Path(""):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"cannot create the directory of the database {path}: {exc.strerror or exc}"
                ) from None
        engine = create_async_engine(target, connect_args={"timeout": 30})
        _configure_sqlite(
            engine, DatabaseFile(path) if path is not None else None, read_only=read_only
        )
        return engine
    settings = {"server_settings": {"default_transaction_read_only": "on"}} if read_only else {}
    return create_async_engine(
        target,
        connect_args=settings,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


class DatabaseFile:
    """Which file a SQLite engine writes: the device and inode behind its path when the
    engine first connected. A file deleted (or moved, or replaced by another) under a
    running daemon keeps taking writes through the connections already open, and all of
    them would be lost at exit: ``verify`` refuses to go on once the path no longer
    leads to that file. One ``stat``, cheap enough to run at every commit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._identity: tuple[int, int] | None = None

    def verify(self) -> None:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            stat = None
        identity = (stat.st_dev, stat.st_ino) if stat is not None else None
        if self._identity is None and identity is not None:
            self._identity = identity
            return
        if identity != self._identity:
            what = "deleted" if identity is None else "replaced by another file"
            raise DatabaseReplaced(
                f"the database file {self.path} was {what} while in use; nothing more is "
                "written to it (restart to use the file now at that path)"
            )


_FILES: WeakKeyDictionary[Engine, DatabaseFile] = WeakKeyDictionary()


def verify_database_file(engine: AsyncEngine) -> None:
    """Raise ``DatabaseReplaced`` if ``engine``'s SQLite file is no longer at its path;
    a no-op for PostgreSQL and in-memory databases."""
    database = _FILES.get(engine.sync_engine)
    if database is not None:
        database.verify()


def _configure_sqlite(
    engine: AsyncEngine, database: DatabaseFile | None, *, read_only: bool = False
) -> None:
    if database is not None:
        _FILES[engine.sync_engine] = database

        # Every commit first checks that the file is still the one we opened: once it is
        # not, nothing is committed (so nothing is announced) that would vanish at exit.
        @event.listens_for(engine.sync_engine, "commit")
        def _on_commit(_connection: Any) -> None:
            database.verify()

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (see the "begin" hook below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # Wait for other writers first: switching a new database to WAL needs its lock, and
        # several daemons (or a migration) may be starting on it at the same moment.
        cursor.execute("PRAGMA busy_timeout=30000")
        if not read_only:  # (switching an empty file to WAL would write its header)
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the daemon
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()
        # The near-duplicate lookup compares simhashes in SQL (PostgreSQL has bit ops).
        dbapi_connection.create_function("nea_hamming", 2, sqlite_hamming, deterministic=True)
        if database is not None:  # the first connection records the file; later ones check
            database.verify()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Reads (StoreBase.reading) begin deferred: WAL readers never wait for the lock.
        # A read-only engine never takes the write lock (query_only refuses it anyway).
        reading = read_only or connection.get_execution_options().get("nea_read_only", False)
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


class DaemonLock:
    """One daemon per SQLite file: an exclusive ``flock`` on ``<db>.lock``, released by the
    kernel when the process dies, so a crash never leaves a stale lock behind."""

    def __init__(self, url: str) -> None:
        path = sqlite_path(url)
        # Locked by its real path: the same file through a symlink (or ``..``) is the
        # same database and must meet the same lock.
        self._path = path.resolve() if path is not None else None
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        if self._path is None:
            return
        lock_path = self._path.with_name(self._path.name + ".lock")
        try:
            handle = lock_path.open("a+")
        except OSError as exc:
            raise StorageError(
                f"cannot open the lock file {lock_path}: {exc.strerror or exc}"
            ) from None
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
