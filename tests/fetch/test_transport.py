"""The per-origin connection pools under the fetcher's client, over real loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from scraper.fetch._transport import PerOriginTransport
from tests.support.httpserver import FixtureRequestHandler, FixtureServer

BODY = b"<html><body>" + b"x" * 200_000 + b"</body></html>"


class PortLog:
    """Which client port (connection) each request came in on."""

    def __init__(self) -> None:
        self.ports: list[int] = []

    def __call__(self, handler: FixtureRequestHandler) -> None:
        self.ports.append(handler.client_address[1])
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(BODY)))
        handler.end_headers()
        handler.wfile.write(BODY)


@pytest.fixture
def servers() -> Iterator[list[tuple[FixtureServer, PortLog]]]:
    started = []
    for _ in range(3):
        server, log = FixtureServer().start(), PortLog()
        server.route("/page", log)
        started.append((server, log))
    yield started
    for server, _ in started:
        server.stop()


async def test_requests_to_one_origin_reuse_its_connection(
    servers: list[tuple[FixtureServer, PortLog]],
) -> None:
    server, log = servers[0]
    async with httpx.AsyncClient(transport=PerOriginTransport()) as client:
        for _ in range(3):
            assert (await client.get(server.url("/page"))).content == BODY
    assert len(log.ports) == 3
    assert len(set(log.ports)) == 1


async def test_old_origins_are_closed_but_never_under_an_open_response(
    servers: list[tuple[FixtureServer, PortLog]],
) -> None:
    transport = PerOriginTransport(max_origins=1)
    (first, first_log), (second, _), (third, _) = servers
    async with httpx.AsyncClient(transport=transport) as client:
        async with client.stream("GET", first.url("/page")) as still_reading:
            # Two more origins arrive while the first one's body is still unread: its
            # pool is over the limit but must not be closed under the reader.
            assert (await client.get(second.url("/page"))).status_code == 200
            assert (await client.get(third.url("/page"))).status_code == 200
            assert b"".join([chunk async for chunk in still_reading.aiter_bytes()]) == BODY
        assert len(transport._pools) <= 2
        # Once the response is closed the old pool goes at the next new origin.
        await client.get(first.url("/page"))
        assert len(transport._pools) == 1
        assert len(first_log.ports) == 2
