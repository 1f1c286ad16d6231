"""``scraper preview SOURCE``: fetch, discover and extract now; store nothing."""

from __future__ import annotations

import argparse
import asyncio

from rich.console import Console

from scraper.config import load_config
from scraper.errors import UsageError
from scraper.preview import preview_source
from scraper.tables import on_terminal


async def preview(args: argparse.Namespace) -> int:
    config = await asyncio.to_thread(load_config, args.config)
    try:
        source = config.source(args.source)
    except KeyError:
        names = ", ".join(s.name for s in config.sources) or "none"
        raise UsageError(
            f"no source named {args.source!r} in {args.config} (sources: {names})"
        ) from None
    # Off a terminal: no colours, and no line breaks added to long URLs and errors.
    console = Console() if on_terminal() else Console(soft_wrap=True, no_color=True)
    return await preview_source(source, limit=args.limit, console=console)
