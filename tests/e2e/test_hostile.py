"""A run over a farm of hostile sources next to a healthy one: each failure is recorded on
its own source with a clear error, the healthy source is unaffected, and nothing stored
changes. Sources are configured with tight limits so the run stays fast."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from scraper.config import load_config
from scraper.once import run_once
from scraper.service import Service
from storage.models import ArticleRow, ArticleVersionRow, SourceRow
from tests.sites import FixtureSites
from tests.support import faults
from tests.support.httpserver import FixtureServer, Response

# source name → (route, a word the recorded error must contain)
HOSTILE = {
    "resets": (faults.reset(), "connection"),
    "error-500": (faults.status(500), "500"),
    "rate-limited": (faults.status(429, {"Retry-After": "3600"}), "429"),
    "slow-drip": (faults.slow_drip(interval=0.2, limit_seconds=8), "not complete within"),
    "endless": (faults.endless_body(), "body over"),
    "gzip-bomb": (faults.gzip_bomb(), "decoded body over"),
    "loop": (faults.redirect("/hostile/loop"), "redirect"),
    "image": (
        Response(body=b"\x89PNG\r\n\x1a\n" + b"\0" * 100, content_type="image/png"),
        "content type",
    ),
    "robots-banned": (Response(body=b"<html></html>"), "robots.txt disallows"),
}


async def test_hostile_sources_fail_alone_and_change_nothing(tmp_path: Path, db_url: str) -> None:
    with FixtureServer() as server, FixtureServer() as banned:
        sites = FixtureSites(server).install()
        for name, (route, _) in HOSTILE.items():
            server.route(f"/hostile/{name}", route)
        banned.route("/robots.txt", Response(body=b"User-agent: *\nDisallow: /\n",
                                             content_type="text/plain"))  # fmt: skip
        banned.route("/hostile/robots-banned", HOSTILE["robots-banned"][0])
        lines = [sites.sources_yaml(jsonl_path=str(tmp_path / "e.jsonl"))]
        for name in HOSTILE:
            host = banned if name == "robots-banned" else server
            lines.append(
                f"  - name: {name}\n    url: {host.url(f'/hostile/{name}')}\n"
                "    kind: listing\n    timeout: 3s\n    max_page_bytes: 1MB\n"
            )
        config = tmp_path / "sources.yaml"
        config.write_text("".join(lines))
        service = await Service.open(load_config(config), db_url)
        try:
            await run_once(service, progress=False)
            before = await _snapshot(service)
            reports = {r.source: r for r in await run_once(service, progress=False)}
            after = await _snapshot(service)
            async with service.store.transaction() as session:
                rows = {s.name: s for s in await session.scalars(select(SourceRow))}
        finally:
            await service.aclose()

    assert reports["near-news"].ok
    assert rows["near-news"].last_status == "ok"
    assert before == after  # the second pass over hostile hosts changed no stored data
    assert len(before[0]) == 4
    for name, (_, word) in HOSTILE.items():
        row = rows[name]
        assert row.last_status == "failed", name
        assert row.consecutive_failures == 2, name
        assert word in (row.last_error or "").lower(), (name, row.last_error)


async def _snapshot(service: Service) -> tuple[list[tuple[str, str, int]], int]:
    async with service.store.transaction() as session:
        articles = [
            (a.url, a.content_hash, a.version)
            for a in await session.scalars(select(ArticleRow).order_by(ArticleRow.url))
        ]
        versions = len((await session.scalars(select(ArticleVersionRow.id))).all())
    return articles, versions
