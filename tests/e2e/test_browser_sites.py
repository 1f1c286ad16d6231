"""``render: browser`` end to end: ``scraper run --once`` (a real subprocess) on a site
built by its scripts, real Chromium, a real SQLite file; and the daemon killed by
SIGTERM or SIGKILL while its browser runs. After each: no Chromium process is left."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.daemon.test_daemon import RunningDaemon, count_rows, wait_for
from tests.support.chromium import none_left, processes_mentioning
from tests.support.httpserver import FixtureServer
from tests.support.script_site import ARTICLES, add_bad_pages, add_script_site

pytestmark = pytest.mark.usefixtures("chromium")


@pytest.fixture
def site() -> Iterator[FixtureServer]:
    with FixtureServer() as server:
        add_script_site(server)
        add_bad_pages(server)
        yield server


def sources_yaml(server: FixtureServer, *extra: str) -> str:
    base = server.base_url
    return (
        "defaults:\n  interval: 1h\n  per_host_delay: 0s\n  per_host_concurrency: 4\n"
        "sources:\n"
        f"  - name: spa\n    url: {base}/\n    render: browser\n"
        "    follow: ['/news/\\d+\\.html$']\n"
        f"  - name: spa-plain\n    url: {base}/\n"
        "    follow: ['/news/\\d+\\.html$']\n" + "".join(extra)
    )


def environment(tmp_path: Path) -> dict[str, str]:
    """The daemon's environment: its browser profiles under the test's directory."""
    return {**os.environ, "TMPDIR": str(tmp_path)}


def run_once(config: Path, db: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scraper", "run", "--once", "--config", str(config),
         "--db", f"sqlite:///{db}"],
        capture_output=True, text=True, timeout=300, env=environment(tmp_path),
    )  # fmt: skip


def rows(db: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(query).fetchall()


def test_run_once_stores_a_script_built_site_and_plain_http_stores_none(
    site: FixtureServer, tmp_path: Path
) -> None:
    config, db = tmp_path / "sources.yaml", tmp_path / "nea.db"
    config.write_text(sources_yaml(site))
    result = run_once(config, db, tmp_path)
    assert result.returncode == 0, result.stderr
    stored = rows(db, "select s.name, a.language, a.title, a.text from articles a "
                      "join sources s on s.id = a.source_id order by a.url")  # fmt: skip
    assert [(name, language) for name, language, _, _ in stored] == [
        ("spa", "zh"),
        ("spa", "ko"),
        ("spa", "en"),
    ]
    for (_, _, title, text), article in zip(stored, ARTICLES.values(), strict=True):
        assert title == article["title"]
        assert text == "\n\n".join(article["paragraphs"])  # type: ignore[arg-type]
    # The plain-HTTP source found nothing, and says why it may be so.
    ((status, error),) = rows(db, "select last_status, last_error from sources "
                                  "where name = 'spa-plain'")  # fmt: skip
    assert status == "ok"
    assert "render: browser" in str(error)
    assert none_left(str(tmp_path)) == []


def test_a_hanging_and_a_runaway_page_fail_their_polls_and_others_are_unaffected(
    site: FixtureServer, tmp_path: Path
) -> None:
    config, db = tmp_path / "sources.yaml", tmp_path / "nea.db"
    base = site.base_url
    config.write_text(sources_yaml(
        site,
        f"  - name: stuck\n    url: {base}/hang\n    kind: page\n    render: browser\n"
        "    timeout: 3s\n",
        f"  - name: hog\n    url: {base}/hog\n    kind: page\n    render: browser\n"
        "    timeout: 60s\n",
    ))  # fmt: skip
    result = run_once(config, db, tmp_path)
    assert result.returncode == 0, result.stderr
    status = dict(rows(db, "select name, last_status from sources"))
    assert status == {"spa": "ok", "spa-plain": "ok", "stuck": "failed", "hog": "failed"}
    errors = dict(rows(db, "select name, last_error from sources"))
    assert "within 3s" in str(errors["stuck"])
    assert "crashed" in str(errors["hog"]) or "memory" in str(errors["hog"])
    assert rows(db, "select count(*) from articles a join sources s on s.id = a.source_id "
                    "where s.name = 'spa'") == [(3,)]  # fmt: skip
    assert none_left(str(tmp_path)) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_no_browser_process_outlives_the_daemon(
    site: FixtureServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:
    config, db = tmp_path / "sources.yaml", tmp_path / "nea.db"
    config.write_text(sources_yaml(site))
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the daemon's browser profiles
    daemon = RunningDaemon(config, db, tmp_path / "daemon.log")
    try:
        wait_for(lambda: len(processes_mentioning(str(tmp_path))) >= 2, "the browser running")
        daemon.process.send_signal(signum)
        daemon.process.wait(timeout=60)
    finally:
        daemon.stop(signal.SIGKILL)
    wait_for(lambda: processes_mentioning(str(tmp_path)) == [],
             f"every browser process gone after {signal.Signals(signum).name}")  # fmt: skip


def test_the_daemon_without_browser_sources_starts_no_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FixtureServer() as server:
        add_script_site(server)
        config, db = tmp_path / "sources.yaml", tmp_path / "nea.db"
        config.write_text(
            f"sources:\n  - name: plain\n    url: {server.base_url}/\n    per_host_delay: 0s\n"
        )
        monkeypatch.setenv("TMPDIR", str(tmp_path))
        daemon = RunningDaemon(config, db, tmp_path / "daemon.log")
        try:
            wait_for(lambda: bool(server.requests_for("/")), "the first poll")
            wait_for(lambda: "plain:" in daemon.log(), "the poll's summary")
            assert none_left(str(tmp_path)) == []
            assert "browser started" not in daemon.log()
        finally:
            daemon.stop()


def test_status_shows_the_pool_of_a_running_daemon(site: FixtureServer, tmp_path: Path) -> None:
    config, db = tmp_path / "sources.yaml", tmp_path / "nea.db"
    config.write_text(sources_yaml(site))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen(
        [sys.executable, "-m", "scraper", "run", "--config", str(config), "--db",
         f"sqlite:///{db}", "--metrics-port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=environment(tmp_path),
    )  # fmt: skip
    try:
        wait_for(lambda: count_rows(db, "select count(*) from articles") == 3, "3 articles")
        status = subprocess.run(
            [sys.executable, "-m", "scraper", "status", "--db", f"sqlite:///{db}",
             "--metrics-url", f"http://127.0.0.1:{port}/metrics"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
        log.close()
    assert status.returncode == 0, status.stderr
    (line,) = [ln for ln in status.stdout.splitlines() if ln.startswith("Browser pool:")]
    assert line.startswith("Browser pool: running, 4 pages rendered, 0 failed, 1 browsers started")
    wait_for(lambda: processes_mentioning(str(tmp_path)) == [], "the browser gone")
