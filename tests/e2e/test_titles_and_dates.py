"""A site's title affix learned across its pages, and publication dates stored as the
publisher meant them: a real daemon run over loopback into a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import select

from scraper.config import load_config
from scraper.once import run_once
from scraper.service import Service
from storage.models import ArticleRow, EventRow
from tests.support.httpserver import FixtureServer, Response

SITE = "China Neighborhood Affairs"
BODY = (
    "<p>Delegations from the regional governments of four countries met on the border "
    "to review the joint tourism route and the new customs procedures.</p>"
    "<p>The next meeting will be held in spring, the organisers said after the talks.</p>"
)
# (path, headline, publication date as the page writes it)
ARTICLES = [
    ("/news/1.html", "图们江论坛开幕", '<meta property="article:published_time" '
     'content="2020-02-24T21:25:54-05:00">'),
    ("/news/2.html", "边境旅游合作", "<p class='info'>发布时间：2005-08-22 19:13:18</p>"),
    ("/news/3.html", "会谈", "<p class='info'>작성일 : 24-05-21</p>"),
]  # fmt: skip


def article(headline: str, dated: str) -> bytes:
    head = dated if dated.startswith("<meta") else ""
    info = "" if head else dated
    return (
        f"<html><head><meta charset='utf-8'>{head}<title>{headline}_{SITE}</title></head>"
        f"<body><h1>{SITE}</h1><div class='content'>{info}{BODY}</div></body></html>"
    ).encode()


def listing() -> bytes:
    links = "".join(f"<li><a href='{path}'>{title}</a></li>" for path, title, _ in ARTICLES)
    return (
        f"<html><head><meta charset='utf-8'><title>新闻_{SITE}</title></head>"
        f"<body><ul class='board'>{links}</ul></body></html>"
    ).encode()


async def test_titles_lose_the_learned_site_name_and_dates_keep_the_publishers_day(
    tmp_path: Path, db_url: str
) -> None:
    with FixtureServer() as server:
        server.route("/news/", Response(body=listing()))
        for path, headline, dated in ARTICLES:
            server.route(path, Response(body=article(headline, dated)))
        config = tmp_path / "sources.yaml"
        config.write_text(
            f"sources:\n  - name: cnaf\n    url: {server.url('/news/')}\n    kind: listing\n"
            "    language: zh\n    follow: ['/news/\\d']\n"
        )
        service = await Service.open(load_config(config), db_url)
        try:
            await run_once(service, progress=False)
            async with service.store.transaction() as session:
                rows = (await session.scalars(select(ArticleRow).order_by(ArticleRow.url))).all()
                events = (await session.scalars(select(EventRow))).all()
        finally:
            await service.aclose()
    stored = [
        (r.title, r.published_at, r.published_date, r.published_time, r.published_utc_offset)
        for r in rows
    ]
    assert stored == [
        # an offset: the UTC instant, and the publisher's own day (the 24th, not the 25th)
        ("图们江论坛开幕", datetime(2020, 2, 25, 2, 25, 54, tzinfo=UTC), date(2020, 2, 24),
         time(21, 25, 54), -300),
        # a local time without an offset: no instant is invented
        ("边境旅游合作", None, date(2005, 8, 22), time(19, 13, 18), None),
        # a two-digit-year board date: the day only
        ("会谈", None, date(2024, 5, 21), None, None),
    ]  # fmt: skip
    payloads = sorted(
        (e.payload["article"]["published_date"], e.payload["article"]["published_at"])
        for e in events
    )
    assert payloads == [
        ("2005-08-22", None),
        ("2020-02-24", "2020-02-25T02:25:54Z"),
        ("2024-05-21", None),
    ]
