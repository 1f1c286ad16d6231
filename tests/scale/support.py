"""What the scale-out tests share: a farm of fixture sites on several loopback servers,
``scraper run`` worker processes on one PostgreSQL database, and small synchronous
helpers to read that database while the workers run.

Every listing request is recorded with its wall-clock time, so a test can tell whether a
source was polled twice in one interval; a source can be made slow (its next listing
request blocks until released) to catch a worker mid-poll."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.httpserver import FixtureRequestHandler, FixtureServer, Response

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_SECRET = "scale-test-secret"

VOCABULARY = (
    "region governor forum logistics corridor port railway tourism youth exchange "
    "energy agriculture expo delegation memorandum investment trade culture "
    "environment summit harbour ferry customs border bridge airline festival "
    "university research climate fisheries forestry ministry province prefecture city "
    "council assembly secretariat cooperation declaration programme budget network "
    "digital startup hydrogen grain shipping container winter spring autumn summer "
    "committee chairman mayor visit talks"
)


def article_html(title: str, seed: int) -> bytes:
    """An article page whose text no other seed produces (no accidental near-duplicates)."""
    rng = random.Random(seed)
    words = VOCABULARY.split()
    paragraphs = [
        " ".join(rng.choice(words) for _ in range(rng.randint(40, 60))).capitalize() + "."
        for _ in range(4)
    ]
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title><meta property="og:title" content="{title}">
<meta property="article:published_time" content="2026-11-20T09:00:00+09:00"></head>
<body><nav><a href="/">Home</a> <a href="/about.html">About</a></nav>
<main><article><h1>{title}</h1><div class="view-body">{body}</div></article></main>
<footer>Copyright 2026 Farm site {seed}</footer></body></html>""".encode()


def listing_html(name: str, links: Sequence[tuple[str, str]]) -> bytes:
    rows = "".join(f'<li><a href="{href}">{title}</a></li>\n' for href, title in links)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{name} news</title></head><body><nav><a href="/">Home</a></nav>
<main><h2>News</h2><ul class="board">{rows}</ul></main></body></html>""".encode()


@dataclass
class FarmSource:
    name: str
    server: FixtureServer
    articles: list[str] = field(default_factory=list)  # paths
    listing_times: list[float] = field(default_factory=list)  # time.time() of each request
    block_next: threading.Event | None = None  # set: the blocked request may answer

    @property
    def listing_path(self) -> str:
        return f"/{self.name}/list.html"

    @property
    def url(self) -> str:
        return self.server.url(self.listing_path)


class Farm:
    """``servers`` fixture servers on loopback ports, ``per_server`` sources on each."""

    def __init__(self, stack: ExitStack, *, servers: int, per_server: int, articles: int) -> None:
        self.sources: dict[str, FarmSource] = {}
        self.lock = threading.Lock()
        self._seed = 0
        for s in range(servers):
            server = stack.enter_context(FixtureServer())
            for k in range(per_server):
                source = FarmSource(f"site{s}-{k}", server)
                self.sources[source.name] = source
                server.route(source.listing_path, self._listing_handler(source))
                for _ in range(articles):
                    self.add_article(source.name)

    def add_article(self, name: str) -> str:
        source = self.sources[name]
        with self.lock:
            self._seed += 1
            seed = self._seed
            path = f"/{name}/view-{len(source.articles) + 1}.html"
            source.articles.append(path)
        title = f"{name} report number {len(source.articles)}"
        source.server.route(path, Response(body=article_html(title, seed)))
        return path

    def block_next_listing(self, name: str) -> threading.Event:
        """The next listing request of ``name`` waits (up to a minute) for the event."""
        release = threading.Event()
        self.sources[name].block_next = release
        return release

    def expected_urls(self) -> set[str]:
        return {s.server.url(p) for s in self.sources.values() for p in s.articles}

    def _listing_handler(self, source: FarmSource) -> Callable[[FixtureRequestHandler], None]:
        def handle(handler: FixtureRequestHandler) -> None:
            with self.lock:
                source.listing_times.append(time.time())
                links = [(p, f"{source.name} report {p}") for p in source.articles]
                blocked, source.block_next = source.block_next, None
            if blocked is not None:
                blocked.wait(timeout=60)
            etag = f'"{source.name}-{len(links)}"'
            handler.send_response_object(Response(body=listing_html(source.name, links), etag=etag))

        return handle

    def sources_yaml(
        self, *, interval: str, jsonl: Path, webhook_url: str | None, timeout: str = "30s"
    ) -> str:
        hook = (
            f"  - type: webhook\n    name: hook\n    url: {webhook_url}\n"
            "    secret_env: NEA_SCALE_WEBHOOK_SECRET\n"
            if webhook_url
            else ""
        )
        sources = "".join(
            f"  - name: {s.name}\n    url: {s.url}\n    kind: listing\n"
            f"    follow: ['/{s.name}/view-']\n"
            for s in self.sources.values()
        )
        return (
            f"defaults:\n  interval: {interval}\n  timeout: {timeout}\n  per_host_delay: 0s\n"
            "  per_host_concurrency: 4\n  respect_robots: false\n"
            f"notifications:\n  - type: jsonl\n    name: log\n    path: {jsonl}\n{hook}"
            f"sources:\n{sources}"
        )


class Worker:
    """One ``scraper run`` daemon process."""

    def __init__(self, config: Path, db_url: str, log: Path, *, lease_seconds: float) -> None:
        self.log_path = log
        self._log = log.open("w")
        env = {
            **os.environ,
            "NEA_LEASE_SECONDS": str(lease_seconds),
            "NEA_SCALE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "PYTHONPATH": str(ROOT),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scraper", "run", "--config", str(config), "--db", db_url],
            stdout=self._log, stderr=subprocess.STDOUT, env=env, cwd=str(config.parent),
        )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.close()

    def close(self) -> None:
        self._log.close()


@contextmanager
def workers(
    count: int, config: Path, db_url: str, *, lease_seconds: float
) -> Iterator[list[Worker]]:
    """Start ``count`` workers; kill whatever is still running afterwards."""
    started = [
        Worker(config, db_url, config.parent / f"worker{i}.log", lease_seconds=lease_seconds)
        for i in range(count)
    ]
    try:
        yield started
    finally:
        for worker in started:
            if worker.alive():
                worker.process.kill()
                worker.process.wait(timeout=30)
            worker.close()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 300.0) -> None:
    """Poll ``condition`` until it holds; fail with ``what`` at the deadline (generous:
    it bounds a hang, it does not measure speed, and a busy machine is slow)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def query(db_url: str, sql: str, *args: Any) -> list[Any]:
    """Rows of one statement on ``db_url`` (a plain postgresql:// URL), synchronously."""
    import asyncpg

    async def run() -> list[Any]:
        connection = await asyncpg.connect(db_url.replace("postgresql://", "postgres://", 1))
        try:
            return list(await connection.fetch(sql, *args))
        finally:
            await connection.close()

    return asyncio.run(run())


def scalar(db_url: str, sql: str, *args: Any) -> Any:
    rows = query(db_url, sql, *args)
    return rows[0][0] if rows else None


def table_exists(db_url: str) -> bool:
    return bool(scalar(db_url, "select to_regclass('public.deliveries') is not null"))
