"""What each ``scraper`` subcommand does. Parsing lives in ``cli.py``; output formatting
for people (tables) and for pipes (JSON lines) lives here."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scraper.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK
from scraper.config import load_config
from scraper.errors import ConfigError, ScraperError
from scraper.extract.types import Article
from scraper.httpd import StatusServer
from scraper.metrics import Metrics
from scraper.service import Service
from storage.engine import DaemonLock, create_engine, is_sqlite, redact, resolve_database_url
from storage.events import iso
from storage.migrate import upgrade
from storage.repository import Store


async def run(args: argparse.Namespace) -> int:
    from scraper.daemon import Daemon
    from scraper.once import run_once

    config = await asyncio.to_thread(load_config, args.config)
    url = resolve_database_url(args.db)
    lock = DaemonLock(url)
    lock.acquire()
    try:
        metrics = Metrics() if args.metrics_port is not None else None
        service = await Service.open(config, url, cpu_workers=max(args.workers, 0), metrics=metrics)
        status_server = None
        try:
            if is_sqlite(url):  # we hold the file lock: leases found now are a dead daemon's
                await service.store.clear_leases()
            if metrics is not None:
                status_server = status_endpoint(
                    service, metrics, args.metrics_host, args.metrics_port
                )
                await status_server.start()
            if args.once:
                reports = await run_once(service)
                for report in reports:
                    print(report.summary())
                return EXIT_OK
            await Daemon(service, args.config).run()
            return EXIT_OK
        finally:
            if status_server is not None:
                await status_server.stop()
            await asyncio.shield(service.aclose())
    finally:
        lock.release()


def status_endpoint(service: Service, metrics: Metrics, host: str, port: int) -> StatusServer:
    async def metrics_route() -> tuple[int, str, bytes]:
        return 200, "text/plain; version=0.0.4; charset=utf-8", metrics.exposition()

    async def healthz() -> tuple[int, str, bytes]:
        return 200, "text/plain", b"ok\n"  # answering at all means the event loop is alive

    async def readyz() -> tuple[int, str, bytes]:
        if await service.ready():
            return 200, "text/plain", b"ready\n"
        return 503, "text/plain", b"database unreachable\n"

    routes = {"/metrics": metrics_route, "/healthz": healthz, "/readyz": readyz}
    return StatusServer(routes, host=host, port=port)


async def check(args: argparse.Namespace) -> int:
    try:
        config = await asyncio.to_thread(load_config, args.config)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem)
        return EXIT_FAILED
    enabled = len(config.enabled_sources)
    print(f"{args.config}: OK — {len(config.sources)} sources ({enabled} enabled), "
          f"{len(config.channels)} notification channels")  # fmt: skip
    return EXIT_OK


async def extract(args: argparse.Namespace) -> int:
    from scraper.extract import extract as extract_article

    target: str = args.target
    base = args.url
    if target == "-":
        data = await asyncio.to_thread(sys.stdin.buffer.read)
    elif re.match(r"https?://", target):
        data, base = await _download(target), base or target
    else:
        data = await asyncio.to_thread(Path(target).read_bytes)
    article = extract_article(data, base, content_selector=args.content_selector)
    print(render_article(article, args.format))
    return EXIT_OK


async def _download(url: str) -> bytes:
    from scraper.config.types import Source
    from scraper.fetch import Fetcher

    async with Fetcher() as fetcher:
        page = await fetcher.fetch(url, Source(name="extract", url=url))
    return page.content


def render_article(article: Article, fmt: str) -> str:
    if fmt == "text":
        return f"{article.title}\n\n{article.text}" if article.title else article.text
    if fmt == "markdown":
        head = f"# {article.title}\n\n" if article.title else ""
        meta = [f"*{v}*" for v in (article.author, iso(article.published_at)) if v]
        return head + ("  \n".join(meta) + "\n\n" if meta else "") + article.text
    return json.dumps(article_json(article), ensure_ascii=False, indent=2)


def article_json(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "text": article.text,
        "author": article.author,
        "published_at": iso(article.published_at),
        "language": article.language,
        "canonical_url": article.canonical_url,
    }


async def preview(args: argparse.Namespace) -> int:
    from scraper.preview import preview_source

    config = await asyncio.to_thread(load_config, args.config)
    try:
        source = config.source(args.source)
    except KeyError:
        names = ", ".join(s.name for s in config.sources) or "none"
        print(f"error: no source named {args.source!r} in {args.config} (sources: {names})",
              file=sys.stderr)  # fmt: skip
        return EXIT_BAD_INPUT
    return await preview_source(source, limit=args.limit, console=Console())


async def articles(args: argparse.Namespace) -> int:
    since = parse_since(args.since) if args.since else None
    async with _store(args.db) as store:
        rows = await store.list_articles(source=args.source, since=since, limit=args.limit)
    if args.format == "jsonl":
        for row in rows:
            print(json.dumps({
                "id": row.id, "source": row.source, "url": row.url, "title": row.title,
                "published_at": iso(row.published_at), "language": row.language,
                "version": row.version, "duplicate_of": row.duplicate_of,
                "first_seen_at": iso(row.first_seen_at), "updated_at": iso(row.updated_at),
                "content_hash": row.content_hash, "text": row.text,
            }, ensure_ascii=False))  # fmt: skip
        return EXIT_OK
    table = Table("id", "source", "published", "lang", "v", "dup of", "title", "url")
    for row in rows:
        table.add_row(
            str(row.id), row.source, _date(row.published_at), row.language or "",
            str(row.version), str(row.duplicate_of or ""), escape(row.title[:60]), escape(row.url),
        )  # fmt: skip
    Console(width=200).print(table)
    print(f"{len(rows)} articles")
    return EXIT_OK


async def status(args: argparse.Namespace) -> int:
    async with _store(args.db) as store:
        health = await store.source_health()
        counts = await store.delivery_counts()
        dead = await store.dead_deliveries(limit=20)
    console = Console(width=200)
    table = Table("source", "enabled", "last run", "status", "streak", "articles", "next run",
                  "error", title="Sources")  # fmt: skip
    for h in health:
        state = "[red]failing[/]" if h.failing else (h.last_status or "never run")
        table.add_row(
            escape(h.name), "yes" if h.enabled else "no", _ago(h.last_run_at), state,
            str(h.consecutive_failures), str(h.articles), _ago(h.next_run_at),
            escape((h.last_error or "")[:100]),
        )  # fmt: skip
    console.print(table)
    deliveries = Table("channel", "pending", "delivered", "dead", title="Deliveries")
    for channel in sorted({c for c, _ in counts}):
        deliveries.add_row(channel, *(str(counts.get((channel, s), 0)) for s in
                                      ("pending", "delivered", "dead")))  # fmt: skip
    console.print(deliveries)
    if dead:
        console.print("Dead deliveries (re-queue with `scraper retry`):")
        for d in dead:
            console.print(f"  #{d.id} {d.channel} event {d.event_id} after {d.attempts} "
                          f"attempts: {d.last_error}", markup=False)  # fmt: skip
    return EXIT_OK


async def retry(args: argparse.Namespace) -> int:
    async with _store(args.db) as store:
        count = await store.retry_dead(channel=args.channel, now=datetime.now(UTC))
    print(f"re-queued {count} dead deliveries")
    return EXIT_OK


async def prune(args: argparse.Namespace) -> int:
    from storage.retention import prune as prune_store

    if args.events_days is None and args.versions_days is None:
        print("nothing to prune: give --events-days N and/or --versions-days N", file=sys.stderr)
        return EXIT_BAD_INPUT
    if min(d for d in (args.events_days, args.versions_days) if d is not None) < 0:
        print("error: a retention period cannot be negative", file=sys.stderr)
        return EXIT_BAD_INPUT
    async with _store(args.db) as store:
        report = await prune_store(
            store, events_older_than_days=args.events_days,
            versions_older_than_days=args.versions_days, now=datetime.now(UTC),
        )  # fmt: skip
    print(f"pruned {report.events} events ({report.deliveries} deliveries) and "
          f"{report.versions} article versions")  # fmt: skip
    return EXIT_OK


async def db_upgrade(args: argparse.Namespace) -> int:
    url = resolve_database_url(args.db)
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print(f"database {redact(url)} is at the latest schema")
    return EXIT_OK


async def dedup_explain(args: argparse.Namespace) -> int:
    from scraper.dedup_explain import explain
    from storage.reads import ArticleText

    async def load(ids: list[int]) -> dict[int, ArticleText]:
        async with _store(args.db) as store:
            return await store.article_texts(ids)

    return await explain(args, load)


@asynccontextmanager
async def _store(db: str | None) -> AsyncIterator[Store]:
    """A migrated store for a one-shot command."""
    engine = create_engine(resolve_database_url(db))
    store = Store(engine)
    try:
        await upgrade(engine)
        yield store
    finally:
        await store.aclose()


_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(value: str) -> datetime:
    """``--since``: an ISO date/time (UTC if no zone), or a duration back from now."""
    match = _DURATION.match(value.strip())
    if match:
        return datetime.now(UTC) - timedelta(seconds=float(match[1]) * _UNITS[match[2]])
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ScraperError(
            f"--since {value!r}: use an ISO date/time or a duration like 2h, 7d"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _date(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else ""


def _ago(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    seconds = (moment - datetime.now(UTC)).total_seconds()
    span = abs(seconds)
    text = (
        f"{span:.0f}s"
        if span < 120
        else f"{span / 60:.0f}m"
        if span < 7200
        else f"{span / 3600:.1f}h"
    )
    return f"in {text}" if seconds > 0 else f"{text} ago"
