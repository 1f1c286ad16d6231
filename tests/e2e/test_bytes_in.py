"""Bytes that lie about their charset, and bytes that are not text at all, end to end:
a real daemon run over loopback into a real database."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scraper.config import load_config
from scraper.once import run_once
from scraper.service import Service
from storage.models import ArticleRow, ArticleVersionRow
from tests.sites import KOREAN_BODY, english_article
from tests.support.httpserver import FixtureServer, Response

RANDOM_BYTES = 2 * 1024 * 1024


def watched_page(tmp_path: Path, url: str) -> Path:
    config = tmp_path / "sources.yaml"
    config.write_text(f"sources:\n  - name: watched\n    url: {url}\n    kind: page\n")
    return config


async def test_random_bytes_on_a_watched_page_are_flagged_not_stored(
    tmp_path: Path, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    noise = random.Random(7).randbytes(RANDOM_BYTES)
    with FixtureServer() as server:
        server.route("/page.html", Response(body=noise, content_type="text/html"))
        service = await Service.open(
            load_config(watched_page(tmp_path, server.url("/page.html"))), db_url
        )
        try:
            with caplog.at_level(logging.WARNING, logger="scraper.poll"):
                [report] = await run_once(service, progress=False)
            async with service.store.transaction() as session:
                stored = await session.scalar(select(func.count()).select_from(ArticleRow))
                versions = await session.scalar(select(func.count()).select_from(ArticleVersionRow))
            # The page comes back as text: it is stored then, as its first version.
            server.route("/page.html", Response(body=english_article("Notice", ["Open."]).encode()))
            [later] = await run_once(service, progress=False)
            async with service.store.transaction() as session:
                texts = (await session.scalars(select(ArticleVersionRow.text))).all()
        finally:
            await service.aclose()
    assert (stored, versions) == (0, 0)
    assert (report.undecodable, report.empty, report.ok) == (1, 1, True)
    assert "1 not text" in report.summary()
    flagged = [r.getMessage() for r in caplog.records if "decodes to no text" in r.getMessage()]
    assert flagged == [
        f"watched: {server.url('/page.html')} decodes to no text "
        "(binary data or an unknown charset); not stored"
    ]
    assert later.undecodable == 0
    assert texts == ["Open."]


def korean_page_without_meta() -> bytes:
    body = "".join(f"<p>{p}</p>" for p in KOREAN_BODY)
    html = (
        "<html><head><title>동북아 실무위원회 개최</title></head><body>"
        f"<h1>동북아 실무위원회 개최</h1><div class='board-view'>{body}</div></body></html>"
    )
    return html.encode("euc-kr")


async def test_euc_kr_served_as_iso_8859_1_is_stored_as_korean(tmp_path: Path, db_url: str) -> None:
    with FixtureServer() as server:
        server.route(
            "/page.html",
            Response(body=korean_page_without_meta(), content_type="text/html; charset=iso-8859-1"),
        )
        service = await Service.open(
            load_config(watched_page(tmp_path, server.url("/page.html"))), db_url
        )
        try:
            await run_once(service, progress=False)
            async with service.store.transaction() as session:
                page = await session.scalar(select(ArticleRow))
        finally:
            await service.aclose()
    assert page is not None
    assert page.title == "동북아 실무위원회 개최"
    assert page.text == "\n\n".join(KOREAN_BODY)
