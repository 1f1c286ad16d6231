"""A quick command imports only what it uses, and ``scraper.commands`` never imports the
CLI back. Checked in a fresh interpreter by the modules loaded, not by a timing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

COMMAND_MODULES = [
    "run", "check", "extract", "preview", "inspect", "maintain", "scheduling", "serve",
]  # fmt: skip
# The pipeline, the fetcher, notification channels, migrations, terminal tables.
HEAVY = ["alembic", "httpx", "rich", "lxml", "selectolax", "apscheduler", "scraper.fetch",
         "scraper.pipeline", "scraper.notify", "scraper.service", "storage.migrate",
         "numpy", "storage.article_writes"]  # fmt: skip


def loaded_after(*modules: str) -> set[str]:
    code = (
        "import sys, json\n"
        + "".join(f"import {module}\n" for module in modules)
        + "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(result.stdout))


def heavy_in(loaded: set[str]) -> list[str]:
    return [h for h in HEAVY if any(m == h or m.startswith(h + ".") for m in loaded)]


@pytest.mark.parametrize("module", COMMAND_MODULES)
def test_command_modules_do_not_import_the_cli(module: str) -> None:
    assert "scraper.cli" not in loaded_after(f"scraper.commands.{module}")


def test_the_cli_itself_imports_no_command() -> None:
    loaded = loaded_after("scraper.cli")
    assert not [m for m in loaded if m.startswith("scraper.commands.")]
    assert heavy_in(loaded) == []
    assert "pydantic" not in loaded
    assert "sqlalchemy" not in loaded


def test_check_loads_no_database_or_network_code() -> None:
    loaded = loaded_after("scraper.cli", "scraper.commands.check")
    assert heavy_in(loaded) == []
    assert "sqlalchemy" not in loaded


def test_status_and_articles_load_no_pipeline_migrations_or_config() -> None:
    loaded = loaded_after("scraper.cli", "scraper.commands.inspect")
    assert heavy_in(loaded) == []
    assert "pydantic" not in loaded
    assert "sqlalchemy" not in loaded  # they read through the driver (storage.operator_reads)


def loaded_by_running(*argv: str) -> tuple[int, set[str]]:
    """Run ``scraper ARGV`` in a fresh interpreter; its exit code and every module loaded
    by the time it returned (imports inside functions included)."""
    code = (
        "import sys, json\n"
        "from scraper.cli import main\n"
        f"rc = main({list(argv)!r})\n"
        "print('\\n' + json.dumps([rc, sorted(sys.modules)]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    rc, modules = json.loads(result.stdout.strip().splitlines()[-1])
    return rc, set(modules)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'nea.db'}"
    subprocess.run(
        [sys.executable, "-m", "scraper", "db", "upgrade", "--db", url],
        capture_output=True, timeout=300, check=True,
    )  # fmt: skip
    return url


@pytest.mark.parametrize("command", ["status", "articles", "articles --format jsonl"])
def test_status_and_articles_run_without_sqlalchemy(migrated: str, command: str) -> None:
    rc, loaded = loaded_by_running(*command.split(), "--db", migrated)
    assert rc == 0
    assert heavy_in(loaded) == []
    assert not {"sqlalchemy", "pydantic", "asyncpg", "aiosqlite"} & loaded


def test_check_of_a_plain_config_runs_without_the_scheduler_or_html_parser(
    tmp_path: Path,
) -> None:
    config = tmp_path / "sources.yaml"
    source = "  - name: near-news\n    url: https://near.example.org/news\n    interval: 1h\n"
    config.write_text("sources:\n" + source)
    rc, loaded = loaded_by_running("check", "--config", str(config))
    assert rc == 0
    assert heavy_in(loaded) == []
    assert "sqlalchemy" not in loaded
