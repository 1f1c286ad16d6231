"""SQL lives in ``storage/`` only: the rest of the product may name an engine (to pass it
along) but builds no statement and inspects no driver error."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {("sqlalchemy.ext.asyncio", "AsyncEngine")}


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
