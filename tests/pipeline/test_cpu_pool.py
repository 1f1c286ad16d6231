"""The CPU pool: big pages are parsed in a worker process, small ones inline, and a worker
that dies fails only what it had."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from scraper.errors import WorkerCrashed
from scraper.extract import _language
from scraper.pipeline.cpu import CpuPool


def process_id(_payload: bytes) -> int:
    return os.getpid()


def die(_payload: bytes) -> int:
    os._exit(3)  # what a segfault or the OOM killer looks like from outside


@pytest.fixture
async def pool() -> AsyncIterator[CpuPool]:
    pool = CpuPool(workers=1, offload_bytes=1000)
    yield pool
    pool.shutdown()


async def test_big_inputs_go_to_a_worker_small_ones_stay_inline(pool: CpuPool) -> None:
    assert await pool.run(10, process_id, b"x" * 10) == os.getpid()
    assert await pool.run(5000, process_id, b"x" * 5000) != os.getpid()


async def test_a_dead_worker_fails_its_page_and_the_next_page_gets_a_fresh_pool(
    pool: CpuPool,
) -> None:
    before = await pool.run(5000, process_id, b"x")
    with pytest.raises(WorkerCrashed, match="died"):
        await pool.run(5000, die, b"x")
    after = await pool.run(5000, process_id, b"x")
    assert after not in (before, os.getpid())


HOLDER = """
import asyncio, os, sys
from scraper.pipeline.cpu import CpuPool

async def main():
    pool = CpuPool(workers=1, offload_bytes=0)
    print(await pool.run(1, os.getpid), flush=True)
    await asyncio.sleep(60)  # until killed

asyncio.run(main())
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose (reaped by init in time).
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_a_worker_does_not_outlive_a_killed_daemon() -> None:
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True
    ) as holder:
        assert holder.stdout is not None
        worker = int(holder.stdout.readline())
        assert alive(worker)
        holder.send_signal(signal.SIGKILL)  # as the OOM killer would: no clean shutdown
        holder.wait()
    deadline = time.monotonic() + 10
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(worker)


async def test_work_of_any_size_goes_to_the_worker_when_asked(pool: CpuPool) -> None:
    assert await pool.run(None, process_id, b"x") != os.getpid()
    assert await CpuPool(workers=0).run(None, process_id, b"x") == os.getpid()


def classifier_loaded() -> int:
    return _language._classifier.cache_info().currsize


ONE_MODEL = """
import asyncio, os
from scraper.config.types import Source
from tests.pipeline.test_cpu_pool import classifier_loaded
from scraper.fetch import Page
from scraper.pipeline.articles import extract_page, warm_up
from scraper.pipeline.cpu import CpuPool

PAGE = (b"<html><body><article><p>" + b"The regional governments met today to discuss "
        b"trade, transport and the environment along the river. " * 4 + b"</p></article>"
        b"</body></html>")

async def main():
    pool = CpuPool(workers=1, warm=True)  # as the daemon's
    pool.start()
    warm_up(articles=False)  # what the daemon does when it has a parsing process
    url = "http://127.0.0.1/a.html"
    page = Page(url=url, final_url=url, status=200, content_type="text/html", content=PAGE,
                text="", encoding="utf-8", decoded=False)
    extracted = await pool.run(None, extract_page, page, Source(name="s", url=url), url)
    in_worker = await pool.run(None, classifier_loaded)
    print(extracted.item.language, classifier_loaded(), in_worker)
    pool.shutdown()

asyncio.run(main())
"""


@pytest.mark.timeout(600)  # a spawned worker loading the model: minutes on a loaded machine
def test_the_language_model_lives_in_the_parsing_process_only() -> None:
    """75 MB that the daemon would otherwise hold a second time: articles of any size
    are extracted (and their language classified) in the worker, which warmed up itself."""
    done = subprocess.run(
        [sys.executable, "-c", ONE_MODEL], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    language, in_daemon, in_worker = done.stdout.split()
    assert (language, in_daemon, in_worker) == ("en", "0", "1")


# What the parsing process must never import: the database layer, the config loader, the
# HTTP client, the scheduler, the web framework. They are the daemon's, and in the worker
# they would be ~50 MB of memory doing nothing.
NOT_IN_WORKER = ["sqlalchemy", "pydantic", "httpx", "yaml", "apscheduler", "starlette",
                 "asyncpg", "aiosqlite", "alembic", "prometheus_client", "apprise",
                 "storage.repository", "scraper.config.loader",
                 "scraper.fetch._fetcher"]  # fmt: skip

WORKER_MODULES = """
import asyncio, json
from scraper.config.types import Source
from scraper.discover import discover, looks_scripted
from scraper.fetch.types import Page
from scraper.pipeline.articles import extract_page
from scraper.pipeline.cpu import CpuPool

LISTING = b"<html><body><ul><li><a href='/news/1.html'>The first news</a></li></ul></body></html>"
ARTICLE = (b"<html><body><article><p>" + b"The regional governments met today to discuss "
           b"trade, transport and the environment along the river. " * 4 + b"</p></article>"
           b"</body></html>")

def page(url, body):
    return Page(url=url, final_url=url, status=200, content_type="text/html", content=body,
                text="", encoding="utf-8", decoded=False)

async def main():
    pool = CpuPool(workers=1, warm=True)  # as the daemon's
    pool.start()
    await pool.ready()
    url = "http://127.0.0.1/news/"
    source = Source(name="s", url=url)
    listing = await pool.run(None, discover, page(url, LISTING), source, ())
    extracted = await pool.run(None, extract_page, page(url + "1.html", ARTICLE), source, url)
    scripted = await pool.run(None, looks_scripted, "<html><body></body></html>")
    loaded = await pool.run(None, eval, "sorted(__import__('sys').modules)")
    pool.shutdown()
    print(json.dumps([len(listing.links), extracted.item.language, scripted, loaded]))

asyncio.run(main())
"""


@pytest.mark.timeout(600)  # a spawned worker loading the model: minutes on a loaded machine
def test_the_parsing_process_imports_only_what_parsing_needs() -> None:
    """The worker unpickles ``Source``, ``Page`` and ``ArticleInput`` and runs discovery and
    extraction; the packages around them (``scraper.config``, ``scraper.fetch``,
    ``storage``) must not drag their heavy dependencies in."""
    done = subprocess.run(
        [sys.executable, "-c", WORKER_MODULES], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    links, language, _scripted, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert (links, language) == (1, "en")  # the work really ran in the worker
    assert "scraper.extract" in loaded
    assert "scraper.discover" in loaded
    heavy = [h for h in NOT_IN_WORKER if any(m == h or m.startswith(h + ".") for m in loaded)]
    assert heavy == []
