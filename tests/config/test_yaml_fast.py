"""libyaml's parser under our composer reads every valid file exactly as the pure-Python
loader does: the same data, the same line for every key path, the same duplicate keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.config import _yaml_lines
from scraper.config._yaml_lines import YamlDocument
from scraper.errors import YamlSyntaxError

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(_yaml_lines._CParser is None, reason="PyYAML without libyaml")


def _same(text: str) -> YamlDocument:
    fast = _yaml_lines._load(text, _yaml_lines._FastLoader)
    pure = _yaml_lines._load(text, _yaml_lines._Loader)
    assert fast.data == pure.data
    assert fast.lines == pure.lines
    assert fast.duplicate_keys == pure.duplicate_keys
    return fast


@pytest.mark.parametrize(
    "path",
    [ROOT / "sources.yaml", *sorted((ROOT / "tests/config/fixtures").glob("*.yaml"))],
    ids=lambda p: p.name,
)
def test_shipped_files_read_the_same(path: Path) -> None:
    assert _same(path.read_text(encoding="utf-8-sig")).data


def test_tricky_documents_read_the_same() -> None:
    text = (
        "defaults: &d\n  interval: 1:30\n  language: no\n  on: yes\n\n"
        "sources:\n"
        "  - name: a\r\n    url: 'http://a.example/x'\n    <<: *d\n"
        '  - {name: "b", url: http://b.example/, tags: [x, "y: z", 0x1F, 1.5e3, ~]}\n'
        "  - name: c\n    url: http://c.example/\n    name: c2\n"
        "  - name: 한국어\n    follow:\n      - |\n        multi\n        line\n"
    )
    document = _same(text)
    assert document.data["defaults"]["language"] == "no"  # YAML 1.2 booleans only
    assert document.duplicate_keys
    assert document.lines[("sources", 3, "follow")] == 15


def test_a_file_libyaml_refuses_gets_the_pure_loaders_message() -> None:
    text = "sources:\n  - name: a\n    url: x: y\n"
    with pytest.raises(YamlSyntaxError) as fast:
        _yaml_lines.load_yaml(text)
    with pytest.raises(YamlSyntaxError) as pure:
        _yaml_lines._load(text, _yaml_lines._Loader)
    assert (fast.value.line, fast.value.message) == (pure.value.line, pure.value.message)
    assert fast.value.line == 3


def test_aliases_stay_bounded_on_the_fast_path() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    with pytest.raises(YamlSyntaxError, match="aliases expand the document"):
        _yaml_lines._load("\n".join(lines) + "\n", _yaml_lines._FastLoader)
