"""The SQLite file deleted or replaced under a running daemon: readiness fails, nothing
more is committed (so nothing is announced that would vanish at exit), and the daemon
stops with one clear line. One daemon per file, whatever path leads to it."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scraper.config import parse_config
from scraper.errors import AlreadyRunning, DatabaseReplaced
from scraper.service import Service
from storage.engine import DaemonLock, create_engine
from storage.migrate import upgrade
from storage.repository import ArticleInput, CheckPlan, SourceSpec, Store
from tests.daemon.test_daemon import RunningDaemon, count_rows, wait_for
from tests.sites import FixtureSites
from tests.support.httpserver import FixtureServer


def article(url: str) -> ArticleInput:
    text = f"Delegates met in Pohang to discuss {url}.\n" * 3
    return ArticleInput(
        url=url, title="Title", text=text, content_hash=hashlib.sha256(text.encode()).hexdigest()
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    engine = create_engine(f"sqlite:///{tmp_path / 'nea.db'}")
    await upgrade(engine)
    store = Store(engine)
    yield store
    await store.aclose()


async def save(store: Store, url: str) -> None:
    ids = await store.sync_sources([SourceSpec(name="s", url="https://e.org/", kind="auto")])
    await store.save_article(
        source_id=ids["s"], source_name="s", item=article(url),
        plan=CheckPlan(next_check_at=datetime(2030, 1, 1, tzinfo=UTC)), router=lambda _: ("c",),
    )  # fmt: skip


async def test_nothing_is_committed_to_a_deleted_file(store: Store, tmp_path: Path) -> None:
    await save(store, "https://e.org/1")
    await store.ping()
    (tmp_path / "nea.db").unlink()
    with pytest.raises(DatabaseReplaced, match="was deleted"):
        await store.ping()
    with pytest.raises(DatabaseReplaced, match="was deleted"):
        await save(store, "https://e.org/2")
    with pytest.raises(DatabaseReplaced):  # nor is a delivery marked done
        await store.delivery_counts()


async def test_nothing_is_written_to_a_file_that_replaced_ours(
    store: Store, tmp_path: Path
) -> None:
    await save(store, "https://e.org/1")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    os.replace(other, tmp_path / "nea.db")
    with pytest.raises(DatabaseReplaced, match="replaced by another file"):
        await save(store, "https://e.org/2")
    # (What the new file shows depends on the old write-ahead log it met at the path, the
    # hazard of replacing a live SQLite file; the refused write is in neither.)
    assert "https://e.org/2" not in stored_urls(tmp_path / "nea.db")


def stored_urls(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        try:
            return [row[0] for row in connection.execute("select url from articles")]
        except sqlite3.OperationalError:
            return []


async def test_readiness_fails_once_the_file_is_gone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nea.db'}"
    service = await Service.open(parse_config("sources: []\n"), url, cpu_workers=0)
    try:
        assert await service.ready()
        (tmp_path / "nea.db").unlink()
        assert not await service.ready()
    finally:
        with contextlib.suppress(DatabaseReplaced):
            await service.aclose()


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_the_daemon_stops_with_one_line_when_its_file_goes(tmp_path: Path, how: str) -> None:
    with FixtureServer() as server:
        sites = FixtureSites(server).install()
        config, db = tmp_path / "sources.yaml", tmp_path / "nea.db"
        config.write_text(sites.sources_yaml(jsonl_path=str(tmp_path / "e.jsonl")))
        daemon = RunningDaemon(config, db, tmp_path / "daemon.log")
        try:
            wait_for(lambda: count_rows(db, "select count(*) from articles") == 4, "all stored")
            if how == "deleted":
                db.unlink()
            else:
                os.replace(db, tmp_path / "moved.db")
                db.write_bytes((tmp_path / "moved.db").read_bytes())
            code = daemon.process.wait(timeout=60)  # stops by itself
        finally:
            daemon.stop()
    log = daemon.log()
    assert code == 2, log
    assert "Traceback" not in log
    assert log.splitlines()[-1] == (
        f"error: the database file {db} was "
        f"{'deleted' if how == 'deleted' else 'replaced by another file'} while in use; "
        "nothing more is written to it (restart to use the file now at that path)"
    )


def test_a_second_daemon_through_a_symlink_is_refused(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    real = tmp_path / "data" / "nea.db"
    real.touch()
    (tmp_path / "link.db").symlink_to(real)
    first = DaemonLock(f"sqlite:///{real}")
    first.acquire()
    try:
        with pytest.raises(AlreadyRunning):
            DaemonLock(f"sqlite:///{tmp_path / 'link.db'}").acquire()
        with pytest.raises(AlreadyRunning):
            DaemonLock(f"sqlite:///{tmp_path / 'data' / '..' / 'data' / 'nea.db'}").acquire()
    finally:
        first.release()
