"""The asyncio network backend under httpcore, over real loopback sockets (and real TLS)."""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator

import httpcore
import pytest
import trustme

from scraper.errors import TransportError
from scraper.fetch import Fetcher, FetchSettings
from scraper.fetch._network import _HIGH_WATER, AsyncioBackend, AsyncioStream
from scraper.fetch._transport import PerOriginTransport
from tests.fetch.conftest import make_source
from tests.support.httpserver import FixtureRequestHandler, FixtureServer, Response

PAGE = "<html><head><title>Ферри</title></head><body><p>Hello over TLS</p></body></html>"


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Let the event loop run until ``condition`` holds (or fail after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)


class RawServer:
    """A TCP server on 127.0.0.1 whose every connection is handled by ``serve(sock)``."""

    def __init__(self, serve: Callable[[socket.socket], None]) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._serve = serve
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket], None]], RawServer]]:
    started: list[RawServer] = []

    def start(serve: Callable[[socket.socket], None]) -> RawServer:
        started.append(RawServer(serve))
        return started[-1]

    yield start
    for server in started:
        server.close()


# TLS ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_server(ca: trustme.CA) -> Iterator[FixtureServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with FixtureServer(tls=context) as server:
        server.route("/news/1.html", Response(body=PAGE.encode()))
        yield server


async def test_https_pages_are_fetched_over_tls_and_the_connection_is_reused(
    ca: trustme.CA, https_server: FixtureServer
) -> None:
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)
    transport = PerOriginTransport(ssl_context=trusting)
    source = make_source(https_server)
    async with Fetcher(transport=transport) as fetcher:
        first = await fetcher.fetch(https_server.url("/news/1.html"), source)
        second = await fetcher.fetch(https_server.url("/news/1.html"), source)
    await transport.aclose()
    assert https_server.url("/").startswith("https://")
    assert first.text == second.text == PAGE
    assert len(https_server.requests_for("/news/1.html")) == 2


async def test_an_untrusted_certificate_is_a_transport_error(https_server: FixtureServer) -> None:
    async with Fetcher(settings=FetchSettings(retries=0)) as fetcher:
        with pytest.raises(TransportError, match=r"(?i)certificate"):
            await fetcher.fetch(https_server.url("/news/1.html"), make_source(https_server))
    assert https_server.requests_for("/news/1.html") == []


# Plain TCP -------------------------------------------------------------------------------


def closes_after_answering(handler: FixtureRequestHandler) -> None:
    """Answers as if the connection stays open (no ``Connection: close``), then hangs up,
    as servers with a short keep-alive timeout do between two requests."""
    body = b"<html><body>bye</body></html>"
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
    handler.wfile.flush()
    handler.close_connection = True


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    with FixtureServer() as server:
        server.route("/bye", closes_after_answering)
        transport = PerOriginTransport()
        async with Fetcher(transport=transport, settings=FetchSettings(retries=0)) as fetcher:
            source = make_source(server)
            await fetcher.fetch(server.url("/bye"), source)
            (pool,) = [p.connections for p in transport._pools.values()]
            # The pool must notice the hang-up on its own, before sending anything on it.
            await until(lambda: all(c.has_expired() for c in pool.connections))
            page = await fetcher.fetch(server.url("/bye"), source)
        await transport.aclose()
    assert page.text == "<html><body>bye</body></html>"
    assert len(server.requests_for("/bye")) == 2


async def test_a_silent_server_is_a_read_timeout(
    raw_server: Callable[[Callable[[socket.socket], None]], RawServer],
) -> None:
    hold = threading.Event()
    server = raw_server(lambda conn: (hold.wait(10), conn.close()))
    stream = await AsyncioBackend().connect_tcp("127.0.0.1", server.port, timeout=5)
    try:
        await stream.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5)
        with pytest.raises(httpcore.ReadTimeout):
            await stream.read(1024, timeout=0.05)
    finally:
        hold.set()
        await stream.aclose()


def reset(conn: socket.socket) -> None:
    conn.recv(1024)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


async def test_a_reset_is_a_read_error_and_then_a_write_error(
    raw_server: Callable[[Callable[[socket.socket], None]], RawServer],
) -> None:
    server = raw_server(reset)
    stream = await AsyncioBackend().connect_tcp("127.0.0.1", server.port, timeout=5)
    await stream.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5)
    with pytest.raises(httpcore.ReadError):
        await stream.read(1024, timeout=5)
    with pytest.raises(httpcore.WriteError):
        await stream.write(b"GET / HTTP/1.1\r\n\r\n", timeout=5)
    await stream.aclose()


async def test_a_refused_connection_is_a_connect_error() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # bound, never listening: connections are refused
        with pytest.raises(httpcore.ConnectError):
            await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)


async def test_a_fast_sender_is_paused_while_the_reader_lags_and_nothing_is_lost(
    raw_server: Callable[[Callable[[socket.socket], None]], RawServer],
) -> None:
    payload = bytes(range(256)) * (16 * _HIGH_WATER // 256)  # 16x the buffer bound

    def flood(conn: socket.socket) -> None:
        try:
            conn.sendall(payload)
        finally:
            conn.close()

    server = raw_server(flood)
    stream = await AsyncioBackend().connect_tcp("127.0.0.1", server.port, timeout=5)
    assert isinstance(stream, AsyncioStream)
    receiver = stream._receiver
    # Nobody reads: the socket stops being read once the buffer passes the bound.
    await until(lambda: len(receiver.buffer) > _HIGH_WATER)
    assert stream._transport.is_reading() is False
    assert len(receiver.buffer) < 2 * _HIGH_WATER
    received = bytearray()
    while chunk := await stream.read(65536, timeout=5):
        received += chunk
    assert received == payload
    await stream.aclose()


# Connections go to the checked addresses -------------------------------------------------


async def test_a_host_name_connects_to_the_addresses_its_check_judged() -> None:
    """The private-address check resolves a host name; the connection must use those
    addresses, not resolve the name again (a second answer could point elsewhere: DNS
    rebinding). ``site.test`` resolves nowhere but through the fetcher's resolver."""
    asked: list[str] = []

    async def resolver(host: str) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"] if host == "site.test" else []

    with FixtureServer() as server:
        server.route("/news/1.html", Response(body=PAGE.encode()))
        source = make_source(server, url=f"http://site.test:{server.port}/")
        async with Fetcher(resolver=resolver, settings=FetchSettings(retries=0)) as fetcher:
            page = await fetcher.fetch(f"http://site.test:{server.port}/news/1.html", source)
    assert page.text == PAGE
    assert asked == ["site.test"]  # one lookup: the check's, reused by the connection
    assert server.requests_for("/news/1.html")[0].headers["host"] == f"site.test:{server.port}"


async def test_an_address_that_drops_packets_does_not_hold_up_the_next(
    raw_server: Callable[[Callable[[socket.socket], None]], RawServer],
) -> None:
    """Happy eyeballs over pinned addresses: 127.0.0.2 has a listener whose accept queue
    is full, so the kernel drops further handshakes (as a broken IPv6 route would);
    127.0.0.1 answers on the same port. Tried one after the other, the connection would
    wait out its whole timeout on the first address."""
    server = raw_server(lambda conn: conn.close())
    with socket.socket() as blackhole:
        blackhole.bind(("127.0.0.2", server.port))
        blackhole.listen(0)
        with socket.create_connection(("127.0.0.2", server.port), timeout=5):  # fills it
            backend = AsyncioBackend(pinned={"dual.test": ["127.0.0.2", "127.0.0.1"]}.get)
            stream = await backend.connect_tcp("dual.test", server.port, timeout=5)
            assert stream.get_extra_info("server_addr")[0] == "127.0.0.1"
            await stream.aclose()


async def test_pinned_addresses_are_tried_in_turn(
    raw_server: Callable[[Callable[[socket.socket], None]], RawServer],
) -> None:
    server = raw_server(lambda conn: conn.close())
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))  # bound, never listening: refused
        dead = f"127.0.0.1:{unused.getsockname()[1]}"
        pins = {"two.test": ["127.0.0.2", "127.0.0.1"], "none.test": ["127.0.0.3"]}
        backend = AsyncioBackend(pinned=pins.get)
        # Nothing listens on 127.0.0.2 at that port: the next address is used.
        stream = await backend.connect_tcp("two.test", server.port, timeout=5)
        assert stream.get_extra_info("server_addr")[0] == "127.0.0.1"
        await stream.aclose()
        with pytest.raises(httpcore.ConnectError):
            await backend.connect_tcp("none.test", int(dead.rsplit(":", 1)[1]), timeout=5)
