"""Valid configurations: what the rest of the program sees after loading."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

import scraper.config
from scraper.config import Channel, Config, Schedule, Source, load_config, parse_config
from scraper.config.types import ALL_EVENT_TYPES

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"

FULL_EXAMPLE = """\
defaults:
  interval: 2h
  timeout: 30s
  user_agent: "test-agent/1.0 (+https://example.org/bot)"
  respect_robots: false
  per_host_concurrency: 4
  per_host_delay: 500
  max_new_articles_per_run: 20
  max_page_bytes: 512KB
  recheck: [30m, 2h, 1d]
notifications:
  - type: webhook
    name: hook
    url: https://hooks.example.org/nea
    secret_env: NEA_TEST_SECRET
    events: [article.new, page.changed]
    sources: [full]
    tags: [secretariat]
    timeout: 5s
    max_attempts: 3
  - type: apprise
    url: "mailto://ops@example.org"
    template: "{title}: {url}"
    digest: 1h
  - type: jsonl
    path: out/events.jsonl
  - type: postgres
    name: pg
sources:
  - name: full
    url: https://example.org/news/list?page=1
    kind: listing
    interval: "cron: 0 */2 * * *"
    timeout: 10s
    user_agent: "per-source/2.0"
    respect_robots: true
    per_host_concurrency: 1
    per_host_delay: 0
    max_new_articles_per_run: 5
    max_page_bytes: 2MB
    recheck: [1h]
    language: ko
    encoding: euc-kr
    follow: ["/news/view", "idx=\\\\d+"]
    ignore: ["/login", "\\\\.pdf$"]
    link_selector: "ul.board a"
    content_selector: "div.view-body"
    remove_selectors: [".file-attach", "div.share"]
    ignore_text: ["^Print this page$"]
    tags: [secretariat, korea]
    enabled: false
  - name: minimal
    url: http://example.com
"""


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_public_api_exports() -> None:
    assert sorted(scraper.config.__all__) == sorted(
        [
            "Channel",
            "Config",
            "ConfigDiff",
            "ConfigWatcher",
            "Schedule",
            "Source",
            "diff_configs",
            "load_config",
            "parse_config",
        ]
    )
    for name in scraper.config.__all__:
        assert hasattr(scraper.config, name)


def test_full_example_round_trip(tmp_path: Path) -> None:
    config_path = tmp_path / "conf" / "sources.yaml"
    config_path.parent.mkdir()
    config_path.write_text(FULL_EXAMPLE, encoding="utf-8")

    config = load_config(config_path)

    assert config.path == str(config_path)
    full = Source(
        name="full",
        url="https://example.org/news/list?page=1",
        kind="listing",
        schedule=Schedule(cron="0 */2 * * *"),
        timeout=10.0,
        user_agent="per-source/2.0",
        respect_robots=True,
        per_host_concurrency=1,
        per_host_delay=0.0,
        max_new_articles_per_run=5,
        max_page_bytes=2 * 1024 * 1024,
        recheck_after=(3600.0,),
        language="ko",
        encoding="euc-kr",
        follow=("/news/view", r"idx=\d+"),
        ignore=("/login", r"\.pdf$"),
        link_selector="ul.board a",
        content_selector="div.view-body",
        remove_selectors=(".file-attach", "div.share"),
        ignore_text=("^Print this page$",),
        tags=("secretariat", "korea"),
        enabled=False,
        line=_line_of(FULL_EXAMPLE, "  - name: full"),
    )
    minimal = Source(
        name="minimal",
        url="http://example.com",
        schedule=Schedule(interval_seconds=7200.0),
        timeout=30.0,
        user_agent="test-agent/1.0 (+https://example.org/bot)",
        respect_robots=False,
        per_host_concurrency=4,
        per_host_delay=500.0,
        max_new_articles_per_run=20,
        max_page_bytes=512 * 1024,
        recheck_after=(1800.0, 7200.0, 86400.0),
        line=_line_of(FULL_EXAMPLE, "  - name: minimal"),
    )
    assert config.sources == (full, minimal)
    assert config.enabled_sources == (minimal,)
    assert config.source("full") is config.sources[0]
    assert config.channels == (
        Channel(
            name="hook",
            type="webhook",
            url="https://hooks.example.org/nea",
            secret_env="NEA_TEST_SECRET",
            events=("article.new", "page.changed"),
            sources=("full",),
            tags=("secretariat",),
            timeout=5.0,
            max_attempts=3,
        ),
        Channel(
            name="apprise-1",
            type="apprise",
            url="mailto://ops@example.org",
            template="{title}: {url}",
            digest=3600.0,
        ),
        Channel(
            name="jsonl-2",
            type="jsonl",
            path=str(tmp_path / "conf" / "out" / "events.jsonl"),
        ),
        Channel(name="pg", type="postgres"),
    )
    # Loading the same text again gives an equal, hashable, frozen config.
    again = parse_config(FULL_EXAMPLE, str(config_path))
    assert again == config
    assert hash(again) == hash(config)


def test_source_line_is_the_line_of_the_item() -> None:
    text = "sources:\n\n  - name: a\n    url: https://a.example\n  -\n    name: b\n    url: https://b.example\n"
    config = parse_config(text)
    assert [s.line for s in config.sources] == [3, 6]


def test_defaults_merge_per_key() -> None:
    config = parse_config(
        textwrap.dedent(
            """\
            defaults:
              interval: 15m
              per_host_delay: 3s
            sources:
              - name: inherits
                url: https://a.example
              - name: overrides
                url: https://b.example
                interval: 6h
                per_host_delay: 0
                respect_robots: false
            """
        )
    )
    inherits, overrides = config.sources
    assert inherits.schedule == Schedule(interval_seconds=900.0)
    assert inherits.per_host_delay == 3.0
    assert inherits.respect_robots is True  # neither sets it: the built-in default
    assert overrides.schedule == Schedule(interval_seconds=21600.0)
    assert overrides.per_host_delay == 0.0
    assert overrides.respect_robots is False
    built_in = Source(name="x", url="https://x.example")
    for source in config.sources:
        assert source.timeout == built_in.timeout
        assert source.user_agent == built_in.user_agent
        assert source.max_page_bytes == built_in.max_page_bytes
        assert source.recheck_after == built_in.recheck_after


def test_explicit_null_means_not_set() -> None:
    config = parse_config(
        "defaults:\n  timeout: 5s\nsources:\n  - name: a\n    url: https://a.example\n"
        "    timeout: null\n"
    )
    assert config.sources[0].timeout == 5.0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "---\n",
        "sources:\n",
        "sources: []\n",
        "defaults:\nnotifications:\nsources:\n",
        "defaults:\n  interval: 5m\n",
    ],
)
def test_files_without_sources_are_valid(text: str) -> None:
    config = parse_config(text)
    assert config.sources == ()
    assert config.channels == ()


def test_yaml_1_1_surprises_are_plain_strings() -> None:
    """``no`` is Norwegian, not false (and ``1:30`` is not 90: see test_problems)."""
    config = parse_config(
        "sources:\n  - name: nrk\n    url: https://nrk.example\n    language: no\n"
        "    tags: [on, off, yes, 2026-01-01]\n"
    )
    assert config.sources[0].language == "no"
    assert config.sources[0].tags == ("on", "off", "yes", "2026-01-01")


def test_channel_defaults_and_names() -> None:
    config = parse_config(
        "notifications:\n  - type: postgres\n  - type: jsonl\n    path: /var/log/nea.jsonl\n"
    )
    pg, jsonl = config.channels
    assert pg == Channel(name="postgres-0", type="postgres", events=ALL_EVENT_TYPES)
    assert pg.timeout == 10.0
    assert pg.max_attempts == 8
    assert jsonl.path == "/var/log/nea.jsonl"


def test_relative_jsonl_path_without_a_directory_is_relative_to_cwd() -> None:
    config = parse_config("notifications:\n  - type: jsonl\n    path: events.jsonl\n")
    assert config.channels[0].path == os.path.abspath("events.jsonl")


def test_secret_env_need_not_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEA_WEBHOOK_SECRET", raising=False)
    config = parse_config(
        "notifications:\n  - type: webhook\n    url: https://h.example\n"
        "    secret_env: NEA_WEBHOOK_SECRET\n"
    )
    assert config.channels[0].secret_env == "NEA_WEBHOOK_SECRET"


def test_design_md_example_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEA_WEBHOOK_SECRET", raising=False)  # named, not required
    path = FIXTURES / "design_example.yaml"
    config = load_config(path)
    (source,) = config.sources
    assert source.name == "near-news"
    assert source.schedule == Schedule(interval_seconds=3600.0)
    assert source.encoding == "euc-kr"
    assert source.ignore == ("/login", r"\.pdf$")
    assert source.user_agent == "nea-monitor/1.0 (+https://example.org/about-bot)"
    assert [c.name for c in config.channels] == ["webhook-0", "apprise-1", "jsonl-2"]
    assert config.channels[0].secret_env == "NEA_WEBHOOK_SECRET"
    assert config.channels[0].events == ("article.new", "article.updated")
    assert config.channels[2].path == str(FIXTURES / "events.jsonl")


def test_shipped_sources_yaml_loads() -> None:
    config = load_config(REPO / "sources.yaml")
    assert isinstance(config, Config)
    assert len(config.sources) >= 10
    names = {s.name for s in config.sources}
    # The sites this product was started from (issue 18).
    assert {"near-secretariat-news", "cpaffc-news", "changchun-news", "iconnect007-ein",
            "forumnews-sl"} <= names  # fmt: skip
    for source in config.sources:
        assert source.url.startswith(("http://", "https://"))
        assert source.tags, source.name
        interval = source.schedule.interval_seconds
        assert interval is not None
        assert 30 * 60 <= interval <= 6 * 3600, source.name
        assert "nea-monitor" in source.user_agent
    assert [c.type for c in config.channels] == ["jsonl"]
    assert config.channels[0].path == str(REPO / "events.jsonl")
