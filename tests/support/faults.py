"""Fault handlers for ``FixtureServer``: each returns a route handler that misbehaves in
one way. Handlers stop on their own (bounded time or bytes) so no server thread outlives
a test, and stop early when the client hangs up."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable

from tests.support.httpserver import FixtureRequestHandler, Handler, Response

_HANGUP = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError)


def delayed(response: Response, seconds: float) -> Handler:
    """Answer normally after ``seconds``."""

    def handler(h: FixtureRequestHandler) -> None:
        time.sleep(seconds)
        h.send_response_object(response)

    return handler


def reset() -> Handler:
    """Close the connection with RST, no answer."""
    return lambda h: h.reset_connection()


def sequence(*routes: Response | Handler) -> Handler:
    """Answer the n-th request with the n-th route (the last one repeats)."""
    lock = threading.Lock()
    calls = [0]

    def handler(h: FixtureRequestHandler) -> None:
        with lock:
            index = min(calls[0], len(routes) - 1)
            calls[0] += 1
        route = routes[index]
        if isinstance(route, Response):
            h.send_response_object(route)
        else:
            route(h)

    return handler


def status(code: int, headers: dict[str, str] | None = None) -> Response:
    return Response(body=b"error", status=code, content_type="text/plain", headers=headers or {})


def slow_drip(interval: float = 0.05, limit_seconds: float = 10.0) -> Handler:
    """Promise a large body, then send one byte per ``interval``."""

    def handler(h: FixtureRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        end = time.monotonic() + limit_seconds
        try:
            while time.monotonic() < end:
                h.wfile.write(b"x")
                h.wfile.flush()
                time.sleep(interval)
        except _HANGUP:
            pass
        h.close_connection = True

    return handler


def endless_body(chunk: int = 64 * 1024, limit_bytes: int = 64 * 1024 * 1024) -> Handler:
    """A body without length that never ends (until the client hangs up)."""

    def handler(h: FixtureRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Connection", "close")
        h.end_headers()
        block = b"<p>" + b"a" * (chunk - 3)
        sent = 0
        try:
            while sent < limit_bytes:
                h.wfile.write(block)
                sent += len(block)
        except _HANGUP:
            pass
        h.close_connection = True

    return handler


def gzip_bomb(decoded_bytes: int = 64 * 1024 * 1024) -> Response:
    """A small gzip body (``Content-Encoding: gzip``) that inflates to ``decoded_bytes``."""
    body = gzip.compress(b"\0" * decoded_bytes, compresslevel=9)
    return Response(body=body, content_type="text/html", headers={"Content-Encoding": "gzip"})


def redirect(location: str, code: int = 302) -> Response:
    return Response(status=code, content_type=None, headers={"Location": location})


def counting(route: Response | Handler, on_enter: Callable[[], None],
             on_exit: Callable[[], None]) -> Handler:  # fmt: skip
    """Wrap a route with callbacks around it (to measure concurrency at the server)."""

    def handler(h: FixtureRequestHandler) -> None:
        on_enter()
        try:
            if isinstance(route, Response):
                h.send_response_object(route)
            else:
                route(h)
        finally:
            on_exit()

    return handler
