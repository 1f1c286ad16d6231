"""The read side as one ASGI app (Starlette): web view, feeds, JSON API, OpenAPI schema.

``create_app`` takes what it reads from, injected: an engine (opened by the caller, read
only) and the current configuration (a callable, so the daemon's reloads reach the
topics). Extra routes (the daemon's /metrics, /healthz, /readyz) can be mounted beside.
Every error leaves as a plain-text 4xx/5xx: never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from scraper.config.types import Config
from scraper.errors import BadRequest, StorageError
from scraper.web import api, html, syndication
from scraper.web.context import ReadSide
from scraper.web.security import ReadToken, SecurityHeaders
from storage.read_repo import ReadRepo

log = logging.getLogger("scraper.web")
TEMPLATES = Path(__file__).parent / "templates"


def create_app(
    engine: AsyncEngine,
    config: Callable[[], Config],
    *,
    token: str | None = None,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    read = ReadSide(ReadRepo(engine), config, html.environment(TEMPLATES))
    middleware = [Middleware(SecurityHeaders)]
    if token:
        middleware.append(Middleware(ReadToken, token=token))
    routes: list[BaseRoute] = [
        *html.routes(),
        *syndication.routes(),
        *api.routes(),
        Route(
            "/static/style.css",
            _stylesheet((TEMPLATES / "style.css").read_bytes()),
            methods=["GET", "HEAD"],
        ),
        *extra_routes,
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            BadRequest: _bad_request,
            HTTPException: _http_error,
            StorageError: _storage_error,
            Exception: _crash,
        },
    )
    app.state.read = read
    return app


def _stylesheet(css: bytes) -> Callable[[Request], Awaitable[Response]]:
    async def stylesheet(request: Request) -> Response:
        return Response(css, media_type="text/css", headers={"cache-control": "max-age=3600"})

    return stylesheet


async def _bad_request(request: Request, exc: Exception) -> Response:
    status = exc.status if isinstance(exc, BadRequest) else 400
    return PlainTextResponse(f"{exc}\n", status_code=status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return PlainTextResponse(f"{exc.detail}\n", status_code=exc.status_code,
                             headers=exc.headers)  # fmt: skip


async def _storage_error(request: Request, exc: Exception) -> Response:
    log.warning("read side: %s", exc)
    return PlainTextResponse("the database could not answer; try again\n", status_code=503)


async def _crash(request: Request, exc: Exception) -> Response:
    log.error("read side: %s %s failed", request.method, request.url.path, exc_info=exc)
    return PlainTextResponse("internal error\n", status_code=500)
