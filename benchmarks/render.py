"""Rendered pages per second and memory per browser (``render: browser``), beside plain
HTTP on the same site.

The site is the test suite's script-built fixture (``tests/support/script_site.py``):
every page is an empty shell whose script fetches its listing or article as JSON and
writes it in. Both runs fetch the listing and every article through the fetcher, the
same number of pages at once (the browser pool's default, 2), from a loopback server.
Plain HTTP gets the shells (fast, and no text); the browser gets the articles.

    .venv/bin/python benchmarks/render.py [--articles 30] [--pages-at-once 2]

Reported: wall time and pages/s per mode, the browser's peak memory (PSS of its process
group, sampled once a second by the pool), browser starts, and this process's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scraper.config.types import Source  # noqa: E402
from scraper.fetch import BrowserSettings, Fetcher  # noqa: E402
from tests.support.httpserver import FixtureServer  # noqa: E402
from tests.support.script_site import ARTICLES, add_script_site  # noqa: E402

MIB = 1024 * 1024


@dataclass
class Run:
    mode: str
    pages: int
    wall: float
    with_text: int
    browser_peak: int = 0
    starts: int = 0
    rss_peak: int = 0

    @property
    def rate(self) -> float:
        return self.pages / self.wall if self.wall else 0.0


def articles(count: int) -> dict[str, dict[str, object]]:
    """``count`` articles, cycling through the fixture's Chinese, Korean and English."""
    base = list(ARTICLES.values())
    return {
        str(1000 + n): {**base[n % len(base)], "title": f"{base[n % len(base)]['title']} {n}"}
        for n in range(count)
    }


async def crawl(mode: str, server: FixtureServer, count: int, at_once: int) -> Run:
    source = Source(
        name=f"bench-{mode}", url=server.url("/"), render=mode,  # type: ignore[arg-type]
        per_host_delay=0.0, per_host_concurrency=at_once, respect_robots=False, timeout=60.0,
    )  # fmt: skip
    urls = [server.url("/")] + [server.url(f"/news/{1000 + n}.html") for n in range(count)]
    gate = asyncio.Semaphore(at_once)
    marker = "<article>"
    async with Fetcher(browser=BrowserSettings(pages_at_once=at_once)) as fetcher:

        async def one(url: str) -> bool:
            async with gate:
                page = await fetcher.fetch(url, source)
                return marker in page.text

        started = time.perf_counter()
        found = await asyncio.gather(*(one(url) for url in urls))
        wall = time.perf_counter() - started
        stats = fetcher.browser_stats
    run = Run(mode, len(urls), wall, sum(found))
    if stats is not None:
        run.browser_peak, run.starts = stats.memory_peak_bytes, stats.browsers_started
    run.rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return run


async def main(args: argparse.Namespace) -> None:
    tempfile.tempdir = tempfile.mkdtemp(prefix="nea-render-bench-")  # browser profiles
    with FixtureServer() as server:
        add_script_site(server, articles(args.articles))
        runs = [
            await crawl("http", server, args.articles, args.pages_at_once),
            await crawl("browser", server, args.articles, args.pages_at_once),
        ]
    print(f"{args.articles} articles + 1 listing, {args.pages_at_once} pages at once\n")
    print("| mode | pages | with article text | wall s | pages/s | browser peak MiB "
          "| browsers started | process peak RSS MiB |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        cells = [
            run.mode, run.pages, run.with_text, f"{run.wall:.2f}", f"{run.rate:.1f}",
            f"{run.browser_peak / MIB:.0f}", run.starts, f"{run.rss_peak / MIB:.0f}",
        ]  # fmt: skip
        print("| " + " | ".join(str(cell) for cell in cells) + " |")
    http, browser = runs
    if browser.rate:
        print(f"\nplain HTTP is {http.rate / browser.rate:.1f}x the browser's pages/s "
              "(and finds no article text on this site)")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--pages-at-once", type=int, default=2)
    asyncio.run(main(parser.parse_args()))
