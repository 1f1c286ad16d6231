"""The daemon as an operator runs it: a subprocess, its config edited under it, signals."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.sites import FixtureSites, english_article, listing
from tests.support.httpserver import FixtureServer, Response

DEADLINE = 60.0


def wait_for(condition: Callable[[], bool], what: str, timeout: float = DEADLINE) -> None:
    """Poll ``condition`` until it holds; fail with ``what`` at the deadline."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def count_rows(db: Path, query: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as connection:
            return int(connection.execute(query).fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not migrated yet


class RunningDaemon:
    def __init__(self, config: Path, db: Path, log: Path) -> None:
        self.log_path = log
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scraper", "run", "--config", str(config),
             "--db", f"sqlite:///{db}"],
            stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self, signum: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        code = self.process.wait(timeout=60)
        self._log.close()
        return code


@pytest.fixture
def site() -> Iterator[FixtureSites]:
    with FixtureServer() as server:
        yield FixtureSites(server).install()


def test_daemon_polls_reloads_and_stops_cleanly(site: FixtureSites, tmp_path: Path) -> None:
    config, db, events = tmp_path / "sources.yaml", tmp_path / "nea.db", tmp_path / "events.jsonl"
    config.write_text(site.sources_yaml(jsonl_path=str(events), interval="1h"))
    daemon = RunningDaemon(config, db, tmp_path / "daemon.log")
    try:
        wait_for(lambda: events.exists() and len(events.read_text().splitlines()) == 4,
                 "the first poll's four notifications")  # fmt: skip

        # An operator adds a site: picked up without a restart.
        site.server.route("/forum/list.html", Response(
            body=listing([("/forum/view.do?id=5", "Forum opens")]).encode()))  # fmt: skip
        site.server.route("/forum/view.do?id=5", Response(body=english_article(
            "Northeast Asia forum opens in Niigata",
            ["The forum brought mayors and governors together in Niigata to discuss "
             "logistics corridors across the Sea of Japan."] * 3).encode()))  # fmt: skip
        config.write_text(config.read_text() + (
            f"  - name: forum\n    url: {site.server.url('/forum/list.html')}\n"
            "    follow: ['/forum/view']\n"))  # fmt: skip
        wait_for(lambda: len(events.read_text().splitlines()) == 5,
                 "the added source's notification")  # fmt: skip

        # An invalid edit is reported with its line and the last valid config keeps running.
        config.write_text(config.read_text() + "  - name: Broken Name\n")
        daemon.process.send_signal(signal.SIGHUP)
        wait_for(lambda: f"{config}:" in daemon.log(), "the path:line error in the log")
        assert daemon.process.poll() is None
    finally:
        code = daemon.stop(signal.SIGTERM)
    assert code == 0, daemon.log()
    assert "stopped" in daemon.log()
    assert count_rows(db, "select count(*) from sources where lease_owner is not null") == 0
    assert count_rows(db, "select count(*) from deliveries where status != 'delivered'") == 0
    types = [json.loads(line)["type"] for line in events.read_text().splitlines()]
    assert types.count("article.new") == 4  # three + the forum's; the mirror's is a duplicate


def test_second_daemon_on_the_same_sqlite_file_is_refused(
    site: FixtureSites, tmp_path: Path
) -> None:
    config, db = tmp_path / "sources.yaml", tmp_path / "nea.db"
    config.write_text(site.sources_yaml(jsonl_path=str(tmp_path / "e.jsonl")))
    first = RunningDaemon(config, db, tmp_path / "first.log")
    try:
        wait_for(lambda: "daemon running" in first.log(), "the first daemon to start")
        second = subprocess.run(
            [sys.executable, "-m", "scraper", "run", "--config", str(config),
             "--db", f"sqlite:///{db}"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert second.returncode == 2
        assert "another nea-monitor daemon is running" in second.stderr
    finally:
        assert first.stop(signal.SIGINT) == 0


def sample_sum(exposition: str, name: str, label: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``label``."""
    from prometheus_client.parser import text_string_to_metric_families

    total = 0.0
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sample.labels.items())
            if sample.name == name and label in labels:
                total += sample.value
    return total


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_metrics_health_and_readiness_endpoints(site: FixtureSites, tmp_path: Path) -> None:
    import httpx

    config, db, events = tmp_path / "sources.yaml", tmp_path / "nea.db", tmp_path / "events.jsonl"
    config.write_text(site.sources_yaml(jsonl_path=str(events)))
    port = free_port()
    log = (tmp_path / "daemon.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "scraper", "--log-format", "json", "run", "--config", str(config),
         "--db", f"sqlite:///{db}", "--metrics-port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def metrics() -> str:
        try:
            return httpx.get(f"{base}/metrics", timeout=5).text
        except httpx.TransportError:
            return ""

    try:
        # Sources are polled concurrently: either copy of the shared story may be "new".
        wait_for(lambda: sample_sum(metrics(), "nea_articles_total", 'outcome="new"') == 3
                 and sample_sum(metrics(), "nea_articles_total", 'outcome="duplicate"') == 1,
                 "article counters in /metrics")  # fmt: skip
        wait_for(lambda: 'nea_deliveries_total{outcome="delivered"} 4.0' in metrics(),
                 "delivery counters in /metrics")  # fmt: skip
        body = metrics()
        assert 'nea_fetches_total{outcome="ok"}' in body
        assert "nea_fetch_duration_seconds_bucket" in body
        assert 'nea_source_last_success_timestamp_seconds{source="mirror"}' in body
        assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
        assert httpx.get(f"{base}/readyz", timeout=5).text == "ready\n"
        assert httpx.get(f"{base}/nope", timeout=5).status_code == 404
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        log.close()
    lines = (tmp_path / "daemon.log").read_text().splitlines()
    records = [json.loads(line) for line in lines]  # --log-format json: every line is JSON
    assert any(r["message"].startswith("daemon running") for r in records)
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)


def test_sigterm_mid_poll_finishes_in_flight_work_and_leaves_the_db_consistent(
    site: FixtureSites, tmp_path: Path
) -> None:
    from tests.support import faults

    # Every article answers slowly: SIGTERM arrives while the poll is fetching them.
    for path, response in site.articles.items():
        site.server.route(path, faults.delayed(response, 1.0))
    config, db, events = tmp_path / "sources.yaml", tmp_path / "nea.db", tmp_path / "events.jsonl"
    config.write_text(site.sources_yaml(jsonl_path=str(events)))
    daemon = RunningDaemon(config, db, tmp_path / "daemon.log")
    wait_for(lambda: len(site.server.requests_for(FixtureSites.ASSEMBLY)) >= 1
             or len(site.server.requests_for(FixtureSites.MIRROR_COPY)) >= 1,
             "an article fetch in flight")  # fmt: skip
    started = time.monotonic()
    code = daemon.stop(signal.SIGTERM)
    assert code == 0, daemon.log()
    assert time.monotonic() - started < 30  # the shutdown deadline, not the next interval
    assert count_rows(db, "select count(*) from sources where lease_owner is not null") == 0
    # Nothing half-written: every stored article has its version row and its event.
    articles = count_rows(db, "select count(*) from articles")
    assert articles == count_rows(db, "select count(*) from article_versions")
    assert articles == count_rows(db, "select count(*) from events where type like 'article.%'")
    assert count_rows(db, "select count(*) from deliveries where status = 'pending'") == 0
