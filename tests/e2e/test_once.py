"""`run --once` end to end: local fixture sites over real HTTP, a real database (SQLite
file and PostgreSQL), a real webhook receiver that checks signatures, a JSONL sink."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from scraper.config import load_config
from scraper.once import run_once
from scraper.service import Service
from storage.models import ArticleRow, ArticleVersionRow, DeliveryRow, EventRow
from tests.sites import FixtureSites
from tests.support.httpserver import FixtureRequestHandler, FixtureServer

SECRET = "test-webhook-secret"
CHROME = [
    *("Skip to content", "Copyright", "Suggested Items", "File attachment", "Share:"),
    *("Home>>News", "Reading time", "본문 바로가기", "첨부파일", "版权所有", "打印本页"),
]


@dataclass
class World:
    sites: FixtureSites
    hook: FixtureServer
    received: list[dict[str, object]]
    config_path: Path
    jsonl: Path


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("NEA_TEST_WEBHOOK_SECRET", SECRET)
    received: list[dict[str, object]] = []

    def receive(handler: FixtureRequestHandler) -> None:
        body = handler.request_body
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        if handler.headers.get("X-Nea-Signature") != expected:
            handler.send_plain(401, b"bad signature")
            return
        event = json.loads(body)
        assert handler.headers.get("X-Nea-Event-Id") == event["id"]
        received.append(event)
        handler.send_plain(200, b"ok")

    with FixtureServer() as site, FixtureServer() as hook:
        hook.route("/hook", receive)
        sites = FixtureSites(site).install()
        jsonl = tmp_path / "events.jsonl"
        config_path = tmp_path / "sources.yaml"
        config_path.write_text(
            sites.sources_yaml(jsonl_path=str(jsonl), webhook_url=hook.url("/hook"))
        )
        yield World(sites, hook, received, config_path, jsonl)


@pytest.fixture
async def service(world: World, db_url: str) -> AsyncIterator[Service]:
    service = await Service.open(load_config(world.config_path), db_url)
    try:
        yield service
    finally:
        await service.aclose()


async def _scalar_count(service: Service, model: type, *where: object) -> int:
    async with service.store.transaction() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)  # type: ignore[arg-type]
        return int(await session.scalar(query) or 0)


async def test_first_run_stores_articles_and_notifies(world: World, service: Service) -> None:
    reports = await run_once(service, progress=False)

    assert all(r.ok for r in reports), [r.summary() for r in reports]
    async with service.store.transaction() as session:
        stored = await session.scalars(select(ArticleRow))
        articles = {a.url.removeprefix(world.sites.server.base_url): a for a in stored}
    sites = FixtureSites
    # One address per article: the board's listing context (pageNo, srch…) is not in it.
    assert set(articles) == {sites.ASSEMBLY, sites.EXPO, sites.COMMITTEE, sites.MIRROR_COPY}
    assembly, expo, committee = (articles[p] for p in (sites.ASSEMBLY, sites.EXPO, sites.COMMITTEE))
    assert assembly.title == "NEAR holds 15th General Assembly in Pohang"
    assert "General Assembly in Pohang on 12 September 2025" in assembly.text
    assert "中国—东北亚博览会在长春开幕" in expo.text  # GBK declared only in <meta>
    assert "실무위원회를 개최하고" in committee.text  # EUC-KR
    assert (assembly.language, expo.language, committee.language) == ("en", "zh", "ko")
    # the page gives the day only: the publisher's day is kept, no UTC instant invented
    assert expo.published_date is not None
    assert expo.published_date.isoformat() == "2025-08-26"
    assert expo.published_at is None
    for article in articles.values():
        assert not [c for c in CHROME if c in article.text], (article.url, article.text)
        assert article.version == 1
    # The sources are polled concurrently: whichever copy was stored first is the original.
    mirror = articles[sites.MIRROR_COPY]
    assert {mirror.duplicate_of, assembly.duplicate_of} in ({assembly.id, None}, {mirror.id, None})

    async with service.store.transaction() as session:
        types = sorted((await session.scalars(select(EventRow.type))).all())
    assert types == ["article.duplicate", "article.new", "article.new", "article.new"]
    lines = [json.loads(line) for line in world.jsonl.read_text().splitlines()]
    assert sorted(e["type"] for e in lines) == types
    assert sorted(e["type"] for e in world.received) == types  # signature verified
    duplicate = next(e for e in lines if e["type"] == "article.duplicate")
    assert duplicate["duplicate_of"] in (assembly.id, mirror.id)
    new_event = next(e for e in lines if e["article"]["url"].endswith(sites.EXPO))
    assert new_event["source"] == "near-news"
    assert new_event["article"]["content_hash"] == expo.content_hash
    assert await _scalar_count(service, DeliveryRow, DeliveryRow.status != "delivered") == 0


async def test_unchanged_rerun_costs_a_304_and_sends_nothing(
    world: World, service: Service
) -> None:
    await run_once(service, progress=False)
    world.sites.server.clear_requests()
    before = len(world.jsonl.read_text().splitlines())

    await run_once(service, progress=False)

    listing = world.sites.server.requests_for(FixtureSites.LISTING)
    assert len(listing) == 1
    assert listing[0].conditional
    assert world.sites.server.requests_for(FixtureSites.ASSEMBLY) == []  # not re-fetched yet
    assert await _scalar_count(service, EventRow) == 4
    assert await _scalar_count(service, ArticleVersionRow) == 4
    assert len(world.jsonl.read_text().splitlines()) == before


async def test_edited_article_becomes_version_two(world: World, service: Service) -> None:
    await run_once(service, progress=False)
    # Edit the copy that was stored first (the original): an edited duplicate that stays
    # nearly the same as its original is, by design, not announced.
    async with service.store.transaction() as session:
        original = await session.scalar(
            select(ArticleRow).where(
                ArticleRow.duplicate_of.is_(None),
                ArticleRow.url.endswith(FixtureSites.ASSEMBLY)
                | ArticleRow.url.endswith(FixtureSites.MIRROR_COPY),
            )
        )
    assert original is not None
    on_mirror = original.url.endswith(FixtureSites.MIRROR_COPY)
    world.sites.edit_assembly(
        "Update: the next assembly will be held in Ulaanbaatar in 2027.", on_mirror=on_mirror
    )
    async with service.store.transaction() as session:  # time passes: the re-check is due
        await session.execute(
            update(ArticleRow).values(next_check_at=datetime.now(UTC) - timedelta(minutes=1))
        )

    reports = await run_once(service, progress=False)

    assert sum(r.updated for r in reports) == 1
    async with service.store.transaction() as session:
        assembly = await session.get(ArticleRow, original.id)
        assert assembly is not None
        assert assembly.version == 2
        assert "Ulaanbaatar" in assembly.text
        versions = (await session.scalars(
            select(ArticleVersionRow.version).where(ArticleVersionRow.article_id == assembly.id)
        )).all()  # fmt: skip
        updated = (await session.scalars(
            select(EventRow).where(EventRow.type == "article.updated")
        )).all()  # fmt: skip
    assert sorted(versions) == [1, 2]
    assert len(updated) == 1
    assert updated[0].payload["article"]["version"] == 2
    assert updated[0].payload["changes"]["lines_added"] >= 1
    assert any(e["type"] == "article.updated" for e in world.received)
