"""The tutorial works as written: its shell blocks build the sample site, its
sources.yaml polls it (served over loopback), the first `scraper run --once` announces
two articles, and after the "publish a third article" step the next one announces it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.httpserver import FixtureServer, Response

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorial.md"
SERVE_LINE = "python3 -m http.server 8000 --bind 127.0.0.1 --directory site\n"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", TUTORIAL.read_text(), re.M | re.S)


def _serve_directory(server: FixtureServer, root: Path) -> None:
    for page in root.rglob("*.html"):
        server.route("/" + page.relative_to(root).as_posix(), Response(body=page.read_bytes()))


def _scraper(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "scraper", *args], cwd=cwd, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _event_types(cwd: Path) -> list[str]:
    lines = (cwd / "events.jsonl").read_text().splitlines()
    return [json.loads(line)["type"] for line in lines]


@pytest.mark.slow
def test_the_tutorial_reaches_its_notifications(tmp_path: Path) -> None:
    shell = _blocks("sh")
    make_site = next(b for b in shell if SERVE_LINE in b)
    publish = next(b for b in shell if "view-3.html" in b)
    # The `article` function of step 2 is reused by step 6, as in one terminal session.
    function = make_site[make_site.index("article() {") : make_site.index("\n}\n") + 3]
    (sources_yaml,) = _blocks("yaml")

    subprocess.run(["bash", "-c", make_site.replace(SERVE_LINE, "")], cwd=tmp_path, check=True)
    with FixtureServer() as server:
        _serve_directory(server, tmp_path / "site")
        config = sources_yaml.replace("http://127.0.0.1:8000", server.base_url)
        assert config != sources_yaml
        (tmp_path / "sources.yaml").write_text(config)

        assert "OK" in _scraper("check", cwd=tmp_path)
        _scraper("run", "--once", cwd=tmp_path)
        assert _event_types(tmp_path) == ["article.new", "article.new"]

        step6 = function + publish.replace("tail -f events.jsonl\n", "")
        subprocess.run(["bash", "-c", step6], cwd=tmp_path, check=True)
        _serve_directory(server, tmp_path / "site")
        _scraper("run", "--once", cwd=tmp_path)
    assert _event_types(tmp_path) == ["article.new"] * 3
