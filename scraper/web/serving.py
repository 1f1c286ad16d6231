"""Serving the read side with uvicorn on a socket we bind ourselves: a clear error when
the address is taken, port 0 for tests, and no signal handlers of uvicorn's own (the
daemon and ``scraper serve`` decide what SIGTERM means)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp

from scraper.errors import UsageError

log = logging.getLogger("scraper.web")
DEFAULT_BIND = "127.0.0.1:8080"
# Requests handled at once; past this uvicorn answers 503 at once rather than queueing
# without bound (each request holds at most one database connection).
MAX_CONCURRENT_REQUESTS = 64


def parse_bind(value: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:8080`` for IPv6) → (host, port)."""
    host, sep, port = value.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise UsageError(f"--bind {value!r}: use host:port, e.g. 127.0.0.1:8080 or [::1]:8080")
    return host, int(port)


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.setblocking(False)
    return sock


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


class _Server(uvicorn.Server):
    """uvicorn without its signal handling (its handlers would replace the daemon's)."""

    def install_signal_handlers(self) -> None:  # uvicorn < 0.29
        return

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # uvicorn >= 0.29
        yield


class WebServer:
    def __init__(self, app: ASGIApp, sock: socket.socket) -> None:
        self._socket = sock
        config = uvicorn.Config(
            app,
            log_config=None,  # our logging setup stays; uvicorn's loggers propagate to it
            access_log=False,  # a ?token= in a request line must not land in a log
            lifespan="off",
            server_header=False,
            limit_concurrency=MAX_CONCURRENT_REQUESTS,
            timeout_graceful_shutdown=5,
        )
        self._server = _Server(config)

    @property
    def url(self) -> str:
        host, port = self._socket.getsockname()[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    async def serve(self) -> None:
        log.info("read side (web view, feeds, API) on %s/", self.url)
        await self._server.serve(sockets=[self._socket])

    def stop(self) -> None:
        self._server.should_exit = True


async def run_until_stopped(server: WebServer, stop: asyncio.Event) -> None:
    task = asyncio.create_task(server.serve(), name="web-server")
    stopper = asyncio.create_task(stop.wait(), name="web-server-stop")
    await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    server.stop()
    stopper.cancel()
    await task
