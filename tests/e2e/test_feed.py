"""A feed source: the feed entry's `updated` moving forward brings a changed article back
at once, without waiting for its re-check."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from scraper.config import load_config
from scraper.once import run_once
from scraper.service import Service
from storage.models import ArticleRow, EventRow
from tests.sites import ENGLISH_BODY, english_article
from tests.support.httpserver import FixtureServer, Response


def rss(base: str, updated: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>NEAR news</title><link>{base}/</link>
<description>News</description>
<item><title>NEAR holds 15th General Assembly in Pohang</title>
<link>{base}/news/assembly.html</link><guid>{base}/news/assembly.html</guid>
<pubDate>{updated}</pubDate></item>
</channel></rss>""".encode()


async def test_feed_announced_change_is_fetched_at_once(tmp_path: Path, db_url: str) -> None:
    with FixtureServer() as server:
        base = server.base_url
        server.route("/feed.xml", Response(body=rss(base, "Fri, 12 Sep 2025 09:00:00 GMT"),
                                           content_type="application/rss+xml"))  # fmt: skip
        article = "/news/assembly.html"
        title = "NEAR holds 15th General Assembly in Pohang"
        server.route(article, Response(body=english_article(title, ENGLISH_BODY).encode()))
        config = tmp_path / "sources.yaml"
        config.write_text(
            f"defaults:\n  per_host_delay: 0s\nsources:\n"
            f"  - name: near-feed\n    url: {base}/feed.xml\n    kind: feed\n"
        )
        service = await Service.open(load_config(config), db_url)
        try:
            first = await run_once(service, progress=False)
            edited = [*ENGLISH_BODY, "Correction: 79 member regions took part, not 78."]
            server.route(article, Response(body=english_article(title, edited).encode()))
            server.route("/feed.xml", Response(body=rss(base, "Sat, 13 Sep 2025 10:00:00 GMT"),
                                               content_type="application/rss+xml"))  # fmt: skip
            second = await run_once(service, progress=False)
            async with service.store.transaction() as session:
                row = await session.scalar(select(ArticleRow))
                types = sorted((await session.scalars(select(EventRow.type))).all())
        finally:
            await service.aclose()
    assert (first[0].new, second[0].updated) == (1, 1)
    assert row is not None
    assert row.version == 2
    assert "79 member regions" in row.text
    assert types == ["article.new", "article.updated"]


async def test_backlog_takes_the_newest_first_and_drains_on_later_polls(
    tmp_path: Path, db_url: str
) -> None:
    items = [
        (f"/news/{day:02d}.html", f"Sat, {day:02d} Sep 2025 09:00:00 GMT") for day in range(1, 7)
    ]
    with FixtureServer() as server:
        base = server.base_url
        entries = "".join(
            f"<item><title>Story {path}</title><link>{base}{path}</link>"
            f"<pubDate>{date}</pubDate></item>"
            for path, date in items
        )
        feed = f'<?xml version="1.0"?><rss version="2.0"><channel>{entries}</channel></rss>'
        server.route("/feed.xml", Response(body=feed.encode(), content_type="application/rss+xml",
                                           etag='"v1"'))  # fmt: skip
        for index, (path, _) in enumerate(items):
            body = [f"Story number {index} about regional cooperation in Northeast Asia. " * 5]
            server.route(path, Response(body=english_article(f"Story {index}", body).encode()))
        config = tmp_path / "sources.yaml"
        config.write_text(
            f"defaults:\n  per_host_delay: 0s\n  max_new_articles_per_run: 4\nsources:\n"
            f"  - name: near-feed\n    url: {base}/feed.xml\n    kind: feed\n"
        )
        service = await Service.open(load_config(config), db_url)
        try:
            await run_once(service, progress=False)
            async with service.store.transaction() as session:
                first = sorted((await session.scalars(select(ArticleRow.url))).all())
            await run_once(service, progress=False)
            async with service.store.transaction() as session:
                second = (await session.scalars(select(ArticleRow.url))).all()
        finally:
            await service.aclose()
    assert [u.rsplit("/", 1)[1] for u in first] == ["03.html", "04.html", "05.html", "06.html"]
    assert len(second) == 6  # the feed was read again (no 304) and the rest was fetched
