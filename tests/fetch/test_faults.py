"""Fault injection: every misbehaviour of a hostile or broken server ends in one clear,
typed ``FetchError``, within the limits, without leaking httpx errors."""

from __future__ import annotations

import time

import httpx
import pytest

from scraper.config.types import Source
from scraper.errors import (
    HTTPStatusError,
    ResponseTooLarge,
    TooManyRedirects,
    TransportError,
    UnsafeURL,
    UnsupportedContentType,
)
from scraper.fetch import DeadlineExceeded, Fetcher, FetchSettings
from tests.fetch.conftest import RecordingSleep, make_source
from tests.support.faults import (
    delayed,
    endless_body,
    gzip_bomb,
    redirect,
    reset,
    sequence,
    slow_drip,
    status,
)
from tests.support.httpserver import FixtureServer, Response

OK = Response(body=b"<html><body><p>ok</p></body></html>")


async def test_latency_within_timeout_succeeds(server: FixtureServer, fetcher: Fetcher) -> None:
    server.route("/slow", delayed(OK, 0.3))
    page = await fetcher.fetch(server.url("/slow"), make_source(server, timeout=3.0))
    assert page.status == 200
    assert page.elapsed >= 0.3


async def test_latency_past_timeout_is_a_transport_error(
    server: FixtureServer, fetcher: Fetcher
) -> None:
    server.route("/slow", delayed(OK, 1.0))
    with pytest.raises(TransportError) as caught:
        await fetcher.fetch(server.url("/slow"), make_source(server, timeout=0.2))
    assert caught.value.url == server.url("/slow")


async def test_connection_reset_is_retried_then_raised(
    server: FixtureServer, fetcher: Fetcher, sleeps: RecordingSleep
) -> None:
    server.route("/reset", reset())
    with pytest.raises(TransportError) as caught:
        await fetcher.fetch(server.url("/reset"), make_source(server))
    assert caught.value.source == "test-site"
    assert len(server.requests_for("/reset")) == 3  # first try + 2 retries
    assert len(sleeps.calls) == 2


async def test_connection_reset_then_success(server: FixtureServer, fetcher: Fetcher) -> None:
    server.route("/flaky", sequence(reset(), OK))
    page = await fetcher.fetch(server.url("/flaky"), make_source(server))
    assert page.status == 200


@pytest.mark.parametrize("code", [500, 503])
async def test_server_error_is_retried_then_raised(
    server: FixtureServer, fetcher: Fetcher, sleeps: RecordingSleep, code: int
) -> None:
    server.route("/err", status(code))
    with pytest.raises(HTTPStatusError) as caught:
        await fetcher.fetch(server.url("/err"), make_source(server))
    assert caught.value.status == code
    assert len(server.requests_for("/err")) == 3
    # exponential back-off with jitter: base 0.01 then 0.02, each scaled by [0.5, 1.5)
    assert 0.005 <= sleeps.calls[0] < 0.015
    assert 0.01 <= sleeps.calls[1] < 0.03


async def test_503_then_success(server: FixtureServer, fetcher: Fetcher) -> None:
    server.route("/err", sequence(status(503), OK))
    assert (await fetcher.fetch(server.url("/err"), make_source(server))).status == 200


async def test_not_found_is_not_retried(server: FixtureServer, fetcher: Fetcher) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        await fetcher.fetch(server.url("/missing"), make_source(server))
    assert caught.value.status == 404
    assert len(server.requests_for("/missing")) == 1


async def test_429_waits_for_retry_after(
    server: FixtureServer, fetcher: Fetcher, sleeps: RecordingSleep
) -> None:
    server.route("/busy", sequence(status(429, {"Retry-After": "7"}), OK))
    page = await fetcher.fetch(server.url("/busy"), make_source(server))
    assert page.status == 200
    assert 7.0 in sleeps.calls


async def test_429_with_long_retry_after_is_raised_at_once(
    server: FixtureServer, fetcher: Fetcher
) -> None:
    server.route("/busy", status(429, {"Retry-After": "3600"}))
    with pytest.raises(HTTPStatusError) as caught:
        await fetcher.fetch(server.url("/busy"), make_source(server))
    assert caught.value.status == 429
    assert caught.value.retry_after == 3600.0
    assert len(server.requests_for("/busy")) == 1


async def test_slow_drip_hits_the_page_deadline(server: FixtureServer, fetcher: Fetcher) -> None:
    server.route("/drip", slow_drip(interval=0.02))
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match=r"within 0\.5s"):
        await fetcher.fetch(server.url("/drip"), make_source(server, timeout=0.5))
    assert time.monotonic() - started < 2.0  # one attempt only: not retried
    assert len(server.requests_for("/drip")) == 1


async def test_endless_body_stops_at_the_size_cap(server: FixtureServer, fetcher: Fetcher) -> None:
    server.route("/endless", endless_body())
    with pytest.raises(ResponseTooLarge, match="over 1000000 bytes"):
        await fetcher.fetch(server.url("/endless"), make_source(server, max_page_bytes=1_000_000))


async def test_declared_length_over_cap_is_refused_unread(
    server: FixtureServer, fetcher: Fetcher
) -> None:
    server.route("/big", Response(body=b"x" * 2000))
    with pytest.raises(ResponseTooLarge, match="Content-Length 2000"):
        await fetcher.fetch(server.url("/big"), make_source(server, max_page_bytes=1000))


async def test_gzip_bomb_stops_at_the_decoded_cap(server: FixtureServer, fetcher: Fetcher) -> None:
    bomb = gzip_bomb(64 * 1024 * 1024)
    assert len(bomb.body) < 100_000
    server.route("/bomb", bomb)
    with pytest.raises(ResponseTooLarge, match="decoded body over"):
        await fetcher.fetch(server.url("/bomb"), make_source(server, max_page_bytes=1_000_000))


async def test_redirect_loop(server: FixtureServer, fetcher: Fetcher) -> None:
    server.route("/a", redirect("/b"))
    server.route("/b", redirect("/a"))
    with pytest.raises(TooManyRedirects, match="loop"):
        await fetcher.fetch(server.url("/a"), make_source(server))
    assert len(server.requests_for("/a")) == 1  # detected, not retried


async def test_redirect_chain_past_the_limit(server: FixtureServer, fetcher: Fetcher) -> None:
    for i in range(10):
        server.route(f"/r{i}", redirect(f"/r{i + 1}"))
    with pytest.raises(TooManyRedirects, match="more than 5"):
        await fetcher.fetch(server.url("/r0"), make_source(server))


async def test_redirect_to_another_scheme_is_unsafe(
    server: FixtureServer, fetcher: Fetcher
) -> None:
    server.route("/a", redirect("file:///etc/passwd"))
    with pytest.raises(UnsafeURL):
        await fetcher.fetch(server.url("/a"), make_source(server))


async def pretend_loopback_is_public(host: str) -> list[str]:
    """A resolver that makes 127.0.0.1 look like a public address (as a real public
    source would), while ``localhost`` and everything else resolve as they really do."""
    return ["93.184.215.14"] if host == "127.0.0.1" else ["127.0.0.1"]


async def test_redirect_to_private_address_from_public_source(
    server: FixtureServer, sleeps: RecordingSleep
) -> None:
    server.route("/start", redirect(f"http://localhost:{server.port}/admin"))
    server.route("/admin", OK)
    async with Fetcher(resolver=pretend_loopback_is_public, sleep=sleeps) as fetcher:
        with pytest.raises(UnsafeURL, match="private address") as caught:
            await fetcher.fetch(server.url("/start"), make_source(server))
    assert caught.value.url == f"http://localhost:{server.port}/admin"
    assert not server.requests_for("/admin")


async def test_discovered_private_url_refused_for_public_source(
    server: FixtureServer, sleeps: RecordingSleep
) -> None:
    server.route("/admin", OK)
    async with Fetcher(resolver=pretend_loopback_is_public, sleep=sleeps) as fetcher:
        with pytest.raises(UnsafeURL):
            await fetcher.fetch(f"http://[::1]:{server.port}/admin", make_source(server))
    assert not server.requests


async def test_private_source_may_fetch_its_own_host(
    server: FixtureServer, fetcher: Fetcher
) -> None:
    server.route("/start", redirect(server.url("/admin")))
    server.route("/admin", OK)
    page = await fetcher.fetch(server.url("/start"), make_source(server))
    assert page.final_url == server.url("/admin")


async def test_private_source_is_not_led_to_another_private_host(
    server: FixtureServer, fetcher: Fetcher
) -> None:
    """The exemption covers the source's own host only: 127.0.0.1 is not ``localhost``,
    nor 127.0.0.2, for this purpose."""
    for other in (f"http://localhost:{server.port}/admin", f"http://127.0.0.2:{server.port}/"):
        server.route("/start", redirect(other))
        with pytest.raises(UnsafeURL, match="only the source's own host") as caught:
            await fetcher.fetch(server.url("/start"), make_source(server))
        assert caught.value.url == other
    assert not server.requests_for("/admin")


METADATA = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"


async def test_private_source_is_not_led_to_the_cloud_metadata_address(
    sleeps: RecordingSleep,
) -> None:
    """An intranet source redirected to 169.254.169.254 (the metadata service of every
    big cloud). No socket is opened: the transport is a recording fake."""
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.host == "10.1.2.3":
            return httpx.Response(302, headers={"Location": METADATA})
        return httpx.Response(200, text="<html><body><p>role credentials</p></body></html>")

    source = Source(name="intranet", url="http://10.1.2.3/news/", respect_robots=False,
                    per_host_delay=0.0)  # fmt: skip
    async with Fetcher(transport=httpx.MockTransport(answer), sleep=sleeps) as fetcher:
        with pytest.raises(UnsafeURL, match=r"169\.254\.169\.254"):
            await fetcher.fetch("http://10.1.2.3/news/", source)
    assert asked == ["http://10.1.2.3/news/"]


async def test_wrong_content_type(server: FixtureServer, fetcher: Fetcher) -> None:
    server.route(
        "/img", Response(body=b"\x89PNG\r\n\x1a\n" + b"\0" * 100, content_type="image/png")
    )
    with pytest.raises(UnsupportedContentType, match="image/png"):
        await fetcher.fetch(server.url("/img"), make_source(server))


async def test_binary_body_under_octet_stream(server: FixtureServer, fetcher: Fetcher) -> None:
    server.route("/bin", Response(body=b"%PDF-1.4 ...", content_type="application/octet-stream"))
    with pytest.raises(UnsupportedContentType, match="not markup"):
        await fetcher.fetch(server.url("/bin"), make_source(server))


async def test_unasked_content_encoding(server: FixtureServer, fetcher: Fetcher) -> None:
    server.route("/br", Response(body=b"\x0b\x02", headers={"Content-Encoding": "br"}))
    with pytest.raises(UnsupportedContentType, match="content encoding 'br'"):
        await fetcher.fetch(server.url("/br"), make_source(server))


async def test_lying_charset_header(server: FixtureServer, fetcher: Fetcher) -> None:
    text = "东北亚地方政府合作论坛在长春召开，各方代表就经济走廊建设交换意见。"
    body = f"<html><body><p>{text}</p></body></html>".encode("gbk")
    server.route("/lie", Response(body=body, content_type="text/html; charset=utf-8"))
    page = await fetcher.fetch(server.url("/lie"), make_source(server))
    assert page.encoding == "gb18030"
    assert text in page.text


async def test_connection_refused(fetcher: Fetcher) -> None:
    with FixtureServer() as gone:
        url = gone.url("/x")
        source = make_source(gone)
    with pytest.raises(TransportError):
        await fetcher.fetch(url, source)


async def test_no_retries_setting(server: FixtureServer, sleeps: RecordingSleep) -> None:
    server.route("/err", status(502))
    async with Fetcher(settings=FetchSettings(retries=0), sleep=sleeps) as fetcher:
        with pytest.raises(HTTPStatusError):
            await fetcher.fetch(server.url("/err"), make_source(server))
    assert len(server.requests_for("/err")) == 1


async def test_reset_message_speaks_plainly(server: FixtureServer, fetcher: Fetcher) -> None:
    server.route("/reset", reset())
    with pytest.raises(TransportError, match="connection"):
        await fetcher.fetch(server.url("/reset"), make_source(server))
