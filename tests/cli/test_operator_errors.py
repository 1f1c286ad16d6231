"""Bad input from an operator: one line on stderr, exit 2, no traceback, and nothing
created or changed on the way. Also the output of the read-only commands in a pipe."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pty
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scraper.cli import build_parser
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.repository import ArticleInput, CheckPlan, RunOutcome, SourceSpec, Store

LONG_TITLE = "Governors of Northeast Asian regions agree on a joint logistics corridor " * 2
LONG_ERROR = "connection refused " + "and a long explanation " * 10
LONG_URL = "https://near.example.org/news/view.do?id=123&section=cooperation&" + "x" * 120


def scraper(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NEA_DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args], cwd=cwd, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0]


@pytest.fixture
async def stored(tmp_path: Path) -> str:
    """A SQLite database with one source and one article of long title and URL."""
    url = f"sqlite:///{tmp_path / 'nea.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    store = Store(engine)
    try:
        ids = await store.sync_sources(
            [SourceSpec(name="near-news", url="https://near.example.org/", kind="auto")]
        )
        text = "The assembly adopted a declaration.\n" * 5
        article = ArticleInput(
            url=LONG_URL, title=LONG_TITLE, text=text,
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
        )  # fmt: skip
        await store.save_article(
            source_id=ids["near-news"], source_name="near-news", item=article,
            plan=CheckPlan(next_check_at=datetime(2030, 1, 1, tzinfo=UTC)), router=lambda _: (),
        )  # fmt: skip
        await store.record_run(
            ids["near-news"],
            RunOutcome(ok=False, error=LONG_ERROR),
            failing_after=3,
            router=lambda _: (),
        )
    finally:
        await store.aclose()
    return url


@pytest.mark.parametrize("command", ["status", "articles", "retry", "recheck --all"])
def test_a_mistyped_db_is_an_error_and_creates_nothing(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "typo" / "nea-monitr.db"
    result = scraper(*command.split(), "--db", f"sqlite:///{missing}")
    assert_one_line_error(result, "no database at", str(missing))
    assert not missing.parent.exists()


def test_the_default_database_is_not_created_by_status(tmp_path: Path) -> None:
    result = scraper("status", cwd=tmp_path)
    assert_one_line_error(result, "nea-monitor.db")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "make", [lambda p: p.write_bytes(b"this is not a database\n" * 100), lambda p: p.mkdir()]
)
def test_an_unopenable_database_is_one_line(tmp_path: Path, make: object) -> None:
    path = tmp_path / "broken.db"
    make(path)  # type: ignore[operator]
    result = scraper("status", "--db", f"sqlite:///{path}")
    assert_one_line_error(result)


def test_extract_of_a_missing_file(tmp_path: Path) -> None:
    result = scraper("extract", str(tmp_path / "missing.html"))
    assert_one_line_error(result, "cannot read", "missing.html")


@pytest.mark.parametrize("since", ["999999d", "99999999999w", "last tuesday"])
def test_articles_since_out_of_range_or_unparsable(stored: str, since: str) -> None:
    assert_one_line_error(scraper("articles", "--db", stored, "--since", since), "--since")


@pytest.mark.parametrize("command", ["articles --source", "recheck", "reset"])
def test_an_unknown_source_is_an_error_not_zero_articles(stored: str, command: str) -> None:
    result = scraper(*command.split(), "nope", "--db", stored)
    assert_one_line_error(result, "no source named 'nope'", "near-news")


def test_piped_articles_are_plain_and_whole(stored: str) -> None:
    result = scraper("articles", "--db", stored)
    assert result.returncode == 0, result.stderr
    header, row, total = result.stdout.splitlines()
    assert header.split("\t") == [
        "id",
        "source",
        "published",
        "lang",
        "v",
        "dup of",
        "title",
        "url",
    ]
    cells = row.split("\t")
    assert cells[6] == LONG_TITLE.strip()
    assert cells[7] == LONG_URL
    assert total == "1 articles"
    assert not set("┃│━─┏┡└") & set(result.stdout)


def test_piped_status_is_plain_and_whole(stored: str) -> None:
    result = scraper("status", "--db", stored)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "# Sources"
    assert lines[2].split("\t")[-1] == LONG_ERROR.strip()
    assert not set("┃│━─┏┡└") & set(result.stdout)


def test_log_format_is_accepted_after_the_subcommand(tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text("sources: [\n")
    before = scraper("--log-format", "json", "check", "--config", str(config))
    after = scraper(
        "check", "--config", str(config), "--log-format", "json", "--log-level", "debug"
    )
    assert after.returncode == before.returncode == 1
    assert after.stdout == before.stdout
    assert "unrecognized arguments" not in after.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["status"], ("info", "text")),
        (["--log-format", "json", "status"], ("info", "json")),
        (["status", "--log-format", "json", "--log-level", "debug"], ("debug", "json")),
        (["--log-level", "error", "db", "upgrade", "--log-format", "json"], ("error", "json")),
        (["--log-format", "json", "run", "--once"], ("info", "json")),
    ],
)
def test_logging_options_before_or_after_the_subcommand(
    argv: list[str], expected: tuple[str, str]
) -> None:
    args = build_parser().parse_args(argv)
    assert (args.log_level, args.log_format) == expected


async def test_a_database_behind_the_schema_says_how_to_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    await upgrade(engine, "0005")
    await engine.dispose()
    result = scraper("status", "--db", url)
    assert_one_line_error(result, "run `scraper db upgrade`")
    assert scraper("db", "upgrade", "--db", url).returncode == 0
    assert scraper("status", "--db", url).returncode == 0


def test_recheck_and_reset_of_a_stored_source(stored: str) -> None:
    recheck = scraper("recheck", "near-news", "--db", stored)
    assert recheck.returncode == 0, recheck.stderr
    assert recheck.stdout == "1 stored articles of near-news will be re-checked at the next poll\n"
    every = scraper("recheck", "--all", "--db", stored)
    assert every.stdout.startswith("1 stored articles of all sources")
    path = stored.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        (due,) = connection.execute("select next_check_at from articles").fetchone()
        assert datetime.fromisoformat(due).replace(tzinfo=UTC) <= datetime.now(UTC)
        assert connection.execute("select consecutive_failures from sources").fetchone() == (1,)
    reset = scraper("reset", "near-news", "--db", stored)
    assert reset.returncode == 0, reset.stderr
    with sqlite3.connect(path) as connection:
        assert connection.execute("select consecutive_failures from sources").fetchone() == (0,)


def test_recheck_needs_a_source_or_all(stored: str) -> None:
    result = scraper("recheck", "--db", stored)
    assert result.returncode == 2
    assert "one of the arguments source --all is required" in result.stderr


def test_on_a_terminal_articles_draws_a_table(stored: str) -> None:
    """The other side of the plain output: a terminal still gets rich's table."""
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "scraper", "articles", "--db", stored],
            stdout=follower, stderr=subprocess.PIPE, timeout=120,
        )  # fmt: skip
    finally:
        os.close(follower)
    output = b""
    with contextlib.suppress(OSError):  # EIO once the terminal has nothing more
        while chunk := os.read(leader, 65536):
            output += chunk
    os.close(leader)
    assert result.returncode == 0, result.stderr
    text = output.decode()
    assert "┏" in text
    assert LONG_TITLE[:40] in text
    assert LONG_URL not in text.replace("\r\n", "")  # shortened or wrapped to fit


@pytest.mark.parametrize("command", ["run --once --config sources.yaml", "db upgrade"])
def test_a_database_path_that_cannot_be_created_is_one_line(tmp_path: Path, command: str) -> None:
    (tmp_path / "sources.yaml").write_text("sources: []\n")
    blocker = tmp_path / "file"
    blocker.write_text("a file where a directory is needed\n")
    result = scraper(
        *command.split(), "--db", f"sqlite:///{blocker / 'sub' / 'x.db'}", cwd=tmp_path
    )
    assert_one_line_error(result, str(blocker / "sub"))
