"""One article, one address, end to end (``run --once`` over loopback, real database):
a board article linked from two listing pages with different context parameters is
stored once; what the poller learns about those parameters makes later polls list it
under one address; the page's canonical URL is taken at its word; a listing page with
too many links is read up to ``max_links_per_page`` and the cut is reported."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from scraper.config import load_config
from scraper.once import run_once
from scraper.service import Service
from storage.models import ArticleRow, EventRow, SourceUrlParamRow
from tests.sites import (
    BOARD_LISTING,
    board_article,
    board_link,
    english_article,
    listing,
    serve_board,
)
from tests.support.httpserver import FixtureServer, Response

WORDS = [
    *("delegates", "regional", "governments", "cooperation", "tourism", "logistics"),
    *("environment", "youth", "exchange", "forum", "secretariat", "assembly", "declaration"),
    *("province", "prefecture", "aimag", "krai", "city", "port", "railway", "corridor"),
    *("trade", "investment", "energy", "agriculture", "fisheries", "culture", "education"),
    *("health", "disaster", "prevention", "maritime", "border", "customs", "expo"),
    *("roundtable", "summit", "memorandum", "partnership", "network", "committee"),
    *("working", "group", "research", "institute", "report", "survey", "winter", "harbour"),
]


def body(seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(60)) + "." for _ in range(3)]


def board_page(page_no: int, ids: list[int]) -> bytes:
    items = [(board_link(i, page_no), f"Secretariat news item number {i}") for i in ids]
    following = f"page.jsp?mnu_uid=2723&amp;pageNo={page_no + 1}"
    paging = f'<div class="paging"><a href="{following}">{page_no + 1}</a></div>'
    return listing(items).replace("</ul>", "</ul>" + paging).encode()


def article(bod_uid: int, *, canonical: bool = False) -> bytes:
    html = english_article(f"Secretariat news item number {bod_uid}", body(bod_uid))
    if canonical:
        link = f'<link rel="canonical" href="{board_article(bod_uid).rsplit("/", 1)[-1]}">'
        html = html.replace("</head>", link + "</head>")
    return html.encode()


BOARD_FOLLOW = "/page\\.jsp\\?(?:[^#]*&)?bod_uid=\\d+"


def config(tmp_path: Path, url: str, follow: str = BOARD_FOLLOW, *, cap: int = 1000) -> Path:
    """A sources.yaml with one source, ``url`` read as a listing."""
    path = tmp_path / "sources.yaml"
    path.write_text(f"""defaults:
  per_host_delay: 0s
  per_host_concurrency: 4
  max_links_per_page: {cap}
sources:
  - name: board
    url: {url}
    kind: listing
    follow: ['{follow}']
""")
    return path


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as server:
        serve_board(server)
        yield server


@pytest.fixture
async def opened(request: pytest.FixtureRequest, db_url: str) -> AsyncIterator[list[Service]]:
    services: list[Service] = []
    yield services
    for service in services:
        await service.aclose()


async def open_service(services: list[Service], path: Path, db_url: str) -> Service:
    service = await Service.open(load_config(path), db_url)
    services.append(service)
    return service


async def stored_urls(service: Service, base: str) -> list[str]:
    async with service.store.transaction() as session:
        rows = await session.scalars(select(ArticleRow.url).order_by(ArticleRow.id))
        return [url.removeprefix(base) for url in rows]


async def event_types(service: Service) -> list[str]:
    async with service.store.transaction() as session:
        return sorted((await session.scalars(select(EventRow.type))).all())


async def test_a_board_article_linked_from_two_listing_pages_is_stored_once(
    server: FixtureServer, tmp_path: Path, db_url: str, opened: list[Service]
) -> None:
    # Article 2 is on page 1 and, the board having moved on, on page 2 as well.
    server.route(BOARD_LISTING, Response(body=board_page(1, [1, 2])))
    server.route(f"{BOARD_LISTING}&pageNo=2", Response(body=board_page(2, [2, 3])))
    for i in (1, 2, 3):
        server.route(board_article(i), Response(body=article(i)))
    service = await open_service(opened, config(tmp_path, server.url(BOARD_LISTING)), db_url)

    (report,) = await run_once(service, progress=False)

    assert report.ok, report.summary()
    # Four board links and the footer's teaser (which 404s); article 2 is fetched twice
    # but stored once.
    assert (report.links, report.new, report.merged, report.duplicates) == (5, 3, 1, 0)
    urls = await stored_urls(service, server.base_url)
    assert len(urls) == 3
    assert sorted(int(u.split("bod_uid=")[1].split("&", 1)[0]) for u in urls) == [1, 2, 3]
    assert await event_types(service) == ["article.new"] * 3  # no article.duplicate


async def test_learned_context_gives_articles_one_address_and_spares_refetches(
    server: FixtureServer, tmp_path: Path, db_url: str, opened: list[Service]
) -> None:
    # Two different articles each reached from two pages: two contents agree that pageNo
    # leaves the page unchanged, which makes it a context parameter of this source.
    server.route(BOARD_LISTING, Response(body=board_page(1, [1, 2])))
    server.route(f"{BOARD_LISTING}&pageNo=2", Response(body=board_page(2, [1, 2, 3])))
    for i in (1, 2, 3):
        server.route(board_article(i), Response(body=article(i)))
    service = await open_service(opened, config(tmp_path, server.url(BOARD_LISTING)), db_url)

    (first,) = await run_once(service, progress=False)
    assert (first.new, first.merged) == (3, 2)
    async with service.store.transaction() as session:
        learned = {r.name: r for r in await session.scalars(select(SourceUrlParamRow))}
    assert set(learned) == {"pageno"}
    assert learned["pageno"].evidence == 2
    assert learned["pageno"].via == "content"

    # The next poll lists the articles without pageNo; the stored ones take that address.
    (second,) = await run_once(service, progress=False)
    assert (second.new, second.duplicates) == (0, 0)
    urls = await stored_urls(service, server.base_url)
    assert len(urls) == 3
    assert not [u for u in urls if "pageNo" in u], urls
    assert all("srchBgUid=-1" in u for u in urls)  # never varied: never learned

    # From then on the articles are known by their one address: nothing is re-fetched.
    server.clear_requests()
    (third,) = await run_once(service, progress=False)
    assert (third.new, third.merged, third.duplicates) == (0, 0, 0)
    fetched = [r.path for r in server.requests if "bod_uid" in r.path]
    assert fetched == [board_article(59300)]  # only the footer's teaser, which 404s
    assert await event_types(service) == ["article.new"] * 3


async def test_a_canonical_link_names_the_article(
    server: FixtureServer, tmp_path: Path, db_url: str, opened: list[Service]
) -> None:
    server.route(BOARD_LISTING, Response(body=board_page(1, [7])))
    server.route(f"{BOARD_LISTING}&pageNo=2", Response(body=board_page(2, [7])))
    server.route(board_article(7), Response(body=article(7, canonical=True)))
    service = await open_service(opened, config(tmp_path, server.url(BOARD_LISTING)), db_url)

    (report,) = await run_once(service, progress=False)

    assert (report.new, report.merged) == (1, 1)
    assert await stored_urls(service, server.base_url) == [board_article(7)]
    async with service.store.transaction() as session:
        names = {r.name: r.via for r in await session.scalars(select(SourceUrlParamRow))}
    assert names == {"pageno": "canonical", "srchbguid": "canonical", "srchenable": "canonical"}


async def test_a_listing_page_beyond_max_links_per_page_is_cut_and_reported(
    server: FixtureServer, tmp_path: Path, db_url: str, opened: list[Service]
) -> None:
    """A TRS-style column (Changchun's ``/news/xw/201807/t20180702_1881011.htm``) that
    suddenly lists 40 articles where the source allows 10 links per page."""
    ids = [1881011 + n for n in range(40)]
    rows = [(f"./201807/t20180702_{i}.htm", f"Changchun news headline number {i}") for i in ids]
    page = listing(rows)
    server.route("/news/xw/", Response(body=page.encode()))
    for i in ids:
        server.route(f"/news/xw/201807/t20180702_{i}.htm", Response(body=article(i)))
    trs = "/news/xw/\\d{6}/t\\d{8}_\\d+\\.html?$"
    path = config(tmp_path, server.url("/news/xw/"), trs, cap=10)
    service = await open_service(opened, path, db_url)

    (report,) = await run_once(service, progress=False)

    assert (report.links, report.new) == (10, 10)
    # Reading stops at the 11th article link: it and every anchor after it go unread.
    eleventh = page[: page.index(f'href="./201807/t20180702_{ids[10]}.htm"')].count("<a ") - 1
    assert report.links_cut == page.count("<a ") - eleventh
    assert report.links_cut > 30
    assert "links cut at max_links_per_page" in report.summary()
    urls = await stored_urls(service, server.base_url)
    assert urls[0].startswith("/news/xw/201807/t20180702_18810")
