"""The browser pool: at most one running Chromium, a few pages at a time, restarted
after a number of pages or above a memory cap, replaced after a crash, killed with its
whole process group on shutdown.

Nothing starts until the first page of a ``render: browser`` source: a configuration
without one never runs a browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from scraper.chromium_path import MISSING, chromium_problem, find_chromium
from scraper.config.types import Source
from scraper.errors import BrowserUnavailable, DevToolsError, RenderFailed
from scraper.fetch._cdp import CdpConnection
from scraper.fetch._chromium import ChromiumProcess
from scraper.fetch._render import Loader, Tab, render
from scraper.fetch.types import Page

log = logging.getLogger("scraper.fetch.browser")

MIB = 1024 * 1024


@dataclass(frozen=True)
class BrowserSettings:
    """Limits of the browser pool (process-wide; the page deadline and size cap are the
    source's ``timeout`` and ``max_page_bytes``)."""

    pages_at_once: int = 2
    restart_after_pages: int = 200  # a long-lived renderer only grows: start afresh
    memory_cap: int = 1024 * MIB  # PSS of the browser's process group
    memory_check_every: float = 1.0  # seconds between /proc reads while pages render
    js_heap_mb: int = 256  # V8 heap per renderer: a runaway script crashes its own tab
    quiet: float = 0.5  # a page is done after its load event and this long without requests
    idle_close: float = 120.0  # a browser with no page for this long is closed


@dataclass
class BrowserStats:
    """What ``scraper status`` and the metrics show of the pool."""

    pages_rendered: int = 0
    pages_failed: int = 0
    browsers_started: int = 0
    restarts: int = 0  # retired after restart_after_pages or over the memory cap
    crashes: int = 0  # a browser, or one of its tabs, died under a page
    requests_refused: int = 0
    memory_bytes: int = 0  # at the last check; 0 when no browser runs
    memory_peak_bytes: int = 0  # the most any browser held at a check
    running: bool = False


class _Browser:
    """One running Chromium and what the pool knows of it."""

    def __init__(self, process: ChromiumProcess, connection: CdpConnection) -> None:
        self.process = process
        self.connection = connection
        self.contexts: dict[str, str] = {}  # source name -> its browser context
        self.pages = 0
        self.in_flight = 0
        self.retiring = False
        self.killed_because: str | None = None
        self.watcher: asyncio.Task[None] | None = None
        self.last_used = asyncio.get_running_loop().time()

    async def context_for(self, source: Source) -> str:
        """The source's own browser context (cookies and storage never cross sources)."""
        context = self.contexts.get(source.name)
        if context is None:
            created = await self.connection.send(
                "Target.createBrowserContext", {"disposeOnDetach": True}
            )
            context = created["browserContextId"]
            await self.connection.send(
                "Browser.setDownloadBehavior", {"behavior": "deny", "browserContextId": context}
            )
            self.contexts[source.name] = context
        return context

    async def kill(self, why: str) -> None:
        if self.killed_because is None:
            self.killed_because = why
        if self.watcher is not None and self.watcher is not asyncio.current_task():
            self.watcher.cancel()
        self.connection.close()
        await self.process.kill()


class BrowserPool:
    """Renders pages for the fetcher::

    pool = BrowserPool()
    html = await pool.render(page, source, load, refused)
    await pool.aclose()
    """

    def __init__(self, settings: BrowserSettings | None = None) -> None:
        self.settings = settings or BrowserSettings()
        self.stats = BrowserStats()
        self._gate = asyncio.Semaphore(max(1, self.settings.pages_at_once))
        self._starting = asyncio.Lock()
        self._current: _Browser | None = None
        self._all: set[_Browser] = set()
        self._closed = False

    async def render(
        self, page: Page, source: Source, load: Loader, refused: Callable[[str, str], None]
    ) -> str:
        """The DOM of ``page`` after its scripts ran (``_render.render``). A crash fails
        this page only; the next page gets a fresh browser."""
        async with self._gate:
            browser = await self._browser(page, source)
            browser.in_flight += 1
            try:
                context = await browser.context_for(source)
                html = await render(
                    Tab(browser.connection, context), page, source, load,
                    self._counted(refused), quiet=self.settings.quiet,
                )  # fmt: skip
            except (DevToolsError, RenderFailed) as exc:
                self.stats.pages_failed += 1
                raise await self._failure(browser, exc, page, source) from None
            except BaseException:
                self.stats.pages_failed += 1
                raise
            finally:
                browser.in_flight -= 1
                browser.pages += 1
                browser.last_used = asyncio.get_running_loop().time()
                await self._maybe_retire(browser)
            self.stats.pages_rendered += 1
            return html

    async def _failure(
        self, browser: _Browser, exc: Exception, page: Page, source: Source
    ) -> RenderFailed:
        """The error of a page whose tab or browser died under it; a browser that died
        by itself (not killed by us) is dropped and counted as a crash."""
        if browser.killed_because is not None:
            why = browser.killed_because
        else:
            self.stats.crashes += 1
            gone = browser.connection.closed_because is not None or not browser.process.alive()
            why = "the browser crashed" if gone else str(exc.args[0] if exc.args else exc)
            if gone:
                await self._drop(browser, why)
        return RenderFailed(why, url=page.final_url, source=source.name)

    def _counted(self, refused: Callable[[str, str], None]) -> Callable[[str, str], None]:
        def record(url: str, reason: str) -> None:
            self.stats.requests_refused += 1
            refused(url, reason)

        return record

    async def _browser(self, page: Page, source: Source) -> _Browser:
        async with self._starting:
            current = self._current
            if current is not None and current.process.alive() and current.killed_because is None:
                return current
            if current is not None:
                if current.killed_because is None:
                    self.stats.crashes += 1
                await self._drop(current, "the browser exited")
            if self._closed:
                raise RenderFailed("shutting down", url=page.final_url, source=source.name)
            executable = find_chromium()
            if executable is None:
                problem = chromium_problem() or MISSING
                raise BrowserUnavailable(problem, url=page.final_url, source=source.name)
            try:
                self._current = await self._start(executable)
            except (OSError, TimeoutError, DevToolsError) as exc:
                self.stats.crashes += 1
                why = str(exc) or "no answer on its DevTools pipe within 30s"
                raise RenderFailed(
                    f"Chromium ({executable}) did not start: {why}",
                    url=page.final_url,
                    source=source.name,
                ) from None
            return self._current

    async def _start(self, executable: str) -> _Browser:
        process = await ChromiumProcess.start(executable, js_heap_mb=self.settings.js_heap_mb)
        connection = CdpConnection()
        try:
            await connection.open(process.reader, process.writer)
            async with asyncio.timeout(30.0):
                await connection.send("Browser.getVersion")
        except BaseException as exc:
            said = process.last_words()
            connection.close()
            await process.kill()
            if said and isinstance(exc, TimeoutError | DevToolsError):
                raise DevToolsError(said, closed=True) from None
            raise
        browser = _Browser(process, connection)
        browser.watcher = asyncio.create_task(self._watch(browser), name="browser-memory")
        self._all.add(browser)
        self.stats.browsers_started += 1
        self.stats.running = True
        log.info("browser started (pid %d)", process.pid)
        return browser

    async def _watch(self, browser: _Browser) -> None:
        """Measure the browser's memory while it lives; kill it above the cap (its pages
        in flight fail; the next page starts a new browser). Close it when idle: sources
        polled hourly should not keep a browser's memory between their polls, and a
        reload that removed every browser source leaves none running."""
        cap = self.settings.memory_cap
        loop = asyncio.get_running_loop()
        while browser.process.alive():
            if (
                browser.in_flight == 0
                and loop.time() - browser.last_used > self.settings.idle_close
            ):
                log.info("browser idle for %.0fs: closed", self.settings.idle_close)
                await self._drop(browser, "idle")
                return
            used = await asyncio.to_thread(browser.process.memory)
            self.stats.memory_bytes = used
            self.stats.memory_peak_bytes = max(self.stats.memory_peak_bytes, used)
            if used > cap:
                self.stats.restarts += 1
                why = f"the browser passed its memory cap ({used // MIB} MiB > {cap // MIB} MiB)"
                log.warning("%s: killed", why)
                self._forget(browser)
                await browser.kill(why)
                return
            await asyncio.sleep(self.settings.memory_check_every)

    async def _maybe_retire(self, browser: _Browser) -> None:
        if browser.pages >= self.settings.restart_after_pages and not browser.retiring:
            browser.retiring = True
            self.stats.restarts += 1
            self._forget(browser)
        if browser.retiring and browser.in_flight == 0:
            await self._drop(browser, "retired")

    def _forget(self, browser: _Browser) -> None:
        if self._current is browser:
            self._current = None

    async def _drop(self, browser: _Browser, why: str) -> None:
        self._forget(browser)
        self._all.discard(browser)
        await browser.kill(why)
        self.stats.running = bool(self._all)
        if not self._all:
            self.stats.memory_bytes = 0

    async def aclose(self) -> None:
        """Kill every browser (and its process group); no page may start after."""
        self._closed = True
        for browser in list(self._all):
            with contextlib.suppress(Exception):
                await self._drop(browser, "shut down")
