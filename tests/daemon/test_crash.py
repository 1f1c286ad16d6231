"""At-least-once delivery across a crash: SIGKILL after articles are stored and before
their events are delivered; after a restart every event arrives and nothing is stored
twice."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.daemon.test_daemon import RunningDaemon, count_rows, wait_for
from tests.sites import FixtureSites
from tests.support.httpserver import FixtureRequestHandler, FixtureServer


def test_sigkill_before_delivery_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEA_TEST_WEBHOOK_SECRET", "secret")
    receiver_up = threading.Event()
    received: list[str] = []
    lock = threading.Lock()

    def receive(handler: FixtureRequestHandler) -> None:
        # Until the "outage" ends, hang like a stuck receiver: the daemon is mid-delivery.
        if not receiver_up.wait(timeout=30):
            handler.send_plain(503, b"down")
            return
        with lock:
            received.append(handler.headers["X-Nea-Event-Id"])
        handler.send_plain(200, b"ok")

    with FixtureServer() as server, FixtureServer() as hook:
        hook.route("/hook", receive)
        sites = FixtureSites(server).install()
        config, db = tmp_path / "sources.yaml", tmp_path / "nea.db"
        config.write_text(
            sites.sources_yaml(jsonl_path=str(tmp_path / "e.jsonl"), webhook_url=hook.url("/hook"))
        )
        daemon = RunningDaemon(config, db, tmp_path / "daemon.log")
        try:
            wait_for(lambda: len(hook.requests_for("/hook")) >= 1, "a delivery in flight")
            wait_for(lambda: count_rows(db, "select count(*) from articles") == 4, "all stored")
            assert count_rows(db, "select count(*) from deliveries where channel like "
                              "'webhook%' and status = 'delivered'") == 0  # fmt: skip
            daemon.process.kill()  # SIGKILL: no shutdown code runs
            daemon.process.wait(timeout=30)
        finally:
            daemon.stop(signal.SIGKILL)
        receiver_up.set()

        rerun = subprocess.run(
            [sys.executable, "-m", "scraper", "run", "--once", "--config", str(config),
             "--db", f"sqlite:///{db}"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert rerun.returncode == 0, rerun.stderr

    with sqlite3.connect(db) as connection:
        event_ids = {row[0] for row in connection.execute("select id from events")}
        urls = [row[0] for row in connection.execute("select url from articles")]
        undelivered = connection.execute(
            "select count(*) from deliveries where status != 'delivered'"
        ).fetchone()[0]
    assert len(event_ids) == 4
    assert set(received) == event_ids  # every event arrived (maybe twice: at least once)
    assert len(urls) == len(set(urls)) == 4  # nothing stored twice
    assert undelivered == 0
