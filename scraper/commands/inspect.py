"""``scraper articles`` and ``scraper status``: read the database, change nothing."""

from __future__ import annotations

import argparse
import json
import re
from datetime import UTC, datetime, timedelta

from scraper.commands import EXIT_OK
from scraper.commands._db import known_source, operator_reads
from scraper.commands._pool import pool_line
from scraper.errors import UsageError
from scraper.tables import Column, print_table
from storage.records import Backlog, iso


async def articles(args: argparse.Namespace) -> int:
    since = parse_since(args.since) if args.since else None
    async with operator_reads(args.db) as store:
        if args.source is not None:
            await known_source(store, args.source)
        rows = await store.list_articles(source=args.source, since=since, limit=args.limit)
    if args.format == "jsonl":
        for row in rows:
            print(json.dumps({
                "id": row.id, "source": row.source, "url": row.url, "title": row.title,
                "published_at": iso(row.published_at),
                "published_date": iso(row.published_date), "language": row.language,
                "version": row.version, "duplicate_of": row.duplicate_of,
                "first_seen_at": iso(row.first_seen_at), "updated_at": iso(row.updated_at),
                "content_hash": row.content_hash, "text": row.text,
            }, ensure_ascii=False))  # fmt: skip
        return EXIT_OK
    columns = [Column("id"), Column("source"), Column("published"), Column("lang"), Column("v"),
               Column("dup of"), Column("title", 60), Column("url")]  # fmt: skip
    print_table(columns, [
        [str(row.id), row.source, iso(row.published_date) or "", row.language or "",
         str(row.version), str(row.duplicate_of or ""), row.title, row.url]
        for row in rows
    ])  # fmt: skip
    print(f"{len(rows)} articles")
    return EXIT_OK


_SOURCE_COLUMNS = [
    Column("source"), Column("enabled"), Column("last run"), Column("status"), Column("streak"),
    Column("articles"), Column("next run"), Column("error", 100),
]  # fmt: skip


async def status(args: argparse.Namespace) -> int:
    async with operator_reads(args.db) as store:
        health = await store.source_health()
        backlog = await store.backlog(datetime.now(UTC))
        counts = await store.delivery_counts()
        dead = await store.dead_deliveries(limit=20)
    print_table(_SOURCE_COLUMNS, [
        [h.name, "yes" if h.enabled else "no", _ago(h.last_run_at),
         "failing" if h.failing else (h.last_status or "never run"),
         str(h.consecutive_failures), str(h.articles), _ago(h.next_run_at), h.last_error or ""]
        for h in health
    ], title="Sources")  # fmt: skip
    for line in schedule_lines(backlog):
        print(line)
    states = ("pending", "delivered", "dead")
    print_table(
        [Column("channel"), *(Column(state) for state in states)],
        [[channel, *(str(counts.get((channel, s), 0)) for s in states)]
         for channel in sorted({c for c, _ in counts})],
        title="Deliveries",
    )  # fmt: skip
    if args.metrics_url:
        print(await pool_line(args.metrics_url))
    if dead:
        print("Dead deliveries (re-queue with `scraper retry`):")
        for d in dead:
            print(f"  #{d.id} {d.channel} event {d.event_id} after {d.attempts} attempts: "
                  f"{d.last_error}")  # fmt: skip
    return EXIT_OK


def schedule_lines(backlog: Backlog) -> list[str]:
    """The schedule's health: what is due and waiting, and what each worker polls now."""
    lines = [f"Due and not yet polled: {backlog.due} sources"]
    if backlog.oldest_due_at is not None:
        lines[0] += f" (oldest: {backlog.oldest_due}, due {_ago(backlog.oldest_due_at)})"
    if backlog.polling:
        for owner, count in sorted(backlog.polling.items()):
            lines.append(f"Polling now: {count} sources by worker {owner}")
    else:
        lines.append("Polling now: none")
    return lines


_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(value: str) -> datetime:
    """``--since``: an ISO date/time (UTC if no zone), or a duration back from now."""
    match = _DURATION.match(value.strip())
    try:
        if match:
            return datetime.now(UTC) - timedelta(seconds=float(match[1]) * _UNITS[match[2]])
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--since {value!r}: use an ISO date/time or a duration like 2h, 7d"
        ) from None
    except OverflowError:
        raise UsageError(f"--since {value!r}: reaches back before the year 1") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
