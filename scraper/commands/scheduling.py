"""``scraper recheck`` and ``scraper reset``: tell the daemon to look again sooner. Both
only write the database; a running daemon (or the next ``run --once``) acts on them."""

from __future__ import annotations

import argparse

from scraper.commands import EXIT_OK
from scraper.commands._db import known_source
from scraper.commands._store import existing_store


async def recheck(args: argparse.Namespace) -> int:
    async with existing_store(args.db) as store:
        if not args.all:
            await known_source(store, args.source)
        count = await store.force_recheck(None if args.all else args.source)
    where = "all sources" if args.all else args.source
    print(f"{count} stored articles of {where} will be re-checked at the next poll")
    return EXIT_OK


async def reset(args: argparse.Namespace) -> int:
    async with existing_store(args.db) as store:
        await known_source(store, args.source)
        await store.reset_backoff(args.source)
    print(f"{args.source}: failure back-off cleared; it is polled at its next chance")
    return EXIT_OK
