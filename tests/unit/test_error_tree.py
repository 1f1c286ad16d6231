"""One exception tree: every exception class the product defines derives from
``ScraperError``, lives in ``scraper.errors`` and is drawn in its documented tree, which
the operator reference (docs/reference/errors.md) shows as it is."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import scraper.errors
from scraper.errors import ScraperError

ROOT = Path(__file__).resolve().parents[2]


# Base classes that make a class an exception: the builtin ones, those of errors.py, and
# anything named like one (httpx.HTTPError, asyncio.CancelledError...).
_EXCEPTION_NAMES = {
    name
    for module in (builtins, scraper.errors)
    for name, value in vars(module).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}


def exception_classes_in(source: str) -> list[str]:
    """The classes of ``source`` whose bases name an exception."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            names = [ast.unparse(base).rsplit(".", 1)[-1] for base in node.bases]
            if any(
                n in _EXCEPTION_NAMES or n.endswith(("Error", "Exception", "Exceeded", "Crashed"))
                for n in names
            ):
                found.append(node.name)
    return found


def exception_classes_outside_errors_py() -> list[str]:
    """Exception classes defined in scraper/ and storage/ but not in scraper/errors.py."""
    found = []
    for package in ("scraper", "storage"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "scraper" / "errors.py":
                continue
            found += [
                f"{path.relative_to(ROOT)}:{name}"
                for name in exception_classes_in(path.read_text())
            ]
    return found


def test_the_check_sees_subclasses_of_any_exception() -> None:
    source = (
        "class A(RobotsDisallowed): ...\n"
        "class B(errors.AlreadyRunning): ...\n"
        "class C(KeyboardInterrupt): ...\n"
        "class D(Warning): ...\n"
        "class E(httpx.HTTPError): ...\n"
        "class NotOne(Protocol): ...\n"
    )
    assert exception_classes_in(source) == ["A", "B", "C", "D", "E"]


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
