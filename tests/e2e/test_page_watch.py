"""`kind: page`: one page watched like a change-detection tool."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from scraper.config import load_config
from scraper.once import run_once
from scraper.service import Service
from storage.models import ArticleRow, ArticleVersionRow, EventRow
from tests.sites import english_article
from tests.support.httpserver import FixtureServer, Response

NOTICE = [
    "Applications for the 2026 NEAR youth exchange programme are open until 30 April.",
    "Member regions may nominate up to three participants each.",
]


def notice(visits: int, extra: str | None = None) -> bytes:
    paragraphs = [*NOTICE, f"This page has been viewed {visits} times."]
    if extra:
        paragraphs.insert(2, extra)
    return english_article("Youth exchange programme 2026", paragraphs).encode()


async def test_page_changes_become_versions_and_noise_is_ignored(
    tmp_path: Path, db_url: str
) -> None:
    with FixtureServer() as server:
        server.route("/notice.html", Response(body=notice(100)))
        config = tmp_path / "sources.yaml"
        config.write_text(
            "sources:\n  - name: youth-notice\n"
            f"    url: {server.url('/notice.html')}\n    kind: page\n"
            "    ignore_text: ['This page has been viewed \\d+ times\\.']\n"
        )
        service = await Service.open(load_config(config), db_url)
        try:
            await run_once(service, progress=False)  # baseline
            server.route("/notice.html", Response(body=notice(101)))  # only the counter moved
            await run_once(service, progress=False)
            server.route("/notice.html", Response(body=notice(
                102, "The deadline has been extended to 15 May.")))  # fmt: skip
            await run_once(service, progress=False)
            async with service.store.transaction() as session:
                page = await session.scalar(select(ArticleRow))
                versions = (await session.scalars(select(ArticleVersionRow.version))).all()
                events = (await session.scalars(select(EventRow))).all()
        finally:
            await service.aclose()
    assert page is not None
    assert page.version == 2
    assert "viewed" not in page.text
    assert "extended to 15 May" in page.text
    assert sorted(versions) == [1, 2]
    assert [e.type for e in events] == ["page.changed"]
    changes = events[0].payload["changes"]
    assert changes["lines_added"] == 1
    assert "extended to 15 May" in changes["excerpt"]
