"""docs/reference/events.schema.json describes what the daemon really emits: every event
type is produced by real polls of fixture sites over loopback, and each payload, as the
JSONL channel wrote it and as ``events.payload`` stores it, must validate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sqlalchemy import select, update

from scraper.config import load_config
from scraper.once import run_once
from scraper.service import Service
from storage.models import ArticleRow, EventRow
from tests.sites import FixtureSites, english_article
from tests.support.httpserver import FixtureServer, Response

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "reference" / "events.schema.json"
WATCHED = "/watched.html"
BROKEN = "/gone/list.html"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.fixture
def sites() -> Iterator[FixtureSites]:
    with FixtureServer() as server:
        yield FixtureSites(server).install()


def _config(sites: FixtureSites, tmp_path: Path) -> Path:
    base = sites.server.base_url
    sites.server.route(
        WATCHED, Response(body=english_article("Office hours", ["Open 9-17."]).encode())
    )
    sites.server.route(BROKEN, Response(body=b"gone", status=404, content_type="text/plain"))
    text = sites.sources_yaml(jsonl_path=str(tmp_path / "events.jsonl"))
    text += f"""  - name: watched
    url: {base}{WATCHED}
    kind: page
  - name: broken
    url: {base}{BROKEN}
    kind: listing
"""
    path = tmp_path / "sources.yaml"
    path.write_text(text)
    return path


async def test_every_emitted_event_type_matches_the_schema(
    sites: FixtureSites, tmp_path: Path, sqlite_url: str, validator: jsonschema.protocols.Validator
) -> None:
    service = await Service.open(load_config(_config(sites, tmp_path)), sqlite_url)
    try:
        for _ in range(3):  # the third failed poll in a row makes `broken` failing
            await run_once(service, progress=False)
        # Everything changes: an article is edited, the watched page too, and the broken
        # source comes back.
        sites.edit_assembly("Update: the next assembly will be held in Ulaanbaatar in 2027.")
        sites.edit_assembly("The mirror adds a line of its own.", on_mirror=True)
        sites.server.route(
            WATCHED, Response(body=english_article("Office hours", ["Open 10-16."]).encode())
        )
        sites.server.route(BROKEN, Response(body=b"<html><body>No news.</body></html>"))
        async with service.store.transaction() as session:
            await session.execute(
                update(ArticleRow).values(next_check_at=datetime.now(UTC) - timedelta(minutes=1))
            )
        await run_once(service, progress=False)
        async with service.store.transaction() as session:
            stored: list[dict[str, Any]] = list(await session.scalars(select(EventRow.payload)))
    finally:
        await service.aclose()

    delivered = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert {e["type"] for e in stored} == {
        "article.new", "article.duplicate", "article.updated", "page.changed",
        "source.failing", "source.recovered",
    }  # fmt: skip
    assert sorted(e["id"] for e in delivered) == sorted(e["id"] for e in stored)
    for event in [*stored, *delivered]:
        errors = [e.message for e in validator.iter_errors(event)]
        assert not errors, (event, errors)


def test_the_schema_rejects_a_broken_event(validator: jsonschema.protocols.Validator) -> None:
    event: dict[str, object] = {
        "id": "1f0c3a52-8d4e-4b7a-9a57-0b1f2c3d4e5f", "type": "article.new",
        "occurred_at": "2026-11-22T19:25:52.123456Z", "source": "near-news",
    }  # fmt: skip
    assert not validator.is_valid(event)  # an article event without its article
    event["type"] = "source.recovered"
    event.update(error=None, reason=None, consecutive_failures=0, url="https://example.org/")
    assert validator.is_valid(event)
    event["occurred_at"] = "2026-11-22 19:25"
    assert not validator.is_valid(event)
