"""What an operator relies on beyond storing articles: preview while adding a site, and the
product noticing on its own that a site changed under it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from scraper.config import load_config
from scraper.once import run_once
from scraper.service import Service
from storage.models import EventRow
from tests.sites import FixtureSites
from tests.support.httpserver import FixtureServer, Response

BROKEN_LISTING = b"""<html><body><div id="app">Loading...</div>
<script src="/static/app.js"></script></body></html>"""


def test_preview_shows_links_and_articles_and_stores_nothing(tmp_path: Path) -> None:
    with FixtureServer() as server:
        sites = FixtureSites(server).install()
        config = tmp_path / "sources.yaml"
        config.write_text(sites.sources_yaml(jsonl_path=str(tmp_path / "e.jsonl")))
        result = subprocess.run(
            [sys.executable, "-m", "scraper", "preview", "near-news", "--config", str(config),
             "--limit", "2"],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
            env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "article links" in result.stdout
    assert "bod_uid=59382" in result.stdout
    # Piped: the links are tab-separated rows, not a drawn table.
    assert any(line.startswith("1\thttp") for line in result.stdout.splitlines())
    assert "┃" not in result.stdout
    assert "─" not in result.stdout  # nor a rule drawn above each article
    assert "# NEAR holds 15th General Assembly in Pohang" in result.stdout.splitlines()
    assert "NEAR holds 15th General Assembly in Pohang" in result.stdout  # extracted title
    assert "General Assembly in Pohang on 12 September" in result.stdout  # extracted text
    assert list(tmp_path.glob("*.db")) == []
    assert not (tmp_path / "e.jsonl").exists()


async def test_listing_that_stops_yielding_links_raises_failing_then_recovers(
    tmp_path: Path, db_url: str
) -> None:
    with FixtureServer() as server:
        sites = FixtureSites(server).install()
        config = tmp_path / "sources.yaml"
        config.write_text(sites.sources_yaml(jsonl_path=str(tmp_path / "e.jsonl")))
        service = await Service.open(load_config(config), db_url)
        try:
            await run_once(service, progress=False)
            good_listing = server.lookup(FixtureSites.LISTING)
            server.route(FixtureSites.LISTING, Response(body=BROKEN_LISTING))  # a redesign
            broken = await run_once(service, progress=False)
            assert good_listing is not None
            server.route(FixtureSites.LISTING, good_listing)
            await run_once(service, progress=False)
            async with service.store.transaction() as session:
                events = (
                    await session.scalars(
                        select(EventRow)
                        .where(EventRow.type.startswith("source."))
                        .order_by(EventRow.created_at)
                    )
                ).all()
        finally:
            await service.aclose()
    near = next(r for r in broken if r.source == "near-news")
    assert near.ok  # the fetch worked: this is not a transport failure
    assert [e.type for e in events] == ["source.failing", "source.recovered"]
    assert "listing structure changed?" in events[0].payload["reason"]
    # The redesign is a page its scripts fill in: the reason says what to do about it.
    assert "try render: browser" in events[0].payload["reason"]
    assert events[0].payload["source"] == "near-news"
