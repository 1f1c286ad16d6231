"""robots.txt kept in the database: a new process (a new Fetcher on the same store) uses
what an earlier one fetched, for the rest of its lifetime. Real SQLite and PostgreSQL,
real HTTP over loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.errors import RobotsDisallowed
from scraper.fetch import Fetcher, FetchSettings
from storage.engine import create_engine
from storage.repository import Store
from tests.fetch.conftest import make_source
from tests.support.httpserver import FixtureServer, Response

ROBOTS = b"User-agent: *\nDisallow: /private/\n"


def site(server: FixtureServer, robots: Response) -> None:
    server.route("/robots.txt", robots)
    server.route("/news/1.html", Response(body=b"<html><body><p>News</p></body></html>"))
    server.route("/private/1.html", Response(body=b"<html><body><p>No</p></body></html>"))


async def fetch_as_new_process(
    store: Store, server: FixtureServer, path: str, settings: FetchSettings | None = None
) -> None:
    async with Fetcher(settings=settings, robots_memory=store) as fetcher:
        await fetcher.fetch(server.url(path), make_source(server, respect_robots=True))


async def test_a_new_process_uses_the_stored_robots_txt(
    store: Store, server: FixtureServer
) -> None:
    site(server, Response(body=ROBOTS, content_type="text/plain"))
    await fetch_as_new_process(store, server, "/news/1.html")
    await fetch_as_new_process(store, server, "/news/1.html")
    with pytest.raises(RobotsDisallowed):  # the stored rules still apply
        await fetch_as_new_process(store, server, "/private/1.html")
    assert len(server.requests_for("/robots.txt")) == 1
    # Past its lifetime the stored copy is fetched again.
    await fetch_as_new_process(store, server, "/news/1.html", FetchSettings(robots_ttl=0.0))
    assert len(server.requests_for("/robots.txt")) == 2


async def test_a_missing_robots_txt_is_remembered_as_no_rules(
    store: Store, server: FixtureServer
) -> None:
    site(server, Response(body=b"gone", status=404, content_type="text/plain"))
    await fetch_as_new_process(store, server, "/private/1.html")
    await fetch_as_new_process(store, server, "/private/1.html")
    assert len(server.requests_for("/robots.txt")) == 1


async def test_an_unavailable_robots_txt_is_not_remembered(
    store: Store, server: FixtureServer
) -> None:
    site(server, Response(body=b"down", status=503, content_type="text/plain"))
    settings = FetchSettings(retries=0)
    for _ in range(2):
        with pytest.raises(RobotsDisallowed, match="unavailable"):
            await fetch_as_new_process(store, server, "/news/1.html", settings)
    assert len(server.requests_for("/robots.txt")) == 2


async def test_a_database_without_the_table_only_costs_the_refetch(
    tmp_path: Path, server: FixtureServer
) -> None:
    site(server, Response(body=ROBOTS, content_type="text/plain"))
    unmigrated = Store(create_engine(f"sqlite:///{tmp_path / 'empty.db'}"))
    try:
        for _ in range(2):
            await fetch_as_new_process(unmigrated, server, "/news/1.html")
    finally:
        await unmigrated.aclose()
    assert len(server.requests_for("/robots.txt")) == 2
