"""Whatever the file holds, the loader answers with a Config or a ConfigError whose
problems all have the ``path:line: message`` form, never with another exception."""

from __future__ import annotations

import re

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.config import Config, parse_config
from scraper.errors import ConfigError

PROBLEM = re.compile(r"sources\.yaml:[1-9]\d*: \S.*", re.S)

KEYS = st.sampled_from(
    [
        "defaults", "sources", "notifications", "name", "url", "kind", "interval", "timeout",
        "follow", "tags", "type", "path", "events", "recheck", "max_page_bytes", "encoding",
        "link_selector", "secret_env", "enabled", "per_host_concurrency", "cron", "x",
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["1h", "cron: 0 * * * *", "https://a.example", "webhook", "jsonl", "a-b"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=25,
)


def problems_of(text: str) -> list[str] | None:
    try:
        config = parse_config(text)
    except ConfigError as exc:
        return exc.problems
    assert isinstance(config, Config)
    return None


def check(text: str) -> None:
    problems = problems_of(text)
    if problems is not None:
        assert problems
        for problem in problems:
            assert PROBLEM.fullmatch(problem), problem


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=4))
def test_any_yaml_structure_gives_config_or_config_error(data: dict[str, object]) -> None:
    check(yaml.safe_dump(data, allow_unicode=True))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_config_or_config_error(text: str) -> None:
    check(text)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.dictionaries(KEYS, VALUES, max_size=6), max_size=3),
    st.lists(st.dictionaries(KEYS, VALUES, max_size=6), max_size=3),
)
def test_any_sources_and_notifications_give_config_or_config_error(
    sources: list[dict[str, object]], notifications: list[dict[str, object]]
) -> None:
    check(yaml.safe_dump({"sources": sources, "notifications": notifications}))
