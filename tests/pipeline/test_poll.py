"""The poller's own logic (what it fetches, stores and announces, and when it saves a
listing's validators) against a real loopback site, on the in-memory store: these tests
need *a* store, and the contract tests (tests/storage/test_store_contract.py) hold the
fake to the real one. The poller against the real stores is covered end to end in
tests/e2e."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from scraper.config.types import Source
from scraper.fetch import Fetcher, FetchSettings
from scraper.pipeline.cpu import CpuPool
from scraper.pipeline.poll import Poller, PollReport
from scraper.pipeline.writer import ArticleWriter
from storage.sources_repo import SourceSpec
from tests.support.httpserver import FixtureServer, Response
from tests.support.memory_store import MemoryStore

PARAGRAPHS = (
    "The port authority announced on {day} that the new container terminal will open to "
    "ships from both countries next spring, after three years of construction work.",
    "Officials said the terminal would double the number of containers the port can handle, "
    "and that a rail link to the border crossing is planned for the following year.",
    "Shipping companies from the region have already booked slots for the first months, "
    "according to the authority, which expects traffic to grow by a fifth in {n} years.",
)


def article_page(n: int, day: str = "Monday") -> bytes:
    body = "".join(f"<p>{p.format(day=day, n=n + 2)}</p>" for p in PARAGRAPHS)
    return (
        f"<html><head><meta charset='utf-8'><title>Terminal news {n}</title></head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>Terminal news {n}</h1>{body}"
        f"<p>Report number {n} of the port series.</p></article></body></html>"
    ).encode()


def listing(*numbers: int) -> bytes:
    items = "".join(
        f"<li><a href='/news/{n}.html'>Terminal news number {n} of the port</a></li>"
        for n in numbers
    )
    return f"<html><head><title>News</title></head><body><ul>{items}</ul></body></html>".encode()


@pytest.fixture
def site() -> Iterator[FixtureServer]:
    with FixtureServer() as server:
        server.route("/robots.txt", Response(b"", status=404))
        server.route("/news/", Response(listing(1, 2), etag='"list-1"'))
        for n in (1, 2, 3):
            server.route(f"/news/{n}.html", Response(article_page(n)))
        yield server


@pytest.fixture
async def poller() -> AsyncIterator[tuple[Poller, MemoryStore]]:
    store = MemoryStore()
    writer = ArticleWriter(store, near_duplicates=True)
    settings = FetchSettings(retries=0)
    async with Fetcher(settings=settings) as fetcher:
        poller = Poller(
            fetcher=fetcher, store=store, writer=writer, cpu=CpuPool(workers=0),
            router_for=lambda _source: lambda _type: ["hook"],
        )  # fmt: skip
        try:
            yield poller, store
        finally:
            await writer.aclose()


def source_of(site: FixtureServer) -> Source:
    return Source(
        name="port", url=site.url("/news/"), kind="listing", per_host_delay=0.0,
        follow=(r"/news/\d+\.html$",),
    )  # fmt: skip


async def poll(poller: Poller, store: MemoryStore, source: Source) -> PollReport:
    ids = await store.sync_sources([SourceSpec(source.name, source.url, source.kind)])
    return await poller.poll(source, ids[source.name])


def event_types(store: MemoryStore) -> list[str]:
    return [event["type"] for event in store.events.values()]


async def test_a_first_poll_stores_and_announces_each_article_and_a_rerun_is_a_304(
    site: FixtureServer, poller: tuple[Poller, MemoryStore]
) -> None:
    the_poller, store = poller
    source = source_of(site)
    report = await poll(the_poller, store, source)
    assert (report.ok, report.links, report.new) == (True, 2, 2)
    assert sorted(a.url for a in store.articles.values()) == [
        site.url("/news/1.html"), site.url("/news/2.html")
    ]  # fmt: skip
    assert event_types(store) == ["article.new", "article.new"]
    assert store.validators[source.url] == ('"list-1"', None)
    state = await store.source_state("port")
    assert state is not None
    assert (state.consecutive_failures, state.last_links_found) == (0, 2)
    again = await poll(the_poller, store, source)
    assert (again.not_modified, again.new) == (1, 0)
    assert site.requests_for("/news/")[-1].conditional
    assert len(event_types(store)) == 2


async def test_a_missed_article_keeps_the_listing_unconfirmed_until_it_is_stored(
    site: FixtureServer, poller: tuple[Poller, MemoryStore]
) -> None:
    the_poller, store = poller
    source = source_of(site)
    site.route("/news/", Response(listing(1, 2, 3), etag='"list-2"'))
    site.route("/news/3.html", Response(b"busy", status=503))
    report = await poll(the_poller, store, source)
    assert (report.new, report.failed) == (2, 1)
    # Not saved: a 304 next time would hide article 3 for ever.
    assert source.url not in store.validators
    site.route("/news/3.html", Response(article_page(3)))
    report = await poll(the_poller, store, source)
    assert report.new == 1
    assert not site.requests_for("/news/")[-1].conditional
    assert store.validators[source.url] == ('"list-2"', None)


async def test_an_edited_article_is_a_new_version_and_a_repost_a_duplicate(
    site: FixtureServer, poller: tuple[Poller, MemoryStore]
) -> None:
    the_poller, store = poller
    source = source_of(site)
    await poll(the_poller, store, source)
    # The site edits article 1 (a re-check is due) and reposts article 2 under a new address.
    site.route("/news/1.html", Response(article_page(1, day="Tuesday")))
    site.route("/news/4.html", Response(article_page(2)))
    site.route("/news/", Response(listing(1, 2, 4), etag='"list-3"'))
    for article in store.articles.values():
        article.next_check_at = article.first_seen_at
    report = await poll(the_poller, store, source)
    assert (report.updated, report.new, report.duplicates) == (1, 0, 1)
    by_url = {a.url: a for a in store.articles.values()}
    assert by_url[site.url("/news/1.html")].version == 2
    assert by_url[site.url("/news/4.html")].duplicate_of == by_url[site.url("/news/2.html")].id
    assert sorted(event_types(store)[2:]) == ["article.duplicate", "article.updated"]


async def test_a_failing_listing_is_announced_once_after_three_polls(
    site: FixtureServer, poller: tuple[Poller, MemoryStore]
) -> None:
    the_poller, store = poller
    source = source_of(site)
    site.route("/news/", Response(b"down", status=503))
    reports = [await poll(the_poller, store, source) for _ in range(4)]
    assert [r.ok for r in reports] == [False] * 4
    assert event_types(store) == ["source.failing"]
    state = await store.source_state("port")
    assert state is not None
    assert state.consecutive_failures == 4
    site.route("/news/", Response(listing(1)))
    assert (await poll(the_poller, store, source)).ok
    assert event_types(store) == ["source.failing", "article.new", "source.recovered"]
