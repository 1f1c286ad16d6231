"""Every ```yaml and ```sql example in the documentation runs: a YAML block is a complete
``sources.yaml`` that must pass the validation of ``scraper check``; an SQL block must
execute against a freshly migrated SQLite database (the schema downstream readers see).
Anything else belongs in a ```text block."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from scraper.config import load_config
from scraper.errors import ConfigError
from storage.engine import create_engine
from storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").rglob("*.md")])
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")


@dataclass(frozen=True)
class Example:
    path: Path
    line: int
    lang: str
    text: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def examples(path: Path) -> list[Example]:
    """The fenced blocks of a Markdown file (indented ones, in list items, too)."""
    found: list[Example] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        # CommonMark: a backtick fence's info string has no backtick (else it is inline code)
        if match is None or (match["fence"][0] == "`" and "`" in lines[i][match.end() :]):
            i += 1
            continue
        indent, fence, lang = len(match["indent"]), match["fence"], match["lang"].lower()
        body: list[str] = []
        start = i + 1
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            line = lines[i]
            body.append(line[indent:] if not line[:indent].strip() else line.lstrip())
            i += 1
        found.append(Example(path, start, lang, "\n".join(body) + "\n"))
        i += 1
    return found


ALL = [example for path in DOCUMENTS if path.exists() for example in examples(path)]
YAML = [e for e in ALL if e.lang in ("yaml", "yml")]
SQL = [e for e in ALL if e.lang == "sql"]


def test_the_docs_have_examples_to_run() -> None:
    # A broken fence parser would make the tests below pass on nothing.
    assert len(YAML) >= 10, [str(e) for e in YAML]
    assert len(SQL) >= 3, [str(e) for e in SQL]


@pytest.mark.parametrize("example", YAML, ids=str)
def test_yaml_example_is_a_valid_sources_yaml(example: Example, tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(example.text, encoding="utf-8")
    try:
        load_config(config)  # what `scraper check` runs
    except ConfigError as exc:
        pytest.fail(f"{example}: not a valid sources.yaml:\n" + "\n".join(exc.problems))


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "nea-monitor.db"

    async def migrate() -> None:
        engine = create_engine(f"sqlite:///{path}")
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(migrate())
    return path


@pytest.mark.parametrize("example", SQL, ids=str)
def test_sql_example_runs_on_the_migrated_schema(example: Example, migrated_sqlite: Path) -> None:
    connection = sqlite3.connect(migrated_sqlite)
    try:
        connection.execute("BEGIN")
        for statement in _statements(example.text):
            try:
                connection.execute(statement).fetchall()
            except sqlite3.Error as exc:
                pytest.fail(f"{example}: {exc}\n{statement}")
    finally:
        connection.rollback()  # examples that write leave nothing behind for the next
        connection.close()


def _statements(script: str) -> list[str]:
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current)
            current = ""
    if current.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in current.splitlines()
    ):
        statements.append(current)
    return statements
