"""The wheel is the product: build it from a clean copy of the sources, install it into a
fresh virtual environment (no checkout on sys.path, no editable install), migrate a SQLite
file in another directory, and poll a local fixture site with ``scraper run --once``."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sites import FixtureSites
from tests.support.httpserver import FixtureServer

ROOT = Path(__file__).resolve().parents[2]
# What a wheel is built from; anything else in the checkout must not be needed.
SOURCES = ["pyproject.toml", "setup.py", "README.md", "LICENSE", "scraper", "storage", "alembic"]
LOCK = ROOT / "requirements-dev.lock"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def _run(*args: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    # A clean environment: the checkout must not leak in through PYTHONPATH or a venv.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=800
    )
    if check and result.returncode != 0:
        pytest.fail(f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh virtual environment with the wheel installed."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, src / name)
    dist = base / "dist"
    # --no-build-isolation: the build uses this environment's setuptools (a dev dependency),
    # so building needs no network.
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "--wheel-dir", dist, src, cwd=base)  # fmt: skip
    wheels = list(dist.glob("nea_monitor-*.whl"))
    assert len(wheels) == 1, wheels

    venv = base / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=base)
    bin_dir = venv / "bin"
    # The runtime dependencies at the versions the suite runs with (pip's cache or index).
    _run(bin_dir / "python", "-m", "pip", "install", "--quiet", "-c", LOCK, wheels[0], cwd=base)
    return bin_dir


def test_the_wheel_carries_its_migrations_and_licence(installed: Path, tmp_path: Path) -> None:
    probe = _run(
        installed / "python", "-c",
        "import json, importlib.metadata as m, scraper, storage.migrate as mig;"
        "print(json.dumps([scraper.__file__, str(mig.ALEMBIC_DIR), m.version('nea-monitor'),"
        " m.metadata('nea-monitor')['License-Expression']]))",
        cwd=tmp_path,
    )  # fmt: skip
    module, alembic_dir, version, licence = json.loads(probe.stdout)
    venv = installed.parent
    assert Path(module).is_relative_to(venv), module  # the wheel, not the checkout
    assert Path(alembic_dir).is_relative_to(venv), alembic_dir
    assert sorted(p.name for p in Path(alembic_dir, "versions").glob("0001_*.py"))
    assert licence == "Apache-2.0"
    site_packages = Path(module).parent.parent
    for package in ("scraper", "storage"):  # namespace subpackages included
        for source in (ROOT / package).rglob("*.py"):
            assert (site_packages / source.relative_to(ROOT)).is_file(), source
    cli_version = _run(installed / "scraper", "--version", cwd=tmp_path).stdout
    assert version in cli_version


def test_installed_wheel_migrates_elsewhere_and_polls_a_fixture_site(
    installed: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"  # the database lives away from the working directory
    work = tmp_path / "work"
    data.mkdir()
    work.mkdir()
    db_path = data / "monitor.db"
    db = f"sqlite:///{db_path}"

    _run(installed / "scraper", "db", "upgrade", "--db", db, cwd=work)
    with sqlite3.connect(db_path) as conn:
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    heads = sorted(p.name.split("_")[0] for p in (ROOT / "alembic" / "versions").glob("*.py"))
    assert revision == heads[-1]

    events = tmp_path / "events.jsonl"
    with FixtureServer() as server:
        sites = FixtureSites(server).install()
        config = work / "sources.yaml"
        config.write_text(sites.sources_yaml(jsonl_path=str(events)))
        result = _run(
            installed / "scraper", "run", "--once", "--config", config, "--db", db, cwd=work
        )
    assert "near-news" in result.stdout + result.stderr

    with sqlite3.connect(db_path) as conn:
        titles = {row[0] for row in conn.execute("SELECT title FROM articles")}
    assert any("General Assembly" in (t or "") for t in titles), titles
    types = [json.loads(line)["type"] for line in events.read_text().splitlines()]
    assert "article.new" in types
    assert "article.duplicate" in types  # the mirror's copy: the pipeline ran whole


def test_the_wheel_carries_the_web_views_templates(installed: Path, tmp_path: Path) -> None:
    probe = _run(
        installed / "python", "-c",
        "import json, scraper.web.app as app;"
        "print(json.dumps([str(app.TEMPLATES), sorted(p.name for p in app.TEMPLATES.iterdir())]))",
        cwd=tmp_path,
    )  # fmt: skip
    folder, names = json.loads(probe.stdout)
    assert Path(folder).is_relative_to(installed.parent)
    assert {"base.html", "index.html", "article.html", "sources.html", "style.css"} <= set(names)
