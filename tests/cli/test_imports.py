"""A quick command imports only what it uses, and ``scraper.commands`` never imports the
CLI back. Checked in a fresh interpreter by the modules loaded, not by a timing."""

from __future__ import annotations

import json
import subprocess
import sys

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
    assert [h for h in heavy_in(loaded) if h != "apscheduler" and h != "selectolax"] == []
    assert "sqlalchemy" not in loaded  # (apscheduler parses cron, selectolax CSS selectors)


def test_status_and_articles_load_no_pipeline_migrations_or_config() -> None:
    loaded = loaded_after("scraper.cli", "scraper.commands.inspect")
    assert heavy_in(loaded) == []
    assert "pydantic" not in loaded
