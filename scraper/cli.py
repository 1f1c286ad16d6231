"""The ``scraper`` command line (the user contract: docs/reference/cli.md).

Parsing only: each subcommand's module in ``scraper.commands`` is imported when that
command runs, so a quick command (``check``, ``status``) pays only for what it uses.
Errors reach the operator as one line on stderr; see docs/reference/errors.md.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from scraper import __version__
from scraper.commands import EXIT_BAD_INPUT, EXIT_FAILED
from scraper.errors import ConfigError, ScraperError, StorageError, UsageError

# command -> (module of scraper.commands, function)
_HANDLERS = {
    "run": ("run", "run"),
    "check": ("check", "check"),
    "extract": ("extract", "extract"),
    "preview": ("preview", "preview"),
    "articles": ("inspect", "articles"),
    "status": ("inspect", "status"),
    "retry": ("maintain", "retry"),
    "prune": ("maintain", "prune"),
    "recheck": ("scheduling", "recheck"),
    "reset": ("scheduling", "reset"),
    "dedup": ("dedup", "explain"),
    "db": ("maintain", "db_upgrade"),
    "serve": ("serve", "serve"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scraper", description="nea-monitor: watch news sites, store and announce articles"
    )
    parser.add_argument("--version", action="version", version=f"nea-monitor {__version__}")
    _logging_args(parser, default_level="info", default_format="text")
    # The same options after the subcommand (``scraper run --log-format json``); there they
    # default to "not given", so they never undo what was given before the subcommand.
    logging_options = argparse.ArgumentParser(add_help=False)
    _logging_args(
        logging_options, default_level=argparse.SUPPRESS, default_format=argparse.SUPPRESS
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help, parents=[logging_options])

    run = command("run", "run the daemon (or one pass with --once)")
    _config_arg(run)
    _db_arg(run)
    run.add_argument("--once", action="store_true", help="poll every source now, deliver, exit")
    run.add_argument("--metrics-port", type=int, help="serve Prometheus /metrics on this port")
    run.add_argument("--metrics-host", default="127.0.0.1", help="address for --metrics-port")
    run.add_argument(
        "--workers", type=int, default=1, help="processes parsing articles, big listings (0: none)"
    )
    run.add_argument(
        "--max-polls", type=_positive_int, default=None, metavar="N",
        help="sources this worker polls at once (default 64)",
    )  # fmt: skip
    run.add_argument(
        "--grace", type=_positive_int, default=20, metavar="SECONDS",
        help="on SIGTERM, seconds until exit: polls in flight may finish meanwhile (default 20)",
    )  # fmt: skip

    run.add_argument(
        "--http", metavar="HOST:PORT",
        help="also serve the web view, feeds and API here (with /metrics, /healthz, /readyz)",
    )  # fmt: skip

    serve = command("serve", "web view, feeds and JSON API over the database (read only)")
    _db_arg(serve)
    serve.add_argument(
        "--config", default=None,
        help="sources.yaml for the topics (default: ./sources.yaml if present)",
    )  # fmt: skip
    serve.add_argument(
        "--bind", default="127.0.0.1:8080", metavar="HOST:PORT",
        help="address to listen on (default: 127.0.0.1:8080, loopback only)",
    )  # fmt: skip

    check = command("check", "validate sources.yaml")
    _config_arg(check)

    extract = command("extract", "extract the article of a file, URL or stdin")
    extract.add_argument("target", nargs="?", default="-", help="FILE, URL or - for stdin")
    extract.add_argument("--url", help="the page's URL (for relative links and dates)")
    extract.add_argument("--format", default="json", choices=["json", "text", "markdown"])
    extract.add_argument("--content-selector")

    preview = command("preview", "fetch, discover, extract; store nothing")
    preview.add_argument("source")
    preview.add_argument("--limit", type=int, default=5)
    _config_arg(preview)

    articles = command("articles", "list stored articles")
    _db_arg(articles)
    articles.add_argument("--source")
    articles.add_argument("--since", help="ISO date/time, or a duration like 2h or 7d")
    articles.add_argument("--limit", type=int, default=50)
    articles.add_argument("--format", default="table", choices=["table", "jsonl"])

    status = command("status", "per-source health and deliveries")
    _db_arg(status)
    status.add_argument(
        "--metrics-url", metavar="URL",
        help="also show the browser pool of the daemon serving these metrics "
        "(e.g. http://127.0.0.1:9464/metrics)",
    )  # fmt: skip

    retry = command("retry", "re-queue dead deliveries")
    _db_arg(retry)
    retry.add_argument("--channel")

    prune = command("prune", "delete settled events and superseded versions past an age (opt-in)")
    _db_arg(prune)
    prune.add_argument(
        "--events-days", type=float, metavar="N", help="settled events older than N days"
    )
    prune.add_argument(
        "--versions-days", type=float, metavar="N", help="non-current versions older than N days"
    )

    recheck = command("recheck", "re-check the stored articles of a source at its next poll")
    _db_arg(recheck)
    which = recheck.add_mutually_exclusive_group(required=True)
    which.add_argument("source", nargs="?", help="the source's name")
    which.add_argument("--all", action="store_true", help="every source")

    reset = command("reset", "clear a source's failure back-off: poll it at the next chance")
    _db_arg(reset)
    reset.add_argument("source", help="the source's name")

    dedup = command("dedup", "near-duplicate detection")
    dedup_commands = dedup.add_subparsers(dest="dedup_command", required=True, metavar="ACTION")
    explain = dedup_commands.add_parser(
        "explain",
        help="why two articles (ids, or text files) are or are not near duplicates",
        parents=[logging_options],
    )
    explain.add_argument("targets", nargs=2, metavar="ID_OR_FILE")
    _db_arg(explain)

    db = command("db", "database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser(
        "upgrade", help="migrate the database to the latest schema", parents=[logging_options]
    )
    _db_arg(upgrade)
    return parser


def _logging_args(
    parser: argparse.ArgumentParser, *, default_level: str, default_format: str
) -> None:
    parser.add_argument(
        "--log-level", default=default_level, choices=["debug", "info", "warning", "error"]
    )
    parser.add_argument("--log-format", default=default_format, choices=["text", "json"])


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return number


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
        return asyncio.run(handler_of(args.command)(args))
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
    except (StorageError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ScraperError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


def handler_of(command: str) -> Callable[[argparse.Namespace], Coroutine[Any, Any, int]]:
    module, function = _HANDLERS[command]
    handler: Callable[[argparse.Namespace], Coroutine[Any, Any, int]] = getattr(
        importlib.import_module(f"scraper.commands.{module}"), function
    )
    return handler


if __name__ == "__main__":
    raise SystemExit(main())
