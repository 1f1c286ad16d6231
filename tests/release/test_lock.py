"""requirements-dev.lock pins every dependency pyproject.toml declares, runtime and extras:
a dependency added without `make lock` would install unpinned in `make test`, `make run`,
the Docker image and CI alike."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements-dev.lock"


def _project() -> dict[str, Any]:
    project: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project


def _pins() -> dict[str, str]:
    return {
        canonicalize_name(m["name"]): m["version"]
        for m in re.finditer(
            r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)", LOCK.read_text(), re.M
        )
    }


def test_the_lock_pins_every_declared_dependency() -> None:
    project = _project()
    extras: dict[str, list[str]] = project.get("optional-dependencies", {})
    declared = [*project["dependencies"], *(r for group in extras.values() for r in group)]
    pinned = _pins()
    missing = sorted(
        name for name in (canonicalize_name(Requirement(r).name) for r in declared)
        if name not in pinned
    )  # fmt: skip
    assert not missing, f"not in requirements-dev.lock (run `make lock`): {missing}"
    # Compiled for every extra, or a whole group would be missing from the pins.
    header = LOCK.read_text().split("\n", 2)[1]
    assert sorted(re.findall(r"--extra (\S+)", header)) == sorted(extras)


def test_each_pinned_version_satisfies_pyproject() -> None:
    project = _project()
    pinned = _pins()
    groups = [project["dependencies"], *project.get("optional-dependencies", {}).values()]
    for text in (r for group in groups for r in group):
        requirement = Requirement(text)
        version = pinned.get(canonicalize_name(requirement.name))
        if version is not None:
            assert requirement.specifier.contains(version, prereleases=True), (text, version)
