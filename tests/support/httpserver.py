"""A real HTTP/1.1 server on 127.0.0.1 for tests: fixture sites, fault injection.

It runs ``http.server.ThreadingHTTPServer`` in a background thread so that the code under
test talks to it over real sockets from its own event loop. Routes map a path (query
included, if the route has one) to a ``Response`` or to a handler that writes the
response itself (for resets, slow drips, endless bodies)::

    with FixtureServer() as server:
        server.route("/news/1.html", Response(body=b"<html>...", content_type="text/html"))
        server.route("/reset", lambda h: h.reset_connection())
        url = server.url("/news/1.html")

Every request is recorded in ``server.requests`` (method, path, headers) so tests can
assert what was asked, e.g. that a second poll only sends conditional requests.
"""

from __future__ import annotations

import socket
import ssl
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Response:
    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    # Answer 304 when the request's If-None-Match / If-Modified-Since match these.
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]

    @property
    def conditional(self) -> bool:
        return "if-none-match" in self.headers or "if-modified-since" in self.headers


Handler = Callable[["FixtureRequestHandler"], None]
Route = Response | Handler


class FixtureRequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        length = int(headers.get("content-length", "0") or 0)
        self.request_body = self.rfile.read(length) if length else b""
        owner = self.server.owner
        with owner.lock:
            owner.requests.append(RecordedRequest(self.command, self.path, headers))
            owner.bodies.append(self.request_body)
        route = owner.lookup(self.path)
        if route is None:
            self.send_plain(404, b"not found")
        elif isinstance(route, Response):
            self.send_response_object(route)
        else:
            route(self)

    # Helpers for custom handlers -------------------------------------------------------

    def send_plain(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
        self.send_response_object(Response(body=body, status=status, content_type=content_type))

    def send_response_object(self, response: Response) -> None:
        if self._not_modified(response):
            self.send_response(304)
            self._send_validators(response)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        self._send_validators(response)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if "content-length" not in {k.lower() for k in response.headers}:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def reset_connection(self) -> None:
        """Close the socket with RST instead of an answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _not_modified(self, response: Response) -> bool:
        if response.status != 200:
            return False
        if response.etag and self.headers.get("If-None-Match") == response.etag:
            return True
        return bool(
            response.last_modified
            and self.headers.get("If-Modified-Since") == response.last_modified
        )

    def _send_validators(self, response: Response) -> None:
        if response.etag:
            self.send_header("ETag", response.etag)
        if response.last_modified:
            self.send_header("Last-Modified", response.last_modified)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: FixtureServer

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], OSError):  # hang-ups are what faults do
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class FixtureServer:
    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, tls: ssl.SSLContext | None = None
    ) -> None:
        """``tls``: a server-side context to serve HTTPS with (handshakes on accept)."""
        self._routes: dict[str, Route] = {}
        self._scheme = "https" if tls else "http"
        self.requests: list[RecordedRequest] = []
        self.bodies: list[bytes] = []
        self.lock = threading.Lock()
        self._httpd = _Server((host, port), FixtureRequestHandler)
        self._httpd.owner = self
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},  # quick shutdown between tests
            name=f"fixture-server-{host}",
            daemon=True,
        )

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"{self._scheme}://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, route: Route) -> None:
        with self.lock:
            self._routes[path] = route

    def lookup(self, path: str) -> Route | None:
        with self.lock:
            if path in self._routes:
                return self._routes[path]
            return self._routes.get(path.split("?", 1)[0])

    def requests_for(self, path: str) -> list[RecordedRequest]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def clear_requests(self) -> None:
        with self.lock:
            self.requests.clear()
            self.bodies.clear()

    def start(self) -> FixtureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
