"""Two ASGI middlewares of the read side: the read token (``NEA_READ_TOKEN``) and the
response headers that keep hostile content inert in a browser."""

from __future__ import annotations

import hmac
import re
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_ENV = "NEA_READ_TOKEN"
COOKIE = "nea_read_token"
_COOKIE_SAFE = re.compile(rb"^[!#-+\--:<-\[\]-~]+$")  # RFC 6265 cookie-octets
# No script runs, no plug-in loads, nothing is framed, forms only post back here: a
# stored <script> that escaped escaping would still be dead.
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
     b"base-uri 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]  # fmt: skip


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ReadToken:
    """Every request carries the token: ``Authorization: Bearer …``, ``?token=`` (for
    feed readers that cannot send headers), or the cookie set when a browser first came
    with ``?token=``, so the web view's own links work without repeating it. Compared in
    constant time."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        from_query = query.get("token")
        by_query = from_query is not None and _same(from_query.encode(), self._token)
        if not (
            by_query
            or _same(_bearer(headers.get(b"authorization", b"")), self._token)
            or _same(_cookie(headers.get(b"cookie")), self._token)
        ):
            await _unauthorized(send)
            return
        if not by_query or not _COOKIE_SAFE.match(self._token):
            await self.app(scope, receive, send)
            return
        cookie = COOKIE.encode() + b"=" + self._token + b"; Path=/; HttpOnly; SameSite=Strict"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _same(candidate: bytes, token: bytes) -> bool:
    return bool(candidate) and hmac.compare_digest(candidate, token)


def _bearer(value: bytes) -> bytes:
    scheme, _, credentials = value.partition(b" ")
    return credentials.strip() if scheme.lower() == b"bearer" else b""


def _cookie(value: bytes | None) -> bytes:
    if not value:
        return b""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(value.decode("latin-1"))
    except Exception:  # a malformed Cookie header is no token, not a crash
        return b""
    morsel = jar.get(COOKIE)
    return morsel.value.encode("utf-8", "replace") if morsel is not None else b""


async def _unauthorized(send: Send) -> None:
    body = b"a read token is required: Authorization: Bearer <token>, or ?token=<token>\n"
    await send({
        "type": "http.response.start",
        "status": 401,
        "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", b'Bearer realm="nea-monitor"'),
        ],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})
