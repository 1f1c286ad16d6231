"""One small connection pool per origin instead of one big pool for every host.

httpcore walks its whole pool, and asks every idle connection's socket whether the server
closed it, on each request it starts and each response it finishes. With one pool shared
by hundreds of hosts that walk is O(hosts) per request: about a tenth of a crawl's CPU in
``benchmarks/crawl.py``. A pool per (scheme, host, port) holds only that host's few
connections. Pools of the ``max_origins`` most recently used origins are kept; older ones
are closed once no response on them is still being read, which also bounds the idle
sockets a long-running daemon holds open.
"""

from __future__ import annotations

import ssl
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx

Origin = tuple[str, str, int]


@dataclass
class _Pool:
    transport: httpx.AsyncHTTPTransport
    open_responses: int = 0


class PerOriginTransport(httpx.AsyncBaseTransport):
    def __init__(self, *, keepalive_per_origin: int = 2, max_origins: int = 64) -> None:
        self.keepalive_per_origin = keepalive_per_origin
        self.max_origins = max_origins
        # Loading the CA store costs milliseconds: once per process, not once per origin.
        self._ssl: ssl.SSLContext | None = None
        self._pools: OrderedDict[Origin, _Pool] = OrderedDict()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = _Pool(self._new_transport())
        else:
            self._pools.move_to_end(origin)
        pool.open_responses += 1  # from here on, this pool is not closed under us
        try:
            if len(self._pools) > self.max_origins:
                await self._close_least_recent()
            response = await pool.transport.handle_async_request(request)
        except BaseException:
            pool.open_responses -= 1
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_Tracked(response.stream, lambda: _finished(pool)),
            extensions=response.extensions,
        )

    def _new_transport(self) -> httpx.AsyncHTTPTransport:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        limits = httpx.Limits(
            max_connections=None,  # the fetcher's global and per-host caps bound requests
            max_keepalive_connections=self.keepalive_per_origin,
        )
        return httpx.AsyncHTTPTransport(verify=self._ssl, limits=limits, trust_env=False)

    async def _close_least_recent(self) -> None:
        idle = [o for o, p in self._pools.items() if p.open_responses == 0]
        for origin in idle[: max(0, len(self._pools) - self.max_origins)]:
            await self._pools.pop(origin).transport.aclose()

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.transport.aclose()


def _finished(pool: _Pool) -> None:
    pool.open_responses -= 1


class _Tracked(httpx.AsyncByteStream):
    """A response body that tells its pool when it has been closed."""

    def __init__(self, stream: httpx.AsyncByteStream, on_close: Callable[[], None]) -> None:
        self._stream = stream
        self._on_close: Callable[[], None] | None = on_close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            on_close, self._on_close = self._on_close, None
            if on_close is not None:  # once, however often the stream is closed
                on_close()
