"""The operator's commands with ``render: browser``: ``check`` reports a missing Chromium
only for configs that need one, ``preview`` renders, a bad ``render`` value names its
line, and self-diagnosis tells script shells from pages with text of their own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.config import parse_config
from scraper.discover import looks_scripted
from scraper.errors import ConfigError
from tests.support.httpserver import FixtureServer
from tests.support.script_site import ARTICLES, SHELL, add_script_site

BROWSER_YAML = """sources:
  - name: plain
    url: https://example.org/news
  - name: portal
    url: https://portal.example.org/
    render: browser
"""


def scraper(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args], capture_output=True, text=True, timeout=120,
        cwd=cwd, env={**os.environ, "COLUMNS": "200", **env},
    )  # fmt: skip


def test_check_names_the_missing_browser_for_the_sources_that_need_it(tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(BROWSER_YAML)
    result = scraper("check", "--config", str(config), cwd=tmp_path, NEA_CHROMIUM="/nope/chrome")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{config}:4: source 'portal': render: browser: NEA_CHROMIUM='/nope/chrome' is not an "
        "executable file; Chromium not found: install Debian's chromium package "
        "(apt-get install chromium) or set NEA_CHROMIUM to the browser's path"
    ]


def test_check_does_not_ask_for_a_browser_no_source_needs(tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(BROWSER_YAML.replace("    render: browser\n", "    render: http\n"))
    result = scraper("check", "--config", str(config), cwd=tmp_path, NEA_CHROMIUM="/nope/chrome")
    assert result.returncode == 0, result.stdout
    assert "OK" in result.stdout


def test_a_bad_render_value_is_a_problem_on_its_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(BROWSER_YAML.replace("render: browser", "render: chrome"), "s.yaml")
    (problem,) = caught.value.problems
    assert problem.startswith("s.yaml:6:")
    assert "render" in problem


def test_render_defaults_to_http() -> None:
    config = parse_config(BROWSER_YAML, "s.yaml")
    assert [s.render for s in config.sources] == ["http", "browser"]


@pytest.mark.usefixtures("chromium")
def test_preview_renders_a_script_built_site_and_suggests_the_browser_without(
    tmp_path: Path,
) -> None:
    with FixtureServer() as server:
        add_script_site(server)
        config = tmp_path / "sources.yaml"
        config.write_text(
            f"defaults:\n  per_host_delay: 0s\nsources:\n"
            f"  - name: spa\n    url: {server.url('/')}\n    render: browser\n"
            f"  - name: spa-plain\n    url: {server.url('/')}\n"
        )
        rendered = scraper("preview", "spa", "--config", str(config), "--limit", "3",
                           cwd=tmp_path, TMPDIR=str(tmp_path))  # fmt: skip
        plain = scraper("preview", "spa-plain", "--config", str(config), cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    assert "listing: 3 article links" in rendered.stdout
    for article in ARTICLES.values():
        assert str(article["paragraphs"][0])[:40] in rendered.stdout  # type: ignore[index]
    assert "try render: browser" not in rendered.stdout
    assert plain.returncode == 0, plain.stderr
    assert "0 article links" in plain.stdout
    assert "try render: browser" in plain.stdout


def test_a_script_shell_is_told_from_pages_with_text_of_their_own() -> None:
    assert looks_scripted(SHELL.decode())
    assert looks_scripted("<html><body><div id=root></div><script>go()</script></body></html>")
    article = "<p>" + "The delegations met in Hunchun to discuss the corridor. " * 8 + "</p>"
    # A page with text of its own is not a shell, whatever its scripts do.
    assert not looks_scripted(f"<html><body>{article}<script src=a.js></script></body></html>")
    # Nor is a short page without any script (a plain empty listing).
    assert not looks_scripted("<html><body><p>No news yet.</p></body></html>")
