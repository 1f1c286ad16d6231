"""The ``scraper`` command line (DESIGN.md's user contract)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from scraper import __version__
from scraper.errors import ConfigError, ScraperError, StorageError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scraper", description="nea-monitor: watch news sites, store and announce articles"
    )
    parser.add_argument("--version", action="version", version=f"nea-monitor {__version__}")
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )
    parser.add_argument("--log-format", default="text", choices=["text", "json"])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the daemon (or one pass with --once)")
    _config_arg(run)
    _db_arg(run)
    run.add_argument("--once", action="store_true", help="poll every source now, deliver, exit")
    run.add_argument("--metrics-port", type=int, help="serve Prometheus /metrics on this port")
    run.add_argument("--metrics-host", default="127.0.0.1", help="address for --metrics-port")
    run.add_argument(
        "--workers", type=int, default=1, help="processes parsing pages of 16 KB or more (0: none)"
    )

    check = commands.add_parser("check", help="validate sources.yaml")
    _config_arg(check)

    extract = commands.add_parser("extract", help="extract the article of a file, URL or stdin")
    extract.add_argument("target", nargs="?", default="-", help="FILE, URL or - for stdin")
    extract.add_argument("--url", help="the page's URL (for relative links and dates)")
    extract.add_argument("--format", default="json", choices=["json", "text", "markdown"])
    extract.add_argument("--content-selector")

    preview = commands.add_parser("preview", help="fetch, discover, extract; store nothing")
    preview.add_argument("source")
    preview.add_argument("--limit", type=int, default=5)
    _config_arg(preview)

    articles = commands.add_parser("articles", help="list stored articles")
    _db_arg(articles)
    articles.add_argument("--source")
    articles.add_argument("--since", help="ISO date/time, or a duration like 2h or 7d")
    articles.add_argument("--limit", type=int, default=50)
    articles.add_argument("--format", default="table", choices=["table", "jsonl"])

    status = commands.add_parser("status", help="per-source health and deliveries")
    _db_arg(status)

    retry = commands.add_parser("retry", help="re-queue dead deliveries")
    _db_arg(retry)
    retry.add_argument("--channel")

    prune = commands.add_parser(
        "prune", help="delete settled events and superseded versions past an age (opt-in)"
    )
    _db_arg(prune)
    prune.add_argument(
        "--events-days", type=float, metavar="N", help="settled events older than N days"
    )
    prune.add_argument(
        "--versions-days", type=float, metavar="N", help="non-current versions older than N days"
    )

    dedup = commands.add_parser("dedup", help="near-duplicate detection")
    dedup_commands = dedup.add_subparsers(dest="dedup_command", required=True, metavar="ACTION")
    explain = dedup_commands.add_parser(
        "explain", help="why two articles (ids, or text files) are or are not near duplicates"
    )
    explain.add_argument("targets", nargs=2, metavar="ID_OR_FILE")
    _db_arg(explain)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="migrate the database to the latest schema")
    _db_arg(upgrade)
    return parser


def _config_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default="sources.yaml", help="default: sources.yaml")


def _db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", help="database URL (default: $NEA_DATABASE_URL, else sqlite:///nea-monitor.db)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from scraper.logs import setup_logging

    setup_logging(args.log_level, args.log_format)
    try:
        return asyncio.run(_dispatch(args))
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
    except StorageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ScraperError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace) -> int:
    from scraper import commands

    handlers = {
        "run": commands.run,
        "check": commands.check,
        "extract": commands.extract,
        "preview": commands.preview,
        "articles": commands.articles,
        "status": commands.status,
        "retry": commands.retry,
        "prune": commands.prune,
        "db": commands.db_upgrade,
        "dedup": commands.dedup_explain,
    }
    return await handlers[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
