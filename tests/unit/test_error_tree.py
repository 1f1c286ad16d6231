"""One exception tree: every exception class the product defines derives from
``ScraperError``, lives in ``scraper.errors`` and is drawn in its documented tree, which
the operator reference (docs/reference/errors.md) shows as it is."""

from __future__ import annotations

import ast
from pathlib import Path

import scraper.errors
from scraper.errors import ScraperError

ROOT = Path(__file__).resolve().parents[2]


def exception_classes_outside_errors_py() -> list[str]:
    """Classes in scraper/ and storage/ whose bases name an Error or Exception."""
    found = []
    for package in ("scraper", "storage"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "scraper" / "errors.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ClassDef) and any(
                    ast.unparse(base).endswith(("Error", "Exception", "Exceeded", "Crashed"))
                    for base in node.bases
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.name}")
    return found


def test_exception_classes_live_in_errors_py() -> None:
    assert exception_classes_outside_errors_py() == []


def test_every_error_is_a_scraper_error_and_in_the_drawn_tree() -> None:
    classes = [
        value
        for value in vars(scraper.errors).values()
        if isinstance(value, type) and issubclass(value, BaseException)
    ]
    assert all(issubclass(cls, ScraperError) for cls in classes)
    tree = scraper.errors.__doc__ or ""
    missing = [
        cls.__name__ for cls in classes if f" {cls.__name__} " not in tree.replace("\n", " ")
    ]
    assert missing == []


def test_the_reference_shows_the_tree_as_it_is() -> None:
    doc = scraper.errors.__doc__ or ""
    drawn = doc[doc.index("    ScraperError\n") : doc.index("\n\nThe operator-facing")]
    tree = "\n".join(line[4:] for line in drawn.splitlines())
    assert tree in (ROOT / "docs" / "reference" / "errors.md").read_text()


def test_errors_py_imports_nothing_of_the_product() -> None:
    """Every module may import it (the storage layer included) without a cycle."""
    source = (ROOT / "scraper" / "errors.py").read_text()
    imports = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom)]
    assert [n.module for n in imports] == ["__future__"]
