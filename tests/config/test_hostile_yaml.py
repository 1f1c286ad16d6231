"""Hostile ``sources.yaml`` files: alias bombs, deep nesting, recursive aliases and huge
files end in one ``path:line`` problem, within bounded memory, for ``scraper check`` and
for a hot reload of a running daemon alike.

The memory tests run in a subprocess under an address-space limit: on a loader without
bounds they die of MemoryError (or print a traceback) instead of taking the machine down.
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scraper.config import load_config, parse_config
from scraper.config._yaml_lines import MAX_DEPTH, MIN_ALIAS_BUDGET, load_yaml
from scraper.config.loader import MAX_CONFIG_BYTES
from scraper.errors import ConfigError, YamlSyntaxError

MEMORY_LIMIT = 1024 * 1024 * 1024  # bytes of address space for the subprocess

VALID = "sources:\n  - name: a\n    url: https://a.example\n    interval: 1h\n"


def laughs(levels: int, width: int = 9) -> str:
    """The classic alias bomb: each level is ``width`` aliases of the one before, so the
    document stands for ``width ** levels`` strings. 9 levels: a 414-byte file."""
    lines = [f"a0: &a0 [{','.join(['lol'] * width)}]"]
    for level in range(1, levels):
        refs = ",".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def limited(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that may use at most ``MEMORY_LIMIT``."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
        timeout=300, preexec_fn=cap,
    )  # fmt: skip


def test_billion_laughs_is_refused_by_check_in_bounded_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "sources.yaml"
    bomb.write_text(laughs(9))
    assert bomb.stat().st_size < 500
    result = limited("from scraper.cli import main; raise SystemExit(main(['check']))", tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert result.stdout.splitlines() == [
        f"sources.yaml:6: YAML refused: aliases expand the document past "
        f"{MIN_ALIAS_BUDGET:,} values; write the values out or use fewer aliases"
    ]


def test_alias_bomb_on_hot_reload_keeps_the_running_config(tmp_path: Path) -> None:
    """A 7-level bomb written over a running daemon's file: the reload is refused with a
    ``path:line`` problem and the last valid config stays, in bounded memory."""
    path = tmp_path / "sources.yaml"
    path.write_text(VALID)
    code = textwrap.dedent(f"""
        import asyncio, logging, pathlib
        from scraper.config import ConfigWatcher, load_config

        async def main():
            logging.basicConfig(level=logging.INFO, format="%(message)s")
            applied = []
            async def on_change(config):
                applied.append(config)
            path = pathlib.Path("sources.yaml")
            watcher = ConfigWatcher(path, on_change, config=load_config(path))
            path.write_text({laughs(7, width=10) + VALID!r})
            await watcher.reload_now()
            print("applied", len(applied), [s.name for s in watcher.config.sources])

        asyncio.run(main())
    """)
    result = limited(code, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == ["applied 0 ['a']"]
    assert "Traceback" not in result.stderr
    assert re.search(r"sources\.yaml:\d+: YAML refused: aliases expand", result.stderr)


def test_ten_thousand_nested_lists_are_one_problem_not_a_recursion_error() -> None:
    text = "sources: " + "[" * 10_000 + "]" * 10_000 + "\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert caught.value.problems == [
        f"sources.yaml:1: YAML refused: nested deeper than {MAX_DEPTH} levels"
    ]


def test_deep_block_nesting_names_the_line_where_it_passes_the_limit() -> None:
    lines = ["sources:"] + [" " * (2 * depth) + "- " for depth in range(1, 60)]
    lines[-1] += "x"
    with pytest.raises(ConfigError) as caught:
        parse_config("\n".join(lines) + "\n")
    (problem,) = caught.value.problems
    assert problem.startswith(f"sources.yaml:{MAX_DEPTH + 1}: YAML refused: nested deeper")


def test_nesting_through_aliases_counts_too() -> None:
    """Each anchor is shallow, but aliasing one inside the next nests past the limit."""
    lines = ["n0: &n0 [x]"] + [f"n{i}: &n{i} [[[*n{i - 1}]]]" for i in range(1, 20)]
    with pytest.raises(ConfigError) as caught:
        parse_config("\n".join(lines) + "\n")
    (problem,) = caught.value.problems
    assert "nested deeper than" in problem
    assert "through aliases" in problem


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("sources: &loop [*loop]\n")
    assert caught.value.problems == [
        "sources.yaml:1: YAML refused: an alias refers to the node that contains it"
    ]


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    comment = b"# " + b"x" * 1021 + b"\n"
    path.write_bytes(VALID.encode() + comment * (MAX_CONFIG_BYTES // len(comment) + 1))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [f"{path}:1: the file is larger than 4 MiB"]


def test_a_block_merged_into_every_source_still_loads() -> None:
    """The legitimate use of aliases: one anchored source merged into many others."""
    first = "  - &common {name: site-0, url: 'https://s0.example/', interval: 2h, tags: [k, j]}\n"
    rest = "".join(
        f"  - <<: *common\n    name: site-{i}\n    url: https://s{i}.example/\n"
        for i in range(1, 300)
    )
    config = parse_config("sources:\n" + first + rest)
    assert len(config.sources) == 300
    assert all(s.tags == ("k", "j") for s in config.sources)


def test_the_alias_budget_grows_with_the_file() -> None:
    """A big file may alias as many values as it writes out, and no more."""
    values = ", ".join(["1"] * (MIN_ALIAS_BUDGET + 10))
    document = load_yaml(f"a: &a [{values}]\nb: *a\n")
    assert len(document.data["b"]) == MIN_ALIAS_BUDGET + 10
    with pytest.raises(YamlSyntaxError, match="aliases expand") as caught:
        load_yaml(f"a: &a [{values}]\nb: *a\nc: *a\n")
    assert caught.value.line == 3
