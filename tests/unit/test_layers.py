"""SQL lives in ``storage/`` only: the rest of the product may name an engine (to pass it
along) but builds no statement, opens no database driver, writes no SQL text and inspects
no driver error. The pipeline depends on the store's and the fetcher's protocols, not on
their classes; and the write path's values import without the write path."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {("sqlalchemy.ext.asyncio", "AsyncEngine")}
DRIVERS = ("sqlite3", "aiosqlite", "asyncpg", "psycopg", "psycopg2")
# A string that is a statement: an SQL keyword in capitals, then more words.
SQL_TEXT = re.compile(
    r"^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE|ALTER|DROP|NOTIFY|LISTEN|PRAGMA"
    r"|BEGIN|COMMIT|VACUUM)\b"
)
# The modules of the pipeline, and the concrete classes they must not name.
PIPELINE = [
    "scraper/pipeline/poll.py",
    "scraper/pipeline/writer.py",
    "scraper/notify/dispatcher.py",
]
CONCRETE = {"Store", "Fetcher", "StoreBase", "ArticleQueries", "SourceQueries", "OutboxQueries"}


def product_modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text())) for p in sorted((ROOT / "scraper").rglob("*.py"))]


def sqlalchemy_imports_outside_storage() -> list[str]:
    found = []
    for path in sorted((ROOT / "scraper").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                found += [
                    f"{path.relative_to(ROOT)}: {node.module}.{alias.name}"
                    for alias in node.names
                    if (node.module, alias.name) not in ALLOWED
                ]
            elif isinstance(node, ast.Import):
                found += [
                    f"{path.relative_to(ROOT)}: {alias.name}"
                    for alias in node.names
                    if alias.name.startswith("sqlalchemy")
                ]
    return found


def test_no_sql_outside_storage() -> None:
    assert sqlalchemy_imports_outside_storage() == []


def test_no_database_driver_or_sql_text_outside_storage() -> None:
    found = []
    for path, tree in product_modules():
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )  # fmt: skip
            found += [f"{where}: import {n}" for n in names if n.split(".")[0] in DRIVERS]
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SQL_TEXT.match(node.value)
            ):
                found.append(f"{where}:{node.lineno}: {node.value[:40]!r}")
    assert found == []


def test_the_pipeline_names_protocols_not_the_store_or_fetcher_classes() -> None:
    found = []
    for name in PIPELINE:
        tree = ast.parse((ROOT / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in CONCRETE:
                found.append(f"{name}:{node.lineno}: {node.id}")
            if isinstance(node, ast.ImportFrom):
                found += [f"{name}: imports {a.name}" for a in node.names if a.name in CONCRETE]
    assert found == []


def loaded_after(module: str) -> set[str]:
    code = f"import sys, json\nimport {module}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(result.stdout))


def test_the_write_paths_values_and_plans_import_without_the_write_path() -> None:
    """storage/article_writes.py is split by job: the values the poller builds, the
    re-check UPDATE and the statements compiled per dialect live apart from the batch."""
    for module in ("storage.article_types", "storage.check_plans", "storage.driver_sql"):
        assert "storage.article_writes" not in loaded_after(module), module
