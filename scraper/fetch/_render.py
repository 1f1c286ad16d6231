"""Rendering one page in a browser tab, with every request it makes served by us.

The page's own document was fetched already by the fetcher (robots.txt, redirects, size
cap, address checks: the plain-HTTP path); the tab is pointed at its final URL and the
DevTools ``Fetch`` domain pauses every request before it leaves the browser:

- the page's document is fulfilled with the bytes fetched already;
- images, fonts, media, style sheets and other non-content loads are refused;
- anything else (scripts, XHR, ``fetch()``, frames, redirects the page follows) is
  fetched by the fetcher (``Loader``) under the same rules as any plain-HTTP fetch —
  address checks, per-host politeness, the page deadline, the size cap — and handed to
  the browser as the response. A request the rules refuse fails in the page and is
  recorded (``refused``).

So the browser itself never opens a connection for a page: its flags (``_chromium.py``)
leave it a dead proxy and no DNS. The page is done when its ``load`` event has fired and
no request has been in flight for ``quiet`` seconds (or, if its requests never settle,
shortly before its deadline); its DOM is then serialised, up to the size cap. A page
that has not loaded by its deadline fails.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag

from scraper.config.types import Source
from scraper.errors import (
    DeadlineExceeded,
    DevToolsError,
    FetchError,
    RenderFailed,
    ResponseTooLarge,
    RobotsDisallowed,
    UnsafeURL,
    UnsupportedContentType,
)
from scraper.fetch._cdp import JSON, CdpConnection
from scraper.fetch.types import Page, Resource

log = logging.getLogger("scraper.fetch.browser")

# Loads that add nothing to the text of a page.
BLOCKED_TYPES = frozenset(
    {"Image", "Media", "Font", "Stylesheet", "TextTrack", "Manifest", "Ping",
     "CSPViolationReport", "Prefetch", "SignedExchange", "Other"}
)  # fmt: skip
_FAIL_REASON = {"UnsafeURL": "AccessDenied", "RobotsDisallowed": "AccessDenied"}
# What the fetch rules refuse (recorded), as against what the site fails to answer.
_REFUSALS = (UnsafeURL, RobotsDisallowed, ResponseTooLarge, UnsupportedContentType)

Loader = Callable[[str, dict[str, str], bool], Awaitable[Resource]]
Refused = Callable[[str, str], None]  # (url, reason)

_SERIALISE = """(() => {
  const root = document.documentElement;
  const html = root ? root.outerHTML : "";
  return html.length > %d ? {over: html.length} : {html: html};
})()"""


@dataclass(frozen=True)
class Tab:
    """Where a page is rendered: a browser context (one per source) on a connection."""

    connection: CdpConnection
    context: str


class _PageLoad:
    """The state of one page load: requests in flight, the load event, a crash."""

    def __init__(self, connection: CdpConnection, session: str, quiet: float) -> None:
        self.connection = connection
        self.session = session
        self.quiet = quiet
        self.in_flight = 0
        self.loaded = asyncio.Event()
        self.changed = asyncio.Event()
        self.broken: asyncio.Future[FetchError] = asyncio.get_running_loop().create_future()
        self.tasks: set[asyncio.Task[None]] = set()

    def fail(self, error: FetchError) -> None:
        if not self.broken.done():
            self.broken.set_result(error)

    async def settled(self) -> None:
        """Return once loaded and quiet (no request in flight for ``quiet`` seconds)."""
        await self.loaded.wait()
        while True:
            self.changed.clear()
            if self.in_flight == 0:
                try:
                    await asyncio.wait_for(self.changed.wait(), self.quiet)
                except TimeoutError:
                    if self.in_flight == 0:
                        return
                continue
            await self.changed.wait()


async def render(
    tab: Tab,
    page: Page,
    source: Source,
    load: Loader,
    refused: Refused,
    *,
    quiet: float,
) -> str:
    """The DOM of ``page`` (fetched already) after its scripts ran, as HTML.

    Raises ``DeadlineExceeded`` when the page has not loaded within ``source.timeout``
    (a loaded page whose requests never settle is read as it is, shortly before that),
    ``ResponseTooLarge`` for a DOM
    over ``source.max_page_bytes`` characters, ``RenderFailed`` when the tab or browser
    crashed; ``DevToolsError`` when the browser went away.
    """
    connection = tab.connection
    started = asyncio.get_running_loop().time()
    created = await connection.send(
        "Target.createTarget", {"url": "about:blank", "browserContextId": tab.context}
    )
    target = created["targetId"]
    try:
        attached = await connection.send(
            "Target.attachToTarget", {"targetId": target, "flatten": True}
        )
        session = attached["sessionId"]
        state = _PageLoad(connection, session, quiet)
        connection.listen(session, _events(state, page, source, load, refused))
        # Past ``settle_by`` a loaded page is read as it is; the reserve is for reading it.
        settle_by = started + source.timeout - min(2.0, source.timeout / 4)
        try:
            async with asyncio.timeout_at(started + source.timeout):
                return await _load(state, page, source, settle_by)
        except TimeoutError:
            raise DeadlineExceeded(
                f"page not rendered within {source.timeout:g}s",
                url=page.final_url,
                source=source.name,
            ) from None
        finally:
            connection.forget(session)
            for task in state.tasks:
                task.cancel()
    finally:
        await _close(connection, target)


async def _unless_broken(state: _PageLoad, awaitable: Awaitable[object]) -> None:
    """Wait for ``awaitable``; raise the page's error if the tab or browser broke first."""
    waiting = asyncio.ensure_future(awaitable)
    either: set[asyncio.Future[Any]] = {waiting, state.broken}
    try:
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
    if state.broken.done():
        raise state.broken.result()


async def _load(state: _PageLoad, page: Page, source: Source, settle_by: float) -> str:
    send, session = state.connection.send, state.session
    await send(
        "Fetch.enable", {"patterns": [{"urlPattern": "*", "requestStage": "Request"}]}, session
    )
    await send("Page.enable", None, session)
    await send("Inspector.enable", None, session)
    await send("Network.setUserAgentOverride", {"userAgent": source.user_agent}, session)
    await send("Page.navigate", {"url": page.final_url}, session)
    await _unless_broken(state, state.loaded.wait())  # no load event: the deadline fails it
    try:
        async with asyncio.timeout_at(settle_by):
            await _unless_broken(state, state.settled())
    except TimeoutError:
        # Loaded, but a request never ends (long polling, a stuck beacon): the DOM is
        # read as it is, rather than the page failing for what it did not need.
        log.info("%s: %s still loading near its deadline; read as it is",
                 source.name, page.final_url)  # fmt: skip
    cap = source.max_page_bytes
    answer = await send(
        "Runtime.evaluate", {"expression": _SERIALISE % cap, "returnByValue": True}, session
    )
    value = answer.get("result", {}).get("value") or {}
    if "over" in value:
        raise ResponseTooLarge(
            f"rendered DOM of {value['over']:,} characters over {cap:,}",
            url=page.final_url,
            source=source.name,
        )
    return str(value.get("html", ""))


def _events(
    state: _PageLoad, page: Page, source: Source, load: Loader, refused: Refused
) -> Callable[[str, JSON], None]:
    document = [urldefrag(page.final_url).url]  # served once from the page fetched already

    def on_event(method: str, params: JSON) -> None:
        if method == "Fetch.requestPaused":
            state.in_flight += 1
            state.changed.set()
            task = asyncio.ensure_future(
                _serve(state, params, page, source, document, load, refused)
            )
            state.tasks.add(task)
            task.add_done_callback(state.tasks.discard)
        elif method == "Page.loadEventFired":
            state.loaded.set()
        elif method == "Page.javascriptDialogOpening":  # an alert() would block the page
            reply = state.connection.send(
                "Page.handleJavaScriptDialog", {"accept": False}, state.session
            )
            _background(state, reply)
        elif method == "Inspector.targetCrashed":
            why = "the page crashed in the browser (out of memory?)"
            state.fail(RenderFailed(why, url=page.final_url, source=source.name))
        elif method == "Nea.closed":
            why = f"the browser went away: {params.get('reason')}"
            state.fail(RenderFailed(why, url=page.final_url, source=source.name))

    return on_event


def _background(state: _PageLoad, coroutine: Awaitable[JSON]) -> None:
    async def run() -> None:
        with contextlib.suppress(DevToolsError):
            await coroutine

    task = asyncio.ensure_future(run())
    state.tasks.add(task)
    task.add_done_callback(state.tasks.discard)


async def _serve(
    state: _PageLoad,
    params: JSON,
    page: Page,
    source: Source,
    document: list[str],
    load: Loader,
    refused: Refused,
) -> None:
    request_id = params["requestId"]
    request = params.get("request", {})
    url = str(request.get("url", ""))
    kind = str(params.get("resourceType", ""))
    try:
        if kind == "Document" and document and urldefrag(url).url == document[0]:
            document.clear()
            await _fulfil(state, request_id, _document(page, source))
        elif kind in BLOCKED_TYPES:
            await _fail(state, request_id, "BlockedByClient")
        elif request.get("method", "GET") not in ("GET", "HEAD"):
            refused(url, f"{request.get('method')} requests are not made for a page")
            await _fail(state, request_id, "AccessDenied")
        else:
            try:
                resource = await load(url, dict(request.get("headers", {})), kind == "Document")
            except DeadlineExceeded as exc:
                # The page's deadline, reached while this request waited: the page fails.
                state.fail(_page_deadline(exc, page, source))
                await _fail(state, request_id, "TimedOut")
            except FetchError as exc:
                if isinstance(exc, _REFUSALS):
                    refused(url, f"{type(exc).__name__}: {exc.args[0]}")
                else:  # the site's own failure: the page sees a failed request, as it would
                    log.info("%s: %s failed in the browser: %s", source.name, url, exc)
                await _fail(state, request_id, _FAIL_REASON.get(type(exc).__name__, "Failed"))
            else:
                await _fulfil(state, request_id, resource)
    except DevToolsError:
        pass  # the tab or browser is gone: the page load reports it
    finally:
        state.in_flight -= 1
        state.changed.set()


def _page_deadline(error: DeadlineExceeded, page: Page, source: Source) -> DeadlineExceeded:
    """The page's deadline error, naming the page rather than the request."""
    return DeadlineExceeded(
        f"page not rendered within {source.timeout:g}s (waiting for {error.url})",
        url=page.final_url,
        source=source.name,
    )


def _document(page: Page, source: Source) -> Resource:
    charset = source.encoding or page.charset
    kind = page.content_type or "text/html"
    header = f"{kind}; charset={charset}" if charset else kind
    return Resource(status=200, headers=(("Content-Type", header),), body=page.content)


async def _fulfil(state: _PageLoad, request_id: str, resource: Resource) -> None:
    await state.connection.send(
        "Fetch.fulfillRequest",
        {
            "requestId": request_id,
            "responseCode": resource.status,
            "responseHeaders": [{"name": k, "value": v} for k, v in resource.headers],
            "body": base64.b64encode(resource.body).decode("ascii"),
        },
        state.session,
    )


async def _fail(state: _PageLoad, request_id: str, reason: str) -> None:
    await state.connection.send(
        "Fetch.failRequest", {"requestId": request_id, "errorReason": reason}, state.session
    )


async def _close(connection: CdpConnection, target: str) -> None:
    """Close the tab; a browser that cannot within seconds is hung and the pool's
    problem (it is killed on its next health check)."""
    try:
        async with asyncio.timeout(5.0):
            await connection.send("Target.closeTarget", {"targetId": target})
    except (TimeoutError, DevToolsError):
        log.debug("tab %s not closed", target)
