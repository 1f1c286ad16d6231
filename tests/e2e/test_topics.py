"""Topics end to end: ``scraper run --once`` (a real process) polls the fixture sites over
loopback into a real database; every article event lists the topics its article matches,
and a channel with ``topics:`` receives only those events. A reload of the topics in a
running service applies to the next events."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from scraper.config import diff_configs, parse_config
from scraper.once import run_once
from scraper.service import Service
from storage.models import ArticleRow, EventRow
from tests.sites import FixtureSites
from tests.support.httpserver import FixtureServer

TOPICS = """topics:
  - name: expo
    terms: ["东北亚博览会"]
  - name: assembly
    terms: ["ＰＯＨＡＮＧ", "ulaanbaatar"]
  - name: korea
    terms: ["실무위원"]
  - name: nowhere
    terms: ["zzzz-never"]
"""


@pytest.fixture
def sites() -> Iterator[FixtureSites]:
    with FixtureServer() as server:
        yield FixtureSites(server).install()


def _config(sites: FixtureSites, tmp_path: Path, desk_topics: str = "[expo]") -> str:
    text = sites.sources_yaml(jsonl_path=str(tmp_path / "all.jsonl"))
    desk = (
        "notifications:\n  - type: jsonl\n    name: expo-desk\n"
        f"    path: {tmp_path / 'desk.jsonl'}\n    topics: {desk_topics}\n"
    )
    return text.replace("notifications:\n", desk, 1) + TOPICS


def _events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _topics_by_path(events: list[dict[str, Any]], base: str) -> dict[str, list[str]]:
    return {e["article"]["url"].removeprefix(base): e["topics"] for e in events}


def test_run_once_lists_topics_in_payloads_and_filters_the_topic_channel(
    sites: FixtureSites, tmp_path: Path, db_url: str
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(_config(sites, tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "scraper", "run", "--once", "--config", str(config), "--db", db_url],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    base = sites.server.base_url
    everything = _events(tmp_path / "all.jsonl")
    assert _topics_by_path(everything, base) == {
        FixtureSites.ASSEMBLY: ["assembly"],  # full-width ＰＯＨＡＮＧ found "Pohang"
        FixtureSites.MIRROR_COPY: ["assembly"],  # the duplicate lists them too
        FixtureSites.EXPO: ["expo"],  # inside a run of Han without spaces
        FixtureSites.COMMITTEE: ["korea"],  # inside a Hangul word
    }
    assert sorted(e["type"] for e in everything) == [
        "article.duplicate", "article.new", "article.new", "article.new",
    ]  # fmt: skip
    desk = _events(tmp_path / "desk.jsonl")
    assert [(e["type"], e["topics"]) for e in desk] == [("article.new", ["expo"])]
    assert desk[0]["article"]["url"] == base + FixtureSites.EXPO


async def test_reloaded_topics_apply_to_the_next_events(
    sites: FixtureSites, tmp_path: Path, db_url: str
) -> None:
    service = await Service.open(parse_config(_config(sites, tmp_path)), db_url)
    try:
        await run_once(service, progress=False)
        # The operator edits sources.yaml: a new topic, and the desk follows it instead.
        reloaded = _config(sites, tmp_path, desk_topics="[cooperation]")
        reloaded += '  - name: cooperation\n    terms: ["joint DECLARATION"]\n'
        await service.apply_config(parse_config(reloaded))
        original = await _assembly_original(service, sites)
        sites.edit_assembly("Update: the next assembly will be held in Ulaanbaatar in 2027.",
                            on_mirror=original.endswith(FixtureSites.MIRROR_COPY))  # fmt: skip
        async with service.store.transaction() as session:  # time passes: re-check due
            await session.execute(
                update(ArticleRow).values(next_check_at=datetime.now(UTC) - timedelta(minutes=1))
            )
        await run_once(service, progress=False)
        async with service.store.transaction() as session:
            updated = (
                await session.scalars(select(EventRow).where(EventRow.type == "article.updated"))
            ).one()
    finally:
        await service.aclose()
    assert updated.payload["topics"] == ["assembly", "cooperation"]
    desk = _events(tmp_path / "desk.jsonl")
    assert [(e["type"], e["topics"]) for e in desk] == [
        ("article.new", ["expo"]),  # routed before the reload
        ("article.updated", ["assembly", "cooperation"]),
    ]


async def _assembly_original(service: Service, sites: FixtureSites) -> str:
    async with service.store.transaction() as session:
        rows = (await session.execute(select(ArticleRow.url, ArticleRow.duplicate_of))).all()
    return next(
        url for url, dup in rows
        if dup is None and url.endswith((FixtureSites.ASSEMBLY, FixtureSites.MIRROR_COPY))
    )  # fmt: skip


def test_topic_changes_are_part_of_the_reload_diff(sites: FixtureSites, tmp_path: Path) -> None:
    old = parse_config(_config(sites, tmp_path))
    moved = dataclasses.replace(
        old, topics=tuple(dataclasses.replace(t, line=t.line + 3) for t in old.topics)
    )
    assert not diff_configs(old, moved)
    new = parse_config(_config(sites, tmp_path) + '  - name: more\n    terms: ["x"]\n')
    assert diff_configs(old, new).topics_changed
