"""Does moving big pages to a worker process pay? Measures, on this machine:

1. extract() time by page size (inline), and the process pool's extra cost per page
   (pickling the page there and the result back);
2. the longest event-loop stall while a batch of pages is extracted inline versus in the
   pool, with a heartbeat task that should tick every millisecond — a stall is time when
   no fetch, no scheduler job and no delivery could run.

    .venv/bin/python benchmarks/cpu_offload.py [--sizes 50,200,500,1000,3000] [--pages 6]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scraper.config.types import Source
from scraper.fetch.types import Page
from scraper.pipeline.articles import extract_page
from scraper.pipeline.cpu import CpuPool
from tests.sites import ENGLISH_BODY, english_article

SOURCE = Source(name="bench", url="http://127.0.0.1/")


def page_of(kilobytes: int) -> Page:
    """A realistic article page grown to the size: long body, long comment thread."""
    paragraphs = list(ENGLISH_BODY)
    html = english_article("A long page", paragraphs)
    filler = "".join(
        f'<div class="comment"><a href="/u/{i}">user{i}</a><p>Comment {i}: '
        + "regional cooperation matters " * 8
        + "</p></div>\n"
        for i in range(kilobytes * 4)
    )
    html = html.replace("</main>", f'<section class="comments">{filler}</section></main>')
    html = html[: kilobytes * 1024 + len(html) // 10]
    content = html.encode()
    return Page(url="http://127.0.0.1/a", final_url="http://127.0.0.1/a", status=200,
                content_type="text/html", content=content, text=html, encoding="utf-8")  # fmt: skip


def time_inline(page: Page, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        extract_page(page, SOURCE, page.url)
        times.append(time.perf_counter() - started)
    return min(times)


async def batch(pool: CpuPool, pages: list[Page]) -> tuple[float, float]:
    """Wall time of extracting ``pages`` and the longest heartbeat gap meanwhile."""
    worst = 0.0
    stop = asyncio.Event()

    async def heartbeat() -> None:
        nonlocal worst
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            worst = max(worst, now - last)
            last = now

    beat = asyncio.create_task(heartbeat())
    started = time.perf_counter()
    await asyncio.gather(*(pool.run(len(p.content), extract_page, p, SOURCE, p.url) for p in pages))
    wall = time.perf_counter() - started
    stop.set()
    await beat
    return wall, worst


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,200,500,1000,3000")
    parser.add_argument("--pages", type=int, default=6)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    pool = CpuPool(workers=1, offload_bytes=0)
    await pool.run(1, time_inline, page_of(10), 1)  # start the worker outside the timings
    print(f"{'page KB':>8} {'inline ms':>10} {'pool ms':>9} {'pool overhead ms':>17}")
    for kb in sizes:
        page = page_of(kb)
        inline = time_inline(page)
        round_trips = []
        for _ in range(3):
            started = time.perf_counter()
            await pool.run(len(page.content), extract_page, page, SOURCE, page.url)
            round_trips.append(time.perf_counter() - started)
        pooled = min(round_trips)
        print(f"{len(page.content) // 1024:>8} {inline * 1000:>10.1f} {pooled * 1000:>9.1f} "
              f"{(pooled - inline) * 1000:>17.1f}")  # fmt: skip

    print(f"\nevent-loop stall while extracting {args.pages} pages of each size:")
    print(f"{'page KB':>8} {'inline stall ms':>16} {'pool stall ms':>14} "
          f"{'inline wall s':>14} {'pool wall s':>12}")  # fmt: skip
    inline_pool = CpuPool(workers=0)
    for kb in sizes:
        pages = [page_of(kb) for _ in range(args.pages)]
        inline_wall, inline_stall = await batch(inline_pool, pages)
        pool_wall, pool_stall = await batch(pool, pages)
        print(f"{kb:>8} {inline_stall * 1000:>16.1f} {pool_stall * 1000:>14.1f} "
              f"{inline_wall:>14.2f} {pool_wall:>12.2f}")  # fmt: skip
    pool.shutdown()
    print(f"\noffload threshold in use: {CpuPool().offload_bytes // 1024} KB "
          f"(median of sizes tried: {statistics.median(sizes)} KB)")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
