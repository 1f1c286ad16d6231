"""What the release promises about its own files (issue 14): one version, the licence, a
short README, CI gating more than the tests, and no pointer to a document that does not
exist. Static checks, each of which the pre-release tree failed."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Where the product points readers at documents: code, the shipped config, deployment.
POINTERS = [
    *sorted((ROOT / "scraper").rglob("*.py")),
    *sorted((ROOT / "storage").rglob("*.py")),
    ROOT / "sources.yaml",
    ROOT / "Dockerfile",
    ROOT / "Makefile",
    *sorted((ROOT / "deploy").iterdir()),
]
_DOC = re.compile(r"\b((?:docs/[\w./-]+\.md)|DESIGN\.md|CONTRIBUTING\.md|CHANGELOG\.md)\b")


def test_every_document_the_product_names_exists() -> None:
    missing = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in POINTERS
        if path.is_file()
        for name in _DOC.findall(path.read_text(encoding="utf-8"))
        if not (ROOT / name).is_file()
    ]
    assert missing == []


def test_the_version_is_written_once() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project
    assert "version" in project["dynamic"]
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["dynamic"]["version"] == {"attr": "scraper.__version__"}
    literals = [
        path.relative_to(ROOT)
        for path in POINTERS
        if path.is_file()
        and re.search(r"""__version__\s*=\s*["']""", path.read_text(encoding="utf-8"))
    ]
    assert literals == [Path("scraper/__init__.py")]


def test_the_licence_is_apache_2() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"
    assert (ROOT / "LICENSE").read_text().lstrip().startswith("Apache License")


def test_the_readme_is_short() -> None:
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 200


def test_ci_gates_lint_types_docs_and_tests() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target, command in (
        ("ruff", "ruff check"),
        ("format-check", "ruff format --check"),
        ("typecheck", "mypy"),
        ("docs", "mkdocs build --strict"),
    ):
        assert re.search(rf"^gate .* make {target}$", script, re.MULTILINE), target
        recipe = makefile[makefile.index(f"\n{target}:") :].split("\n\n", 1)[0]
        assert command in recipe, (target, recipe)
    assert "make test" in script
