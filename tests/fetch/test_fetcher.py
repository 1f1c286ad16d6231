"""The fetcher against a real loopback server: normal answers, politeness, conditional
GET, robots.txt. Fault injection is in test_faults.py."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import threading
import time

import httpx
import pytest

from scraper.errors import RobotsDisallowed
from scraper.fetch import Fetcher, FetchSettings, Validators, decode_page
from tests.fetch.conftest import RecordingSleep, make_source
from tests.support.faults import counting, delayed, redirect, status
from tests.support.httpserver import FixtureServer, Response

HTML = "<html><head><title>新闻</title></head><body><p>图们江区域合作</p></body></html>"


async def test_fetches_and_decodes(server: FixtureServer, fetcher: Fetcher) -> None:
    server.route("/news/1.html", Response(body=HTML.encode("utf-8"), etag='"v1"'))
    page = await fetcher.fetch(server.url("/news/1.html"), make_source(server))
    assert page.status == 200
    assert page.content_type == "text/html"
    assert page.encoding == "utf-8"
    assert "图们江" in page.text
    assert page.validators == Validators(etag='"v1"')
    assert not page.not_modified
    assert page.elapsed > 0
    request = server.requests_for("/news/1.html")[0]
    assert request.headers["user-agent"] == make_source(server).user_agent
    assert "gzip" in request.headers["accept-encoding"]


async def test_decoding_can_be_left_to_the_parser(server: FixtureServer, fetcher: Fetcher) -> None:
    """Articles are fetched undecoded and decoded in the CPU pool: the header's charset
    must travel with the bytes, and decoding there must give what the fetcher gives."""
    body = HTML.encode("gb18030")
    server.route("/gbk.html", Response(body=body, content_type="text/html; charset=GBK"))
    source = make_source(server)
    raw = await fetcher.fetch(server.url("/gbk.html"), source, decode=False)
    assert (raw.decoded, raw.text, raw.content) == (False, "", body)
    assert (raw.charset or "").lower() == "gbk"
    decoded = decode_page(raw, source.encoding)
    eager = await fetcher.fetch(server.url("/gbk.html"), source)
    assert (decoded.text, decoded.encoding) == (eager.text, eager.encoding)
    assert decoded.decoded
    assert "图们江" in decoded.text


async def test_gzip_transfer_is_undone(server: FixtureServer, fetcher: Fetcher) -> None:
    body = gzip.compress(HTML.encode("gb18030"))
    server.route(
        "/gz",
        Response(body=body, content_type="text/html; charset=gbk",
                 headers={"Content-Encoding": "gzip"}),
    )  # fmt: skip
    page = await fetcher.fetch(server.url("/gz"), make_source(server))
    assert page.encoding == "gb18030"
    assert "图们江区域合作" in page.text


async def test_gzipped_sitemap_file(server: FixtureServer, fetcher: Fetcher) -> None:
    xml = b'<?xml version="1.0"?><urlset><url><loc>http://x/1</loc></url></urlset>'
    server.route(
        "/sitemap.xml.gz", Response(body=gzip.compress(xml), content_type="application/x-gzip")
    )
    page = await fetcher.fetch(server.url("/sitemap.xml.gz"), make_source(server))
    assert page.content == xml
    assert page.content_type == "application/xml"


async def test_conditional_get_costs_one_304(server: FixtureServer, fetcher: Fetcher) -> None:
    lm = "Wed, 01 Jan 2025 00:00:00 GMT"
    server.route("/feed.xml", Response(body=b"<rss></rss>", content_type="application/rss+xml",
                                       etag='W/"abc"', last_modified=lm))  # fmt: skip
    source = make_source(server)
    first = await fetcher.fetch(server.url("/feed.xml"), source)
    assert first.validators == Validators(etag='W/"abc"', last_modified=lm)
    second = await fetcher.fetch(server.url("/feed.xml"), source, validators=first.validators)
    assert second.not_modified
    assert second.status == 304
    assert second.content == b""
    assert second.validators == first.validators
    requests = server.requests_for("/feed.xml")
    assert len(requests) == 2
    assert requests[1].headers["if-none-match"] == 'W/"abc"'
    assert requests[1].headers["if-modified-since"] == lm


async def test_follows_redirects_and_reports_final_url(
    server: FixtureServer, fetcher: Fetcher
) -> None:
    server.route("/old", redirect("/mid", 301))
    server.route("/mid", redirect(server.url("/new"), 307))
    server.route("/new", Response(body=HTML.encode()))
    page = await fetcher.fetch(server.url("/old"), make_source(server))
    assert page.url == server.url("/old")
    assert page.final_url == server.url("/new")


async def test_text_plain_html_is_sniffed(server: FixtureServer, fetcher: Fetcher) -> None:
    server.route("/p", Response(body=b"<!DOCTYPE html><html></html>", content_type="text/plain"))
    page = await fetcher.fetch(server.url("/p"), make_source(server))
    assert page.content_type == "text/html"


async def test_source_encoding_overrides(server: FixtureServer, fetcher: Fetcher) -> None:
    text = "동북아 지역 협력 뉴스"
    server.route(
        "/ko", Response(body=text.encode("euc-kr"), content_type="text/html; charset=utf-8")
    )
    page = await fetcher.fetch(server.url("/ko"), make_source(server, encoding="euc-kr"))
    assert page.text == text
    assert page.encoding == "cp949"


async def test_injected_transport_is_used_and_left_open(server: FixtureServer) -> None:
    server.route("/a", Response(body=b"<p>a</p>"))
    async with httpx.AsyncHTTPTransport() as transport:
        async with Fetcher(transport) as fetcher:
            page = await fetcher.fetch(server.url("/a"), make_source(server))
        assert page.text == "<p>a</p>"
        # Still usable after the fetcher closed: it was not the fetcher's to close.
        response = await transport.handle_async_request(httpx.Request("GET", server.url("/a")))
        await response.aclose()
        assert response.status_code == 200


async def test_cookies_set_by_a_redirect_are_sent_on_the_next_hop(
    server: FixtureServer, fetcher: Fetcher
) -> None:
    server.route(
        "/login",
        Response(status=302, headers={"Location": "/page", "Set-Cookie": "session=abc; Path=/"}),
    )
    server.route("/page", Response(body=b"<p>in</p>"))
    await fetcher.fetch(server.url("/login"), make_source(server))
    assert "session=abc" in server.requests_for("/page")[0].headers.get("cookie", "")
    assert "cookie" not in server.requests_for("/login")[0].headers


# Politeness ----------------------------------------------------------------------------


class InFlight:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def enter(self) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def exit(self) -> None:
        with self.lock:
            self.now -= 1


async def test_per_host_concurrency_is_capped(server: FixtureServer, fetcher: Fetcher) -> None:
    gauge = InFlight()
    server.route(
        "/slow", counting(delayed(Response(body=b"<p>x</p>"), 0.1), gauge.enter, gauge.exit)
    )
    source = make_source(server, per_host_concurrency=2)
    await asyncio.gather(*(fetcher.fetch(server.url(f"/slow?i={i}"), source) for i in range(6)))
    assert gauge.peak == 2


async def test_global_concurrency_cap(sleeps: RecordingSleep) -> None:
    gauge = InFlight()
    route = counting(delayed(Response(body=b"<p>x</p>"), 0.1), gauge.enter, gauge.exit)
    with FixtureServer("127.0.0.1") as one, FixtureServer("127.0.0.2") as two:
        one.route("/p", route)
        two.route("/p", route)
        async with Fetcher(settings=FetchSettings(max_concurrency=1), sleep=sleeps) as fetcher:
            jobs = [fetcher.fetch(s.url(f"/p?{i}"), make_source(s, per_host_concurrency=4))
                    for s in (one, two) for i in range(3)]  # fmt: skip
            await asyncio.gather(*jobs)
    assert gauge.peak == 1


class StampingTransport(httpx.AsyncHTTPTransport):
    """A real transport that notes when each request starts."""

    def __init__(self) -> None:
        super().__init__()
        self.starts: list[float] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.starts.append(time.monotonic())
        return await super().handle_async_request(request)


async def test_minimum_delay_between_requests_to_a_host(server: FixtureServer) -> None:
    server.route("/p", Response(body=b"<p>x</p>"))
    source = make_source(server, per_host_delay=0.2, per_host_concurrency=3)
    async with StampingTransport() as transport, Fetcher(transport) as fetcher:
        await asyncio.gather(*(fetcher.fetch(server.url(f"/p?{i}"), source) for i in range(3)))
    gaps = [b - a for a, b in itertools.pairwise(transport.starts)]
    assert len(gaps) == 2
    assert all(gap >= 0.19 for gap in gaps), gaps


# robots.txt ----------------------------------------------------------------------------

ROBOTS = b"""User-agent: *
Disallow: /private
Crawl-delay: 7
"""


async def test_robots_disallow_is_honoured_and_cached(
    server: FixtureServer, fetcher: Fetcher, sleeps: RecordingSleep
) -> None:
    server.route("/robots.txt", Response(body=ROBOTS, content_type="text/plain"))
    server.route("/private/1.html", Response(body=b"<p>secret</p>"))
    server.route("/news/1.html", Response(body=b"<p>news</p>"))
    source = make_source(server, respect_robots=True)
    with pytest.raises(RobotsDisallowed) as caught:
        await fetcher.fetch(server.url("/private/1.html"), source)
    assert caught.value.source == "test-site"
    assert not server.requests_for("/private/1.html")
    await fetcher.fetch(server.url("/news/1.html"), source)
    await fetcher.fetch(server.url("/news/1.html?again"), source)
    assert len(server.requests_for("/robots.txt")) == 1
    # Crawl-delay 7 spaces the requests to the host (the recorded sleeps are the waits).
    assert any(6.0 < s <= 7.0 for s in sleeps.calls), sleeps.calls


async def test_robots_ignored_when_told(server: FixtureServer, fetcher: Fetcher) -> None:
    server.route("/robots.txt", Response(body=ROBOTS, content_type="text/plain"))
    server.route("/private/1.html", Response(body=b"<p>secret</p>"))
    await fetcher.fetch(server.url("/private/1.html"), make_source(server, respect_robots=False))
    assert not server.requests_for("/robots.txt")


async def test_missing_robots_allows_all(server: FixtureServer, fetcher: Fetcher) -> None:
    server.route("/a", Response(body=b"<p>a</p>"))
    page = await fetcher.fetch(server.url("/a"), make_source(server, respect_robots=True))
    assert page.status == 200
    assert len(server.requests_for("/robots.txt")) == 1


async def test_unavailable_robots_disallows_for_now(
    server: FixtureServer, fetcher: Fetcher
) -> None:
    server.route("/robots.txt", status(503))
    server.route("/a", Response(body=b"<p>a</p>"))
    with pytest.raises(RobotsDisallowed, match="unavailable"):
        await fetcher.fetch(server.url("/a"), make_source(server, respect_robots=True))
    assert not server.requests_for("/a")


async def test_unavailable_robots_is_asked_again_later(server: FixtureServer) -> None:
    now = [1000.0]
    server.route("/robots.txt", status(500))
    server.route("/a", Response(body=b"<p>a</p>"))
    source = make_source(server, respect_robots=True)
    settings = FetchSettings(robots_error_ttl=60.0, retries=0)
    async with Fetcher(settings=settings, clock=lambda: now[0]) as fetcher:
        with pytest.raises(RobotsDisallowed):
            await fetcher.fetch(server.url("/a"), source)
        server.route(
            "/robots.txt", Response(body=b"User-agent: *\nAllow: /\n", content_type="text/plain")
        )
        with pytest.raises(RobotsDisallowed):
            await fetcher.fetch(server.url("/a"), source)  # still cached
        now[0] += 61
        page = await fetcher.fetch(server.url("/a"), source)
    assert page.status == 200
    assert len(server.requests_for("/robots.txt")) == 2


async def test_robots_is_fetched_once_for_concurrent_pages(
    server: FixtureServer, fetcher: Fetcher
) -> None:
    server.route("/robots.txt", delayed(Response(body=b"User-agent: *\nAllow: /\n",
                                                 content_type="text/plain"), 0.1))  # fmt: skip
    server.route("/p", Response(body=b"<p>x</p>"))
    source = make_source(server, respect_robots=True, per_host_concurrency=4)
    await asyncio.gather(*(fetcher.fetch(server.url(f"/p?{i}"), source) for i in range(8)))
    assert len(server.requests_for("/robots.txt")) == 1


def test_public_surface() -> None:
    import scraper.discover
    import scraper.fetch

    assert sorted(scraper.fetch.__all__) == [
        "BrowserSettings", "BrowserStats", "DeadlineExceeded", "FetchSettings", "Fetcher",
        "Page", "PageFetcher", "RobotsMemory", "Validators", "decode_page", "host_key",
    ]  # fmt: skip
    assert sorted(scraper.discover.__all__) == [
        "Discovery", "DocumentKind", "Link", "discover", "looks_scripted", "sniff_kind"
    ]  # fmt: skip
