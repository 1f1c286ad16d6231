"""The read side inside the daemon (``scraper run --http``): the same app as ``scraper
serve``, with the daemon's /metrics, /healthz and /readyz beside it.

It reads through an engine of its own, with a small pool and read-only sessions, so a
burst of page views can neither take the connections the polls need nor write."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.routing import Route as StarletteRoute

from scraper.httpd import Route
from scraper.service import Service
from scraper.web.app import create_app
from scraper.web.security import TOKEN_ENV
from scraper.web.serving import WebServer, listen
from storage.engine import open_existing

WEB_POOL_SIZE = 3


def wrap(routes: Mapping[str, Route]) -> list[BaseRoute]:
    """The status server's routes as Starlette routes."""

    def endpoint(route: Route) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            status, media_type, body = await route()
            return Response(body, status_code=status, media_type=media_type)

        return handle

    return [StarletteRoute(path, endpoint(r), methods=["GET"]) for path, r in routes.items()]


class WebSide:
    def __init__(self, engine: AsyncEngine, server: WebServer) -> None:
        self._engine, self._server = engine, server
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def start(
        cls, service: Service, url: str, status: Mapping[str, Route], bind: tuple[str, int]
    ) -> WebSide:
        engine = open_existing(url, read_only=True, pool_size=WEB_POOL_SIZE)
        try:
            sock = listen(*bind)
        except BaseException:
            await engine.dispose()
            raise
        app = create_app(
            engine, lambda: service.config, token=os.environ.get(TOKEN_ENV) or None,
            extra_routes=wrap(status),
        )  # fmt: skip
        side = cls(engine, WebServer(app, sock))
        side._task = asyncio.create_task(side._server.serve(), name="web-server")
        return side

    async def stop(self) -> None:
        self._server.stop()
        if self._task is not None:
            await self._task
        await self._engine.dispose()
