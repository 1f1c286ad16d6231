"""The command line as a user runs it: real subprocesses, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.sites import FixtureSites, chinese_article_gbk
from tests.support.httpserver import FixtureServer


def scraper(
    *args: str, cwd: Path | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args],
        cwd=cwd, input=stdin.decode() if stdin else None, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def test_check_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(
        "sources:\n"
        "  - name: Bad Name\n"
        "    url: https://example.org/news\n"
        "    interval: soon\n"
        "  - name: ok-one\n"
        "    url: not a url\n"
        "    colour: blue\n"
    )
    result = scraper("check", "--config", str(config))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{config}:2:") for line in lines), lines
    assert any(line.startswith(f"{config}:4:") for line in lines), lines
    assert any(line.startswith(f"{config}:6:") for line in lines), lines
    assert any(line.startswith(f"{config}:7:") and "colour" in line for line in lines), lines


def test_check_accepts_the_shipped_sources_yaml() -> None:
    result = scraper("check", "--config", "sources.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


def test_run_with_a_bad_config_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text("sources:\n  - name: x\n    url: [\n")
    result = scraper("run", "--once", "--config", str(config), "--db", f"sqlite:///{tmp_path}/x.db")
    assert result.returncode == 2
    assert f"{config}:" in result.stderr


def test_extract_file_as_json(tmp_path: Path) -> None:
    page = tmp_path / "expo.html"
    page.write_bytes(chinese_article_gbk())
    result = scraper("extract", str(page), "--format", "json")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert set(article) == {"title", "text", "author", "published_at", "language", "canonical_url"}
    assert article["title"] == "第十四届中国—东北亚博览会开幕"
    assert "长春开幕" in article["text"]
    assert "版权所有" not in article["text"]
    assert article["language"] == "zh"
    assert article["published_at"].startswith("2025-08-26")


def test_extract_from_stdin_as_text() -> None:
    html = (
        b"<html><body><nav>Menu</nav><article><h1>Hello</h1><p>"
        + b"Body text. " * 30
        + b"</p></article></body></html>"
    )
    result = scraper("extract", "-", "--format", "text", stdin=html)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Hello\n\nBody text.")


@pytest.mark.slow
def test_run_once_then_articles_and_status(tmp_path: Path) -> None:
    with FixtureServer() as server:
        sites = FixtureSites(server).install()
        config = tmp_path / "sources.yaml"
        config.write_text(sites.sources_yaml(jsonl_path=str(tmp_path / "events.jsonl")))
        db = f"sqlite:///{tmp_path / 'nea.db'}"
        run = scraper("run", "--once", "--config", str(config), "--db", db)
        assert run.returncode == 0, run.stderr
        summaries = dict(line.split(": ", 1) for line in run.stdout.splitlines())
        assert summaries["near-news"].startswith("4 links")  # 3 articles + a teaser that 404s
        assert summaries["mirror"].startswith("1 links")
        # Both sources carry the same story and are polled concurrently: either copy may
        # be stored first, so count over both.
        counts: Counter[str] = Counter()
        for summary in summaries.values():
            for part in summary.split(", "):
                number, word = part.split(" ", 1)
                counts[word] += int(number)
        assert (counts["new"], counts["duplicates"], counts["failed"]) == (3, 1, 1)
    listed = scraper("articles", "--db", db, "--format", "jsonl")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == 4
    assert sum(1 for r in rows if r["duplicate_of"]) == 1
    status = scraper("status", "--db", db)
    assert status.returncode == 0
    assert "near-news" in status.stdout
    assert "jsonl-0" in status.stdout  # the channel's delivery counts
    events = (tmp_path / "events.jsonl").read_text().splitlines()
    assert len(events) == 4


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    result = scraper("db", "upgrade", "--db", f"sqlite:///{db}")
    assert result.returncode == 0, result.stderr
    import sqlite3

    tables = {r[0] for r in sqlite3.connect(db).execute("select name from sqlite_master")}
    assert {"sources", "articles", "article_versions", "events", "deliveries"} <= tables


@pytest.mark.parametrize(
    ("db", "message"),
    [
        ("postgresql://nobody:secret@127.0.0.1:1/nea", "database"),
        ("mysql://localhost/nea", "unsupported database"),
    ],
)
def test_run_with_an_unusable_database_exits_2_without_leaking_the_password(
    tmp_path: Path, db: str, message: str
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text("sources: []\n")
    result = scraper("run", "--once", "--config", str(config), "--db", db)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "secret" not in result.stderr
    assert "Traceback" not in result.stderr
