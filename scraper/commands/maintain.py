"""The commands that repair or tidy a database: ``retry``, ``prune``, ``db upgrade``."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from scraper.commands import EXIT_OK
from scraper.commands._store import existing_store
from scraper.errors import UsageError
from storage.engine import create_engine, redact, resolve_database_url
from storage.migrate import upgrade
from storage.retention import prune as prune_store


async def retry(args: argparse.Namespace) -> int:
    async with existing_store(args.db) as store:
        count = await store.retry_dead(channel=args.channel, now=datetime.now(UTC))
    print(f"re-queued {count} dead deliveries")
    return EXIT_OK


async def prune(args: argparse.Namespace) -> int:
    if args.events_days is None and args.versions_days is None:
        raise UsageError("nothing to prune: give --events-days N and/or --versions-days N")
    if min(d for d in (args.events_days, args.versions_days) if d is not None) < 0:
        raise UsageError("a retention period cannot be negative")
    async with existing_store(args.db) as store:
        report = await prune_store(
            store, events_older_than_days=args.events_days,
            versions_older_than_days=args.versions_days, now=datetime.now(UTC),
        )  # fmt: skip
    print(f"pruned {report.events} events ({report.deliveries} deliveries) and "
          f"{report.versions} article versions")  # fmt: skip
    return EXIT_OK


async def db_upgrade(args: argparse.Namespace) -> int:
    """The one command besides ``run`` that may create a database."""
    url = resolve_database_url(args.db)
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print(f"database {redact(url)} is at the latest schema")
    return EXIT_OK
