"""``render: browser`` at the fetcher: real Chromium, real HTTP over loopback.

Every request a rendered page makes goes through the fetcher's rules; the pool survives
crashes, hangs and runaway pages; nothing is started for plain-HTTP sources."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from scraper.commands._pool import describe
from scraper.config.types import Source
from scraper.errors import (
    BrowserUnavailable,
    DeadlineExceeded,
    RenderFailed,
    ResponseTooLarge,
)
from scraper.fetch import BrowserSettings, Fetcher
from scraper.fetch._browser import MIB
from scraper.metrics import MeasuredFetcher, Metrics
from tests.support.chromium import none_left, processes_mentioning
from tests.support.httpserver import FixtureRequestHandler, FixtureServer, Response
from tests.support.script_site import ARTICLES, add_bad_pages, add_script_site, hanging

pytestmark = pytest.mark.usefixtures("chromium")

HTML = "text/html; charset=utf-8"


def page_with_script(script: str, body: str = "") -> bytes:
    return (
        f"<!doctype html><html><head><title>t</title></head><body>{body}"
        f"<div id='out'></div><script>{script}</script></body></html>"
    ).encode()


@pytest.fixture
def profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Browser profiles go under the test's directory, to find its processes by it."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


@pytest.fixture
def site() -> Iterator[FixtureServer]:
    with FixtureServer() as server:
        add_script_site(server)
        yield server


def browser_source(server: FixtureServer, path: str = "/", **changes: object) -> Source:
    base = Source(
        name="spa", url=server.url(path), render="browser", timeout=20.0,
        per_host_delay=0.0, respect_robots=False,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
async def fetcher(profiles: Path) -> AsyncIterator[Fetcher]:
    async with Fetcher() as instance:
        yield instance


async def test_a_script_built_listing_and_article_are_rendered(
    site: FixtureServer, fetcher: Fetcher
) -> None:
    source = browser_source(site)
    listing = await fetcher.fetch(source.url, source)
    for key, article in ARTICLES.items():
        assert f'href="/news/{key}.html"' in listing.text
        assert str(article["title"]) in listing.text
    page = await fetcher.fetch(site.url("/news/101.html"), source, decode=False)
    assert page.content_type == "text/html"
    assert page.decoded
    assert page.charset == "utf-8"
    assert page.content.decode("utf-8") == page.text
    for paragraph in ARTICLES["101"]["paragraphs"]:  # type: ignore[attr-defined]
        assert paragraph in page.text
    assert page.validators.etag is None  # the shell's validators say nothing of its data
    stats = fetcher.browser_stats
    assert stats is not None
    assert (stats.pages_rendered, stats.browsers_started, stats.crashes) == (2, 1, 0)
    assert stats.running
    assert stats.memory_bytes > 0


async def test_the_same_site_over_plain_http_has_no_links(site: FixtureServer) -> None:
    async with Fetcher() as fetcher:
        page = await fetcher.fetch(site.url("/"), replace(browser_source(site), render="http"))
        assert "/news/101.html" not in page.text
        assert fetcher.browser_stats is None  # no browser for a plain-HTTP source


async def test_a_request_to_another_private_address_is_refused_and_recorded(
    fetcher: Fetcher, caplog: pytest.LogCaptureFixture
) -> None:
    refused: list[tuple[str, str]] = []
    fetcher.on_refused = lambda source, reason: refused.append((source.name, reason))
    # 127.0.0.1 is the source's own host (allowed, as for plain HTTP); 127.0.0.2 is
    # another private address the page's script tries to reach.
    with FixtureServer() as site, FixtureServer("127.0.0.2") as other:
        other.route("/secret", Response(body=b"secret", content_type="text/plain"))
        script = (
            f"fetch('{other.url('/secret')}').then(r => r.text())"
            ".then(t => { out.textContent = 'got ' + t; })"
            ".catch(() => { out.textContent = 'blocked'; });"
        )
        site.route("/", Response(body=page_with_script(script), content_type=HTML))
        source = browser_source(site)
        with caplog.at_level(logging.WARNING, logger="scraper.fetch"):
            page = await fetcher.fetch(source.url, source)
        assert other.requests == []
    assert ">blocked<" in page.text
    assert len(refused) == 1
    assert refused[0][0] == "spa"
    assert "UnsafeURL" in refused[0][1]
    assert any("browser request refused" in r.getMessage() for r in caplog.records)
    stats = fetcher.browser_stats
    assert stats is not None
    assert stats.requests_refused == 1


async def test_images_fonts_and_styles_are_not_loaded(fetcher: Fetcher) -> None:
    with FixtureServer() as site:
        body = (
            "<img src='/pic.png'><link rel=stylesheet href='/s.css'>"
            "<video src='/v.mp4'></video><p>text of the page</p>"
        )
        site.route("/", Response(body=page_with_script("", body), content_type=HTML))
        source = browser_source(site)
        page = await fetcher.fetch(source.url, source)
        paths = {r.path for r in site.requests}
    assert "text of the page" in page.text
    assert paths == {"/"}


async def test_cookies_never_cross_sources(fetcher: Fetcher) -> None:
    with FixtureServer() as site:
        site.route("/", Response(body=page_with_script("fetch('/api')"), content_type=HTML))
        site.route("/api", Response(body=b"{}", content_type="application/json",
                                    headers={"Set-Cookie": "session=one; Path=/"}))  # fmt: skip
        first = browser_source(site)
        second = replace(first, name="other")
        await fetcher.fetch(first.url, first)
        await fetcher.fetch(first.url, first)
        await fetcher.fetch(second.url, second)
        cookies = [r.headers.get("cookie") for r in site.requests_for("/api")]
    assert cookies == [None, "session=one", None]


async def test_a_page_that_never_finishes_fails_within_its_deadline(fetcher: Fetcher) -> None:
    with FixtureServer() as site:
        add_script_site(site)
        add_bad_pages(site)
        stuck = browser_source(site, "/hang", timeout=3.0)
        with pytest.raises(DeadlineExceeded, match="within 3s"):
            await fetcher.fetch(stuck.url, stuck)
        # The pool is fine: the next page renders in the same browser.
        good = browser_source(site)
        page = await fetcher.fetch(good.url, good)
    assert "/news/101.html" in page.text
    stats = fetcher.browser_stats
    assert stats is not None
    assert stats.browsers_started == 1


async def test_a_page_that_allocates_without_end_fails_and_the_next_page_renders(
    fetcher: Fetcher,
) -> None:
    with FixtureServer() as site:
        add_script_site(site)
        add_bad_pages(site)
        hog = browser_source(site, "/hog", timeout=60.0)
        with pytest.raises((RenderFailed, DeadlineExceeded)):
            await fetcher.fetch(hog.url, hog)
        good = browser_source(site)
        page = await fetcher.fetch(good.url, good)
    assert "/news/103.html" in page.text


async def test_a_rendered_dom_over_the_size_cap_is_refused(fetcher: Fetcher) -> None:
    grow = "out.textContent = 'x'.repeat(200000);"
    with FixtureServer() as site:
        site.route("/", Response(body=page_with_script(grow), content_type=HTML))
        source = browser_source(site, max_page_bytes=100_000)
        with pytest.raises(ResponseTooLarge, match="rendered DOM"):
            await fetcher.fetch(source.url, source)


async def test_a_crashed_browser_fails_its_page_and_the_next_gets_a_fresh_one(
    site: FixtureServer, fetcher: Fetcher
) -> None:
    source = browser_source(site)
    await fetcher.fetch(source.url, source)
    pool = fetcher._browser
    assert pool is not None
    assert pool._current is not None
    os.killpg(pool._current.process.pid, signal.SIGKILL)
    await pool._current.process.process.wait()
    page = await fetcher.fetch(site.url("/news/102.html"), source)
    assert str(ARTICLES["102"]["title"]) in page.text
    stats = fetcher.browser_stats
    assert stats is not None
    assert stats.browsers_started == 2
    assert stats.crashes == 1


async def test_a_crash_during_a_page_fails_that_page(site: FixtureServer, fetcher: Fetcher) -> None:
    started = asyncio.Event()

    def slow(handler: FixtureRequestHandler) -> None:
        started_loop.call_soon_threadsafe(started.set)
        hanging(handler)

    started_loop = asyncio.get_running_loop()
    site.route(
        "/slow",
        Response(
            body=b"<html><body><script src='/slow.js'></script></body></html>", content_type=HTML
        ),
    )
    site.route("/slow.js", slow)  # fmt: skip
    source = browser_source(site, "/slow")
    render = asyncio.create_task(fetcher.fetch(source.url, source))
    await started.wait()
    pool = fetcher._browser
    assert pool is not None
    assert pool._current is not None
    os.killpg(pool._current.process.pid, signal.SIGKILL)
    with pytest.raises(RenderFailed, match=r"crashed|went away"):
        await render
    page = await fetcher.fetch(site.url("/"), browser_source(site))
    assert "/news/101.html" in page.text


async def test_the_browser_is_restarted_after_its_page_count(
    site: FixtureServer, profiles: Path
) -> None:
    async with Fetcher(browser=BrowserSettings(restart_after_pages=2)) as fetcher:
        source = browser_source(site)
        for path in ("/", "/news/101.html", "/news/102.html"):
            await fetcher.fetch(site.url(path), source)
        stats = fetcher.browser_stats
        assert stats is not None
        assert (stats.browsers_started, stats.restarts, stats.crashes) == (2, 1, 0)
        assert len(_browser_mains(profiles)) == 1  # the retired one is gone


async def test_a_browser_over_its_memory_cap_is_killed_and_replaced(
    site: FixtureServer, profiles: Path
) -> None:
    async with Fetcher(browser=BrowserSettings(memory_cap=1 * MIB)) as fetcher:
        source = browser_source(site)
        with pytest.raises(RenderFailed, match="memory cap"):
            await fetcher.fetch(source.url, source)
        stats = fetcher.browser_stats
        assert stats is not None
        assert stats.restarts >= 1
        assert stats.crashes == 0


async def test_closing_the_fetcher_leaves_no_browser_process(
    site: FixtureServer, profiles: Path
) -> None:
    async with Fetcher() as fetcher:
        source = browser_source(site)
        await fetcher.fetch(source.url, source)
        assert processes_mentioning(str(profiles))
    assert none_left(str(profiles)) == []
    assert not list(profiles.glob("nea-chromium-*"))  # noqa: ASYNC240


async def test_without_chromium_the_page_fails_with_a_clear_error(
    site: FixtureServer, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEA_CHROMIUM", "/nonexistent/chromium")
    source = browser_source(site)
    with pytest.raises(BrowserUnavailable) as caught:
        await fetcher.fetch(source.url, source)
    message = str(caught.value)
    assert "apt-get install chromium" in message
    assert "NEA_CHROMIUM" in message
    assert "\n" not in message


def _browser_mains(profiles: Path) -> list[int]:
    """Browser main processes (not their children) running with a profile under ours."""
    return [
        pid for pid in processes_mentioning(str(profiles))
        if "--type=" not in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    ]  # fmt: skip


async def test_an_idle_browser_is_closed_and_the_next_page_starts_one(
    site: FixtureServer, profiles: Path
) -> None:
    async with Fetcher(browser=BrowserSettings(idle_close=0.2, memory_check_every=0.05)) as fetcher:
        source = browser_source(site)
        await fetcher.fetch(source.url, source)
        stats = fetcher.browser_stats
        assert stats is not None
        for _ in range(600):  # up to 30 s on a busy machine
            if not stats.running and not processes_mentioning(str(profiles)):
                break
            await asyncio.sleep(0.05)
        assert not stats.running
        assert processes_mentioning(str(profiles)) == []
        page = await fetcher.fetch(site.url("/news/103.html"), source)
        assert str(ARTICLES["103"]["title"]) in page.text
        assert (stats.browsers_started, stats.crashes, stats.restarts) == (2, 0, 0)


async def test_the_metrics_count_rendered_pages_and_refused_requests(profiles: Path) -> None:
    metrics = Metrics()
    script = "fetch('http://169.254.169.254/latest/meta-data/').catch(() => {});"
    with FixtureServer() as site:
        site.route("/", Response(body=page_with_script(script), content_type=HTML))
        async with MeasuredFetcher(metrics) as fetcher:
            source = browser_source(site)
            await fetcher.fetch(source.url, source)
            exposition = metrics.exposition().decode()
    assert 'nea_browser_requests_refused_total{source="spa"} 1.0' in exposition
    assert "nea_browser_pages_rendered_total 1.0" in exposition
    assert "nea_browser_running 1.0" in exposition
    assert describe(exposition).startswith(
        "running, 1 pages rendered, 0 failed, 1 browsers started, 0 restarts, 0 crashes, "
        "1 requests refused"
    )


async def test_a_loaded_page_whose_requests_never_settle_is_read_as_it_is(
    fetcher: Fetcher,
) -> None:
    script = "out.textContent = 'written before the long poll'; fetch('/poll');"
    with FixtureServer() as site:
        site.route("/", Response(body=page_with_script(script), content_type=HTML))
        site.route("/poll", hanging)
        source = browser_source(site, timeout=4.0)
        page = await fetcher.fetch(source.url, source)
    assert ">written before the long poll<" in page.text


async def test_a_browser_that_cannot_start_fails_the_page_with_its_reason(
    site: FixtureServer, fetcher: Fetcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'No usable sandbox: user namespaces are off' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("NEA_CHROMIUM", str(broken))
    source = browser_source(site)
    with pytest.raises(RenderFailed, match="did not start: No usable sandbox"):
        await fetcher.fetch(source.url, source)
    assert not list(tmp_path.glob("nea-chromium-*"))  # noqa: ASYNC240
