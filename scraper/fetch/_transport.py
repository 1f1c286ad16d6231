"""One small connection pool per origin instead of one big pool for every host.

httpcore walks its whole pool, and asks every idle connection's socket whether the server
closed it, on each request it starts and each response it finishes. With one pool shared
by hundreds of hosts that walk is O(hosts) per request: about a tenth of a crawl's CPU in
``benchmarks/crawl.py``. A pool per (scheme, host, port) holds only that host's few
connections. Pools of the ``max_origins`` most recently used origins are kept; older ones
are closed once no response on them is still being read, which also bounds the idle
sockets a long-running daemon holds open.

The pools are httpcore's, on the asyncio network backend of ``_network.py``; this module
is also the thin layer httpx's own transport would be (request and response conversion,
httpcore's exceptions as httpx's).
"""

from __future__ import annotations

import ssl
from collections import OrderedDict
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpcore
import httpx

from scraper.fetch._network import AsyncioBackend

Origin = tuple[str, str, int]


@dataclass
class _Pool:
    connections: httpcore.AsyncConnectionPool
    open_responses: int = 0


class PerOriginTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        *,
        keepalive_per_origin: int = 2,
        max_origins: int = 64,
        ssl_context: ssl.SSLContext | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.keepalive_per_origin = keepalive_per_origin
        self.max_origins = max_origins
        # Loading the CA store costs milliseconds: once per process, not once per origin.
        self._ssl = ssl_context
        self._backend = network_backend or AsyncioBackend()
        self._pools: OrderedDict[Origin, _Pool] = OrderedDict()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = _Pool(self._new_pool())
        else:
            self._pools.move_to_end(origin)
        pool.open_responses += 1  # from here on, this pool is not closed under us
        try:
            if len(self._pools) > self.max_origins:
                await self._close_least_recent()
            assert isinstance(request.stream, httpx.AsyncByteStream)
            core_request = httpcore.Request(
                method=request.method,
                url=httpcore.URL(
                    scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
                ),
                headers=request.headers.raw,
                content=request.stream,
                extensions=request.extensions,
            )
            with _httpx_errors():
                response = await pool.connections.handle_async_request(core_request)
        except BaseException:
            pool.open_responses -= 1
            raise
        assert isinstance(response.stream, AsyncIterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream, lambda: _finished(pool)),
            extensions=response.extensions,
        )

    def prepare(self) -> None:
        """Load the CA store now (blocking: call it in a thread), not on the event loop at
        the first request, where it stalls every task for up to seconds on a busy host."""
        if self._ssl is None:
            self._ssl = ssl.create_default_context()

    def _new_pool(self) -> httpcore.AsyncConnectionPool:
        self.prepare()
        return httpcore.AsyncConnectionPool(
            ssl_context=self._ssl,
            max_connections=None,  # the fetcher's global and per-host caps bound requests
            max_keepalive_connections=self.keepalive_per_origin,
            network_backend=self._backend,
        )

    async def _close_least_recent(self) -> None:
        idle = [o for o, p in self._pools.items() if p.open_responses == 0]
        for origin in idle[: max(0, len(self._pools) - self.max_origins)]:
            await self._pools.pop(origin).connections.aclose()

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.connections.aclose()


def _finished(pool: _Pool) -> None:
    pool.open_responses -= 1


class _Body(httpx.AsyncByteStream):
    """A response body from httpcore: its errors raised as httpx's, and its pool told when
    it has been closed."""

    def __init__(self, stream: AsyncIterable[bytes], on_close: Callable[[], None]) -> None:
        self._stream = stream
        self._on_close: Callable[[], None] | None = on_close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors():
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        try:
            aclose = getattr(self._stream, "aclose", None)
            if aclose is not None:
                with _httpx_errors():
                    await aclose()
        finally:
            on_close, self._on_close = self._on_close, None
            if on_close is not None:  # once, however often the stream is closed
                on_close()


# httpcore's exceptions and httpx's have the same names; most specific first.
_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core, mapped in _ERRORS:
            if isinstance(exc, core):
                raise mapped(str(exc)) from exc
        raise
