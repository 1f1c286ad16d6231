"""``scraper serve``: the read side (web view, feeds, JSON API) over an existing
database, reading only. It never migrates: a database behind this version's schema is
refused with the command that upgrades it, and a mistyped ``--db`` creates nothing."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from scraper.commands import EXIT_OK
from scraper.config import load_config
from scraper.config.types import Config
from scraper.errors import StorageError
from scraper.web import create_app
from scraper.web.security import TOKEN_ENV
from scraper.web.serving import WebServer, is_loopback, listen, parse_bind, run_until_stopped
from storage.engine import open_existing, resolve_database_url
from storage.migrate import schema_behind

log = logging.getLogger("scraper.web")
DEFAULT_CONFIG = "sources.yaml"


async def serve(args: argparse.Namespace) -> int:
    host, port = parse_bind(args.bind)
    config = await asyncio.to_thread(read_config, args.config)
    engine = open_existing(resolve_database_url(args.db), read_only=True)
    try:
        await require_current_schema(engine)
        token = os.environ.get(TOKEN_ENV) or None
        if token is None and not is_loopback(host):
            log.warning("serving on %s without %s: anyone who reaches it can read", host,
                        TOKEN_ENV)  # fmt: skip
        server = WebServer(create_app(engine, lambda: config, token=token), listen(host, port))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await run_until_stopped(server, stop)
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
    finally:
        await engine.dispose()
    return EXIT_OK


def read_config(path: str | None) -> Config:
    """The topics come from sources.yaml: the one named, else ./sources.yaml if there is
    one, else none (the rest of the read side needs no configuration)."""
    if path is None:
        if not Path(DEFAULT_CONFIG).is_file():
            return Config()
        path = DEFAULT_CONFIG
    return load_config(path)


async def require_current_schema(engine: AsyncEngine) -> None:
    behind = await schema_behind(engine)
    if behind is not None:
        current, head = behind
        raise StorageError(
            f"the database schema is at revision {current or 'none'}, this version needs "
            f"{head}: run `scraper db upgrade` (serve reads only and never migrates)"
        )
