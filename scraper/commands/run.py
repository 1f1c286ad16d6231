"""``scraper run``: the daemon, or one pass with ``--once``."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable

from scraper.commands import EXIT_OK
from scraper.config import load_config
from scraper.daemon import Daemon
from scraper.errors import DatabaseReplaced
from scraper.httpd import Route, StatusServer
from scraper.metrics import Metrics
from scraper.once import run_once
from scraper.service import Service
from storage.engine import DaemonLock, is_sqlite, resolve_database_url, verify_database_file

WATCH_DATABASE_EVERY = 2.0  # seconds between checks that the SQLite file is still ours


async def run(args: argparse.Namespace) -> int:
    config = await asyncio.to_thread(load_config, args.config)
    url = resolve_database_url(args.db)
    lock = DaemonLock(url)
    lock.acquire()
    try:
        web_bind = None
        if args.http:  # the web stack is imported only when asked for
            from scraper.web.serving import parse_bind

            web_bind = parse_bind(args.http)
        metrics = Metrics() if args.metrics_port is not None or web_bind else None
        service = await Service.open(config, url, cpu_workers=max(args.workers, 0), metrics=metrics)
        status_server = None
        web = None
        try:
            if is_sqlite(url):  # we hold the file lock: leases found now are a dead daemon's
                await service.store.clear_leases()
            if metrics is not None:
                status_server = status_endpoint(
                    service, metrics, args.metrics_host, args.metrics_port
                )
                await status_server.start()
            if web_bind is not None and metrics is not None:
                from scraper.web.daemon_side import WebSide

                web = await WebSide.start(service, url, status_routes(service, metrics), web_bind)
            if args.once:
                reports = await run_once(service)
                for report in reports:
                    print(report.summary())
                return EXIT_OK
            daemon = Daemon(
                service, args.config, max_polls=args.max_polls, shutdown_deadline=args.grace
            )
            watchdog = asyncio.create_task(
                watch_database_file(service, daemon.request_stop), name="database-file"
            )
            try:
                await daemon.run()
            finally:
                if not watchdog.done():
                    watchdog.cancel()
            if watchdog.done() and not watchdog.cancelled():
                error = watchdog.exception()
                if error is not None:
                    raise error
            return EXIT_OK
        finally:
            if web is not None:
                await web.stop()
            if status_server is not None:
                await status_server.stop()
            await asyncio.shield(service.aclose())
    finally:
        lock.release()


async def watch_database_file(service: Service, stop: Callable[[], None]) -> None:
    """Stop the daemon once its SQLite file is deleted or replaced (commits already
    refuse to land in it; this makes an idle daemon notice too). Raises the
    ``DatabaseReplaced`` that stopped it."""
    while True:
        await asyncio.sleep(WATCH_DATABASE_EVERY)
        try:
            verify_database_file(service.store.engine)
        except DatabaseReplaced:
            stop()
            raise


def status_endpoint(service: Service, metrics: Metrics, host: str, port: int) -> StatusServer:
    return StatusServer(status_routes(service, metrics), host=host, port=port)


def status_routes(service: Service, metrics: Metrics) -> dict[str, Route]:
    async def metrics_route() -> tuple[int, str, bytes]:
        return 200, "text/plain; version=0.0.4; charset=utf-8", metrics.exposition()

    async def healthz() -> tuple[int, str, bytes]:
        return 200, "text/plain", b"ok\n"  # answering at all means the event loop is alive

    async def readyz() -> tuple[int, str, bytes]:
        if await service.ready():
            return 200, "text/plain", b"ready\n"
        return 503, "text/plain", b"database unreachable\n"

    return {"/metrics": metrics_route, "/healthz": healthz, "/readyz": readyz}
