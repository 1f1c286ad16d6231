"""``scraper check``: validate ``sources.yaml`` (exit 1 and one ``path:line`` line per
problem when it is invalid)."""

from __future__ import annotations

import argparse
import asyncio

from scraper.chromium_path import chromium_problem, needs_browser
from scraper.commands import EXIT_FAILED, EXIT_OK
from scraper.config.loader import load_config
from scraper.errors import ConfigError


async def check(args: argparse.Namespace) -> int:
    try:
        config = await asyncio.to_thread(load_config, args.config)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem)
        return EXIT_FAILED
    browser_sources = needs_browser(config.sources)
    missing = chromium_problem() if browser_sources else None
    if missing is not None:
        for source in browser_sources:
            print(
                f"{args.config}:{source.line}: source {source.name!r}: render: browser: {missing}"
            )
        return EXIT_FAILED
    enabled = len(config.enabled_sources)
    print(f"{args.config}: OK — {len(config.sources)} sources ({enabled} enabled), "
          f"{len(config.channels)} notification channels")  # fmt: skip
    return EXIT_OK
