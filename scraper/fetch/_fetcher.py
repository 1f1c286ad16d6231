"""The fetcher: one shared httpx transport (a small connection pool per origin) behind
politeness, robots.txt, SSRF checks, retries, redirects, cookies, deadlines, size caps
and charset decoding.

Every httpx error is translated here into the ``FetchError`` family; nothing from
httpx, h11 or ssl escapes.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from types import TracebackType
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import httpx

from scraper.config.types import Source
from scraper.errors import (
    DeadlineExceeded,
    FetchError,
    HTTPStatusError,
    ResponseTooLarge,
    TooManyRedirects,
    TransportError,
    UnsafeURL,
)
from scraper.fetch._body import (
    GZIP_MAGIC,
    check_type,
    gunzip_limited,
    media_type,
    read_limited,
    sniff_type,
)
from scraper.fetch._browser import BrowserPool, BrowserSettings, BrowserStats
from scraper.fetch._network import AsyncioBackend
from scraper.fetch._politeness import Politeness, host_key
from scraper.fetch._retry import RETRY_STATUSES, backoff_delay, parse_retry_after
from scraper.fetch._robots import RobotsCache, RobotsMemory
from scraper.fetch._settings import FetchSettings
from scraper.fetch._transport import PerOriginTransport
from scraper.fetch.types import Page, Resource, Validators, decode_page
from scraper.urls import Resolver, resolve_checked, resolve_host

log = logging.getLogger("scraper.fetch")

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RENDERED_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Request headers the browser sets that the fetcher sets itself (or that name a
# connection), and response headers that describe the transfer, not the body handed on.
_BROWSER_ONLY_HEADERS = frozenset(
    {"host", "cookie", "user-agent", "accept-encoding", "connection", "content-length"}
)
_TRANSFER_HEADERS = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"}
)
_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1"
)


class _Deadline:
    """The end of one attempt: ``timeout`` seconds after its first request starts (time
    spent waiting for a politeness slot before that does not count)."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._at: float | None = None

    def when(self) -> float:
        if self._at is None:
            self._at = asyncio.get_running_loop().time() + self._timeout
        return self._at


class _Check(NamedTuple):
    """A host's private-address check: its verdict, until when it holds, and the
    addresses it judged."""

    private: bool
    expires: float
    addresses: list[str]


@dataclass(frozen=True)
class _Hop:
    """What one request of a redirect chain produced."""

    status: int
    location: str | None = None
    page: Page | None = None


class Fetcher:
    """Fetches pages politely. One instance per process, shared by every source::

        async with Fetcher() as fetcher:
            page = await fetcher.fetch(url, source, validators=stored)

    ``transport`` may be injected (it is then not closed by ``aclose``); ``resolver`` maps a
    host to its addresses for the private-address check; ``robots_memory`` (the store)
    keeps fetched robots.txt files across processes; ``sleep``, ``clock`` and ``rng``
    are injectable for tests.
    """

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        settings: FetchSettings | None = None,
        resolver: Resolver = resolve_host,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        robots_memory: RobotsMemory | None = None,
        browser: BrowserSettings | None = None,
    ) -> None:
        self.settings = settings or FetchSettings()
        # Started on the first page of a ``render: browser`` source, never before.
        self._browser_settings = browser
        self._browser: BrowserPool | None = None
        # Host -> its last private-address check. The default transport connects to the
        # addresses that check judged and no others (even once it is due again), so a DNS
        # answer that changes between the check and the connection (rebinding) cannot
        # reach a private address.
        self._checks: dict[str, _Check] = {}
        self._owns_transport = transport is None
        self._transport = transport or _default_transport(self.settings, self._checked)
        # Cookies persist across requests as in a browser or Scrapy: some old sites set a
        # session cookie on a redirect and expect it back on the next hop.
        self._cookies = httpx.Cookies()
        self._resolver = resolver
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._jars: dict[str, httpx.Cookies] = {}  # a browser source's own cookies
        # Called with (source, reason) for each request of a rendered page refused.
        self.on_refused: Callable[[Source, str], None] | None = None
        self._politeness = Politeness(self.settings.max_concurrency, clock=clock, sleep=sleep)
        self._robots = RobotsCache(
            self._load_robots,
            ttl=self.settings.robots_ttl,
            error_ttl=self.settings.robots_error_ttl,
            clock=clock,
            memory=robots_memory,
        )

    def prepare(self) -> None:
        """Blocking set-up the first request would otherwise do on the event loop (the CA
        store); for a thread, before the first fetch."""
        if isinstance(self._transport, PerOriginTransport):
            self._transport.prepare()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._browser is not None:
            await self._browser.aclose()
        if self._owns_transport:
            await self._transport.aclose()

    @property
    def browser_stats(self) -> BrowserStats | None:
        """The browser pool's counters; None while no page was rendered."""
        return self._browser.stats if self._browser is not None else None

    async def fetch(
        self,
        url: str,
        source: Source,
        *,
        validators: Validators | None = None,
        decode: bool = True,
    ) -> Page:
        """Fetch ``url`` for ``source``; a 304 gives ``Page(not_modified=True)``.

        Raises ``TransportError`` (``DeadlineExceeded`` for the page deadline),
        ``HTTPStatusError``, ``TooManyRedirects``, ``ResponseTooLarge``,
        ``UnsupportedContentType``, ``RobotsDisallowed`` or ``UnsafeURL``. Connection
        errors, timeouts, 5xx and 429 are retried with jittered exponential back-off.
        ``decode=False`` leaves charset detection to whoever parses the page (``Page``).
        A ``render: browser`` source's HTML pages come back as their DOM after their
        scripts ran (``_rendered``); ``RenderFailed`` when the browser could not.
        """
        if source.render == "browser":
            return await self._rendered(url, source)
        return await self._plain(url, source, validators, decode)

    async def _plain(
        self, url: str, source: Source, validators: Validators | None, decode: bool
    ) -> Page:
        attempt = 0
        while True:
            try:
                page = await self._chain(url, source, validators, robots=False)
                return decode_page(page, source.encoding) if decode else page
            except FetchError as exc:
                delay = self._retry_delay(exc, attempt)
                if delay is None:
                    raise
            await self._sleep(delay)
            attempt += 1

    # Pages rendered in the browser ------------------------------------------------------

    async def _rendered(self, url: str, source: Source) -> Page:
        """The page fetched as plain HTTP (robots.txt, redirects, size cap, address
        checks), then, if it is HTML, loaded in the browser from those bytes. No
        validators: a script-built page's HTML never changes when its content does."""
        page = await self._plain(url, source, None, True)
        if page.content_type not in _RENDERED_TYPES:
            return page  # a feed or sitemap is read as it is
        if self._browser is None:
            self._browser = BrowserPool(self._browser_settings)
        started = self._clock()
        # The page's requests share its deadline, counted from the first of them: the
        # wait for a free browser tab does not count.
        deadline = _Deadline(source.timeout)

        async def load(target: str, headers: dict[str, str], document: bool) -> Resource:
            until = deadline.when()
            return await self.fetch_resource(target, source, headers, jar, until, document)

        def refused(target: str, reason: str) -> None:
            log.warning(
                "%s: browser request refused: %s (%s, page %s)", source.name, reason, target,
                page.final_url, extra={"source": source.name},
            )  # fmt: skip
            if self.on_refused is not None:
                self.on_refused(source, reason)

        jar = self._jars.setdefault(source.name, httpx.Cookies())
        html = await self._browser.render(page, source, load, refused)
        return replace(
            page, content=html.encode("utf-8"), text=html, encoding="utf-8", charset="utf-8",
            validators=Validators(), decoded=True, elapsed=self._clock() - started + page.elapsed,
        )  # fmt: skip

    async def fetch_resource(
        self,
        url: str,
        source: Source,
        headers: dict[str, str],
        cookies: httpx.Cookies,
        deadline: float,
        document: bool = False,
    ) -> Resource:
        """One request a page makes in the browser, under the plain-HTTP rules: address
        check, robots.txt (for a document), per-host politeness, ``deadline`` (loop
        time), size cap. Redirects are not followed: the browser follows them, and each
        hop comes back here. ``cookies`` is the source's own jar."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise UnsafeURL("not an http(s) URL", url=url, source=source.name)
        await self._check_address(url, source)
        if document and source.respect_robots:
            await self._robots.check(url, source)
        key = host_key(url)
        gate = self._politeness.slot(
            key, concurrency=source.per_host_concurrency, delay=source.per_host_delay
        )
        async with gate, _translated(url, source, deadline):
            return await self._resource(url, source, headers, cookies)
        raise AssertionError("unreachable: _translated re-raises")

    async def _resource(
        self, url: str, source: Source, asked: dict[str, str], cookies: httpx.Cookies
    ) -> Resource:
        headers = {k: v for k, v in asked.items() if k.lower() not in _BROWSER_ONLY_HEADERS}
        headers["User-Agent"] = source.user_agent
        headers["Accept-Encoding"] = "gzip, deflate"
        request = httpx.Request(
            "GET", url, headers=headers,
            extensions={"timeout": httpx.Timeout(source.timeout).as_dict()},
        )  # fmt: skip
        cookies.set_cookie_header(request)
        response = await self._transport.handle_async_request(request)
        response.request = request
        try:
            if "set-cookie" in response.headers:
                cookies.extract_cookies(response)
            body = await _body(response, source.max_page_bytes, url, source)
        finally:
            await response.aclose()
        kept = tuple(
            (k, v) for k, v in response.headers.multi_items()
            if k.lower() not in _TRANSFER_HEADERS
        )  # fmt: skip
        return Resource(response.status_code, kept, body)

    # Retries -----------------------------------------------------------------------------

    def _retry_delay(self, exc: FetchError, attempt: int) -> float | None:
        settings = self.settings
        if attempt >= settings.retries or isinstance(exc, DeadlineExceeded):
            return None
        backoff = backoff_delay(attempt, settings.backoff_base, settings.backoff_max, self._rng)
        if isinstance(exc, TransportError):
            return backoff
        if isinstance(exc, HTTPStatusError) and exc.status in RETRY_STATUSES:
            if exc.retry_after is None:
                return backoff
            if exc.retry_after > settings.max_retry_after:
                return None  # the caller backs the source off instead
            return max(exc.retry_after, backoff if exc.status != 429 else 0.0)
        return None

    # One attempt: a chain of redirects -----------------------------------------------

    async def _chain(
        self, url: str, source: Source, validators: Validators | None, *, robots: bool
    ) -> Page:
        started = self._clock()
        deadline = _Deadline(source.timeout)
        current, seen = url, {url}
        for _ in range(self.settings.max_redirects + 1):
            await self._check_address(current, source)
            crawl_delay = None
            if source.respect_robots and not robots:
                crawl_delay = await self._robots.check(current, source)
            hop = await self._hop(current, url, source, validators, crawl_delay, deadline, robots)
            if hop.page is not None:
                return _with_elapsed(hop.page, self._clock() - started)
            assert hop.location is not None
            target = urljoin(current, hop.location.strip())
            if urlsplit(target).scheme not in ("http", "https"):
                raise UnsafeURL(f"redirect to {target!r}", url=current, source=source.name)
            if target in seen:
                raise TooManyRedirects(f"redirect loop at {target}", url=url, source=source.name)
            seen.add(target)
            current = target
        raise TooManyRedirects(
            f"more than {self.settings.max_redirects} redirects", url=url, source=source.name
        )

    async def _hop(
        self,
        current: str,
        asked: str,
        source: Source,
        validators: Validators | None,
        crawl_delay: float | None,
        deadline: _Deadline,
        robots: bool,
    ) -> _Hop:
        delay = source.per_host_delay
        if crawl_delay is not None:
            delay = max(delay, min(crawl_delay, self.settings.max_crawl_delay))
        key = host_key(current)
        gate = self._politeness.slot(key, concurrency=source.per_host_concurrency, delay=delay)
        async with gate, _translated(current, source, deadline.when()):
            return await self._request(current, asked, source, validators, robots)
        raise AssertionError("unreachable: _translated re-raises")

    async def _send(
        self, url: str, headers: dict[str, str], limits: httpx.Timeout
    ) -> httpx.Response:
        """One GET through the transport, the body left to stream. Straight to the
        transport: the client layer on top (default headers, auth, redirects, event
        hooks, cookie bookkeeping on every response) cost about a tenth of a crawl's
        event-loop CPU, and the fetcher does its own redirects. Cookies are kept here,
        touched only when a response sets one or the jar has some."""
        request = httpx.Request(
            "GET", url, headers=headers, extensions={"timeout": limits.as_dict()}
        )
        if self._cookies.jar:
            self._cookies.set_cookie_header(request)
        response = await self._transport.handle_async_request(request)
        response.request = request
        if "set-cookie" in response.headers:
            try:
                self._cookies.extract_cookies(response)
            except BaseException:
                await response.aclose()  # the caller never sees it: free the connection
                raise
        return response

    async def _request(
        self,
        url: str,
        asked: str,
        source: Source,
        validators: Validators | None,
        robots: bool,
    ) -> _Hop:
        headers = _headers(source, validators)
        timeout = httpx.Timeout(source.timeout)
        response = await self._send(url, headers, timeout)
        try:
            status = response.status_code
            if status in _REDIRECTS and "location" in response.headers:
                return _Hop(status, location=response.headers["location"])
            if status == 304:
                kept = validators or Validators()
                return _Hop(status, page=_not_modified(asked, url, response, kept))
            if not 200 <= status < 300:
                raise HTTPStatusError(
                    f"HTTP {status}",
                    url=url,
                    status=status,
                    retry_after=parse_retry_after(response.headers.get("retry-after")),
                    source=source.name,
                )
            kind, charset = media_type(response.headers.get("content-type"))
            if not robots:
                check_type(kind, url=url, source=source.name)
            limit = self.settings.max_robots_bytes if robots else source.max_page_bytes
            content = await _body(response, limit, url, source)
        finally:
            await response.aclose()
        if robots:
            return _Hop(status, page=_page(asked, url, status, "text/plain", content, response))
        if content.startswith(GZIP_MAGIC):  # a .gz file, e.g. sitemap.xml.gz
            content = gunzip_limited(content, limit=limit, url=url, source=source.name)
        kind = sniff_type(kind, content, url=url, source=source.name)
        return _Hop(
            status,
            page=Page(
                url=asked,
                final_url=url,
                status=status,
                content_type=kind,
                content=content,
                text="",
                encoding="",
                validators=_validators(response),
                charset=charset,
                decoded=False,
            ),
        )

    # robots.txt and address checks ---------------------------------------------------

    async def _load_robots(self, url: str, source: Source) -> bytes:
        page = await self._chain(url, source, None, robots=True)
        return page.content

    async def _check_address(self, url: str, source: Source) -> None:
        """Refuse a URL whose host is private (loopback, RFC 1918, link-local...), unless
        it is the source's own host: a source on an intranet may fetch its own pages, but
        not be led (by a redirect or a link) to another private host, such as a router's
        admin page or the cloud metadata address."""
        host = urlsplit(url).hostname
        if not host:
            raise UnsafeURL("URL without a host", url=url, source=source.name)
        if not await self._is_private(host, url, source):
            return
        if _same_host(host, urlsplit(source.url).hostname or ""):
            return
        raise UnsafeURL(
            f"{host} resolves to a private address (only the source's own host may)",
            url=url,
            source=source.name,
        )

    async def _is_private(self, host: str, url: str, source: Source) -> bool:
        cached = self._checks.get(host)
        now = self._clock()
        if cached is not None and cached.expires > now:
            return cached.private
        try:
            private, addresses = await resolve_checked(host, self._resolver)
        except OSError as exc:
            raise TransportError(
                f"cannot resolve {host}: {exc}", url=url, source=source.name
            ) from exc
        self._checks[host] = _Check(private, now + self.settings.resolve_ttl, addresses)
        return private

    def _checked(self, host: str) -> list[str] | None:
        """The addresses ``host``'s last check judged (none for IP literals and local
        names, which connect as they are)."""
        check = self._checks.get(host)
        return check.addresses if check is not None and check.addresses else None


async def _body(response: httpx.Response, limit: int, url: str, source: Source) -> bytes:
    """The response's body, content-encoding undone, refused past ``limit`` bytes (by its
    Content-Length before reading, else while streaming)."""
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise ResponseTooLarge(
            f"Content-Length {length} over {limit} bytes", url=url, source=source.name
        )
    return await read_limited(
        response.aiter_raw(),
        content_encoding=response.headers.get("content-encoding", ""),
        limit=limit,
        url=url,
        source=source.name,
    )


@asynccontextmanager
async def _translated(url: str, source: Source, deadline: float) -> AsyncIterator[None]:
    """Run one request within ``deadline`` (loop time), its httpx and socket errors
    translated into the ``FetchError`` family."""
    try:
        async with asyncio.timeout_at(deadline):
            yield
    except TimeoutError as exc:
        raise DeadlineExceeded(
            f"page not complete within {source.timeout:g}s", url=url, source=source.name
        ) from exc
    except httpx.TimeoutException as exc:
        raise TransportError(
            f"timed out ({type(exc).__name__})", url=url, source=source.name
        ) from exc
    except httpx.InvalidURL as exc:
        raise UnsafeURL(f"invalid URL: {exc}", url=url, source=source.name) from exc
    except httpx.HTTPError as exc:
        raise TransportError(_transport_message(exc), url=url, source=source.name) from exc
    except (OSError, ValueError) as exc:  # socket or SSL errors httpx did not wrap
        raise TransportError(f"{type(exc).__name__}: {exc}", url=url, source=source.name) from exc


def _same_host(a: str, b: str) -> bool:
    """Host names compare without case; IP literals by address (``::1`` is ``0::1``)."""
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return a.rstrip(".").lower() == b.rstrip(".").lower()


def _transport_message(exc: httpx.HTTPError) -> str:
    """A sentence an operator understands, with httpx's class name for the curious."""
    detail = str(exc).strip()
    if isinstance(exc, httpx.ConnectError):
        what = "connection failed"
    elif isinstance(exc, httpx.ReadError | httpx.WriteError):
        what = "connection reset or closed by the server"
    elif isinstance(exc, httpx.RemoteProtocolError):
        what = "connection closed or invalid HTTP from the server"
    elif isinstance(exc, httpx.ProxyError):
        what = "proxy error"
    else:
        what = "transport error"
    return f"{what} ({type(exc).__name__}{': ' + detail if detail else ''})"


def _default_transport(
    settings: FetchSettings, pinned: Callable[[str], list[str] | None]
) -> httpx.AsyncBaseTransport:
    return PerOriginTransport(
        keepalive_per_origin=settings.keepalive_per_origin,
        max_origins=settings.max_origins,
        network_backend=AsyncioBackend(pinned=pinned),
    )


def _headers(source: Source, validators: Validators | None) -> dict[str, str]:
    headers = {
        "User-Agent": source.user_agent,
        "Accept": _ACCEPT,
        "Accept-Encoding": "gzip, deflate",
    }
    if validators is not None:
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
    return headers


def _validators(response: httpx.Response) -> Validators:
    return Validators(
        etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified")
    )


def _not_modified(asked: str, url: str, response: httpx.Response, kept: Validators) -> Page:
    fresh = _validators(response)
    validators = Validators(
        etag=fresh.etag or kept.etag, last_modified=fresh.last_modified or kept.last_modified
    )
    return Page(
        url=asked,
        final_url=url,
        status=304,
        content_type="",
        content=b"",
        text="",
        encoding="utf-8",
        validators=validators,
        not_modified=True,
    )


def _page(
    asked: str, url: str, status: int, kind: str, content: bytes, response: httpx.Response
) -> Page:
    return Page(
        url=asked,
        final_url=url,
        status=status,
        content_type=kind,
        content=content,
        text="",
        encoding="utf-8",
        validators=_validators(response),
    )


def _with_elapsed(page: Page, elapsed: float) -> Page:
    return replace(page, elapsed=elapsed)
