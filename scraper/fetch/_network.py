# ruff: noqa: ASYNC109  (the ``timeout`` parameters are httpcore's interface)
"""httpcore's network layer on asyncio's protocol API, without anyio in between.

httpcore talks to sockets through a pluggable "network backend". Its default wraps anyio
streams, and on a crawl that wrapping is paid per request, on the event loop: a cancel
scope around every read and write, anyio's typed-attribute lookup and a ``select()`` on
every idle socket each time a pool looks for a connection to reuse (``is_readable``), and
``current_task()`` checks on every send. In ``benchmarks/crawl.py`` that was about a sixth
of the event loop's time. Here an ``asyncio.Protocol`` receives bytes into a buffer as
they arrive, so a read is a buffer slice or one future, and "has the server closed this
idle connection?" is an attribute read.

Reading is flow-controlled: above ``_HIGH_WATER`` buffered bytes the transport stops
reading from the socket until the consumer catches up, so a server that sends faster than
pages are consumed (an endless body) cannot grow the buffer without bound.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from asyncio.staggered import staggered_race
from collections.abc import Callable, Coroutine, Iterable
from functools import partial
from typing import Any

import httpcore

_HIGH_WATER = 256 * 1024
_HAPPY_EYEBALLS_DELAY = 0.25  # RFC 8305's recommended connection attempt delay


class _Receiver(asyncio.Protocol):
    """Buffers what the socket receives and wakes the one reader waiting for it."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.closed = False
        self._reading_paused = False
        self._waiter: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None

    # asyncio.Protocol ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > _HIGH_WATER and not self._reading_paused and self.transport:
            self._reading_paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # close our side too: HTTP/1.1 has no use for a half-open socket

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.eof = True
        self.error = exc
        self._wake()
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def pause_writing(self) -> None:
        if self._writable is None or self._writable.done():
            self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    # Used by the stream ----------------------------------------------------------------

    def take(self, max_bytes: int) -> bytes:
        if len(self.buffer) <= max_bytes:  # the usual case: one copy, no shifting
            data = bytes(self.buffer)
            self.buffer.clear()
        else:
            data = bytes(self.buffer[:max_bytes])
            del self.buffer[:max_bytes]
        if self._reading_paused and len(self.buffer) <= _HIGH_WATER // 2 and self.transport:
            self._reading_paused = False
            self.transport.resume_reading()
        return data

    def waiter(self) -> asyncio.Future[None]:
        self._waiter = asyncio.get_running_loop().create_future()
        return self._waiter

    def writable(self) -> asyncio.Future[None] | None:
        return self._writable if self._writable is not None and not self._writable.done() else None

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


async def _within(
    future: asyncio.Future[None], seconds: float | None, error: type[Exception]
) -> None:
    """Wait for ``future``, raising ``error`` after ``seconds``. A timer handle, not a
    cancel scope: this runs for every read of every response."""
    if seconds is None:
        await future
        return
    timer = asyncio.get_running_loop().call_later(seconds, _expire, future, error, seconds)
    try:
        await future
    finally:
        timer.cancel()


def _expire(future: asyncio.Future[None], error: type[Exception], timeout: float) -> None:
    if not future.done():
        future.set_exception(error(f"nothing within {timeout:g}s"))


class AsyncioStream(httpcore.AsyncNetworkStream):
    def __init__(self, transport: asyncio.Transport, receiver: _Receiver) -> None:
        self._transport = transport
        self._receiver = receiver

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        receiver = self._receiver
        if not receiver.buffer and not receiver.eof:
            await _within(receiver.waiter(), timeout, httpcore.ReadTimeout)
        if receiver.buffer:
            return receiver.take(max_bytes)
        if receiver.error is not None:
            raise httpcore.ReadError(str(receiver.error) or type(receiver.error).__name__)
        return b""  # end of stream: h11 decides whether that was too early

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._receiver.closed or self._transport.is_closing():
            error = self._receiver.error
            raise httpcore.WriteError(str(error) if error else "connection closed")
        self._transport.write(buffer)
        writable = self._receiver.writable()
        if writable is not None:
            await _within(writable, timeout, httpcore.WriteTimeout)
            if self._receiver.closed:
                raise httpcore.WriteError("connection closed while writing")

    async def aclose(self) -> None:
        if self._transport.get_extra_info("ssl_object") is not None:
            # No TLS close_notify exchange (as httpcore's own backend): a graceful close
            # waits on the peer, and a loop ending before it answers leaks the socket.
            self._transport.abort()
        else:
            self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                secure = await loop.start_tls(
                    self._transport, self._receiver, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError as exc:
            self._transport.abort()
            raise httpcore.ConnectTimeout(f"TLS handshake not done within {timeout:g}s") from exc
        except (OSError, ssl.SSLError, ConnectionError) as exc:
            self._transport.abort()
            raise httpcore.ConnectError(f"TLS handshake failed: {exc}") from exc
        if secure is None:  # the connection was closed during the handshake
            raise httpcore.ConnectError("connection closed during the TLS handshake")
        assert isinstance(secure, asyncio.Transport)
        self._receiver.transport = secure
        return AsyncioStream(secure, self._receiver)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # An idle HTTP/1.1 connection that has data or an end-of-stream waiting was
            # closed (or spoken to out of turn) by the server: not reusable.
            return bool(self._receiver.buffer) or self._receiver.eof
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """``pinned`` maps a host name to the addresses to connect to (the ones the fetcher
    checked are not private), or None to resolve the name when connecting."""

    def __init__(self, *, pinned: Callable[[str], list[str] | None] | None = None) -> None:
        self._pinned = pinned

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        pinned = self._pinned(host.lower()) if self._pinned else None
        if pinned:

            async def to_pinned() -> tuple[asyncio.Transport, _Receiver]:
                sock = await _connect_first(pinned, port, local)
                return await loop.create_connection(_Receiver, sock=sock)

            return await _open(to_pinned(), timeout, socket_options)
        connection = loop.create_connection(
            _Receiver, host, port, local_addr=local, happy_eyeballs_delay=_HAPPY_EYEBALLS_DELAY
        )
        return await _open(connection, timeout, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        connection = asyncio.get_running_loop().create_unix_connection(_Receiver, path)
        return await _open(connection, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _open(
    connection: Coroutine[Any, Any, tuple[asyncio.Transport, _Receiver]],
    timeout: float | None,
    socket_options: Iterable[httpcore.SOCKET_OPTION] | None,
) -> AsyncioStream:
    """Await ``connection`` within ``timeout``, its failures raised as httpcore's, and
    wrap it as a stream with ``socket_options`` applied."""
    try:
        async with asyncio.timeout(timeout):
            transport, receiver = await connection
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout(f"no connection within {timeout:g}s") from exc
    except OSError as exc:
        raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
    sock: socket.socket | None = transport.get_extra_info("socket")
    for option in socket_options or ():
        if sock is not None:
            sock.setsockopt(*option)
    return AsyncioStream(transport, receiver)


async def _connect_first(
    addresses: list[str], port: int, local: tuple[str, int] | None
) -> socket.socket:
    """A socket connected to the first of ``addresses`` to answer, trying them as asyncio
    does a resolved name (RFC 8305): the next attempt starts when one fails or after
    ``_HAPPY_EYEBALLS_DELAY``, so an address that drops packets (broken IPv6) costs a
    quarter of a second, not the whole timeout."""
    loop = asyncio.get_running_loop()

    async def attempt(address: str) -> socket.socket:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if local is not None:
                sock.bind(local)
            await loop.sock_connect(sock, (address, port))
        except BaseException:
            sock.close()
            raise
        return sock

    attempts = [partial(attempt, address) for address in addresses]
    sock, _, failures = await staggered_race(attempts, _HAPPY_EYEBALLS_DELAY)
    if sock is None:
        raise OSError("; ".join(f"{a}: {e}" for a, e in zip(addresses, failures, strict=False)))
    assert isinstance(sock, socket.socket)
    return sock
