"""The read side over real sockets, as an operator starts it: ``scraper serve`` on a
database the daemon filled, and ``scraper run --http`` with the app beside /metrics. The
articles come from the real pipeline polling local fixture sites."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import feedparser
import httpx
import pytest

from tests.daemon.test_daemon import free_port, wait_for
from tests.sites import FixtureSites
from tests.support.httpserver import FixtureServer


@pytest.fixture
def site() -> Iterator[FixtureSites]:
    with FixtureServer() as server:
        yield FixtureSites(server).install()


def scraper(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


class Running:
    """A ``scraper`` subprocess serving HTTP on ``port``."""

    def __init__(self, args: list[str], log: Path, port: int, env: dict[str, str]) -> None:
        self._log = log.open("w")
        self.log_path = log
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scraper", *args], stdout=self._log,
            stderr=subprocess.STDOUT, env={**os.environ, **env},
        )  # fmt: skip
        wait_for(self._answers, f"{args[0]} listening on {port}")

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"exited {self.process.returncode}: {self.log_path.read_text()}")
        try:
            httpx.get(f"{self.base}/healthz", timeout=5)
        except httpx.TransportError:
            return False
        return True

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self._log.close()
        return code


def originals(base: str, **params: str) -> list[dict[str, object]]:
    response = httpx.get(f"{base}/api/articles", params=params, timeout=10)
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


def test_run_http_serves_the_read_side_beside_metrics(
    site: FixtureSites, db_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(site.sources_yaml(jsonl_path=str(tmp_path / "events.jsonl"), interval="1h"))
    port = free_port()
    daemon = Running(
        ["run", "--config", str(config), "--db", db_url, "--http", f"127.0.0.1:{port}"],
        tmp_path / "daemon.log", port, env={},
    )  # fmt: skip
    try:
        # The first poll stores three articles and one duplicate of them.
        wait_for(lambda: len(originals(daemon.base, duplicates="1")) == 4, "four stored articles")
        assert len(originals(daemon.base)) == 3
        assert httpx.get(f"{daemon.base}/healthz", timeout=5).text == "ok\n"
        assert httpx.get(f"{daemon.base}/readyz", timeout=5).text == "ready\n"
        assert "nea_articles_total" in httpx.get(f"{daemon.base}/metrics", timeout=5).text
        feed = feedparser.parse(httpx.get(f"{daemon.base}/feeds/atom.xml", timeout=10).content)
        assert not feed.bozo
        assert len(feed.entries) == 3
        page = httpx.get(f"{daemon.base}/", timeout=10)
        assert page.status_code == 200
        assert page.text.count('class="article"') == 3
    finally:
        assert daemon.stop() == 0, daemon.log_path.read_text()


@pytest.fixture
def filled_db(site: FixtureSites, tmp_path: Path) -> str:
    """A SQLite database the daemon filled with one pass (``run --once``)."""
    config = tmp_path / "sources.yaml"
    config.write_text(site.sources_yaml(jsonl_path=str(tmp_path / "events.jsonl")))
    url = f"sqlite:///{tmp_path / 'nea.db'}"
    result = scraper("run", "--once", "--config", str(config), "--db", url)
    assert result.returncode == 0, result.stderr
    return url


def test_serve_over_a_real_socket_with_a_token(filled_db: str, tmp_path: Path) -> None:
    port = free_port()
    server = Running(
        ["serve", "--db", filled_db, "--bind", f"127.0.0.1:{port}"], tmp_path / "serve.log",
        port, env={"NEA_READ_TOKEN": "tok-123"},
    )  # fmt: skip
    try:
        assert httpx.get(f"{server.base}/api/articles", timeout=5).status_code == 401
        auth = {"Authorization": "Bearer tok-123"}
        body = httpx.get(f"{server.base}/api/articles", headers=auth, timeout=5).json()
        assert len(body["items"]) == 3
        feed = httpx.get(f"{server.base}/feeds/feed.json?token=tok-123", timeout=5).json()
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert len(feed["items"]) == 3
        article = httpx.get(f"{server.base}/articles/{body['items'][0]['id']}", headers=auth,
                            timeout=5)  # fmt: skip
        assert article.status_code == 200
        assert "<h1>" in article.text
    finally:
        assert server.stop() == 0, server.log_path.read_text()


def test_serve_never_creates_or_migrates_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "nea.db"
    result = scraper("serve", "--db", f"sqlite:///{missing}", "--bind", "127.0.0.1:0")
    assert result.returncode == 2
    assert "no database at" in result.stderr
    assert not missing.parent.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    result = scraper("serve", "--db", f"sqlite:///{empty}", "--bind", "127.0.0.1:0")
    assert result.returncode == 2
    assert "scraper db upgrade" in result.stderr
    assert empty.stat().st_size == 0  # nothing was written to it
    assert "Traceback" not in result.stderr


def test_serve_bad_bind_and_address_in_use(filled_db: str) -> None:
    result = scraper("serve", "--db", filled_db, "--bind", "nonsense")
    assert result.returncode == 2
    assert "--bind 'nonsense'" in result.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = scraper("serve", "--db", filled_db, "--bind", f"127.0.0.1:{port}")
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
