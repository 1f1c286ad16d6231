"""``scraper run --once``: poll every enabled source now, deliver what is pending, exit."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TextIO

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scraper.pipeline.poll import PollReport
from scraper.service import Service

# Sources polled at once. Requests are bounded by the fetcher's global and per-host caps;
# this only bounds open polls, so that sites with a per-host delay proceed side by side.
SOURCES_AT_ONCE = 64


async def run_once(service: Service, *, progress: bool | None = None) -> list[PollReport]:
    sources = service.config.enabled_sources
    show = sys.stderr.isatty() if progress is None else progress
    gate = asyncio.Semaphore(SOURCES_AT_ONCE)
    reports: list[PollReport] = []
    with Progress(
        TextColumn("[bold]polling"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), disable=not show, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("", total=len(sources))
        restore = _log_through(sys.stderr) if show else []  # rich redirected stderr by now

        async def one(index: int) -> None:
            async with gate:
                report = await service.poll_source(sources[index], force=True)
                if report is not None:
                    reports.append(report)
                bar.update(task, advance=1, description=sources[index].name)

        try:
            async with asyncio.TaskGroup() as group:
                for index in range(len(sources)):
                    group.create_task(one(index), name=f"poll:{sources[index].name}")
        finally:
            for handler, stream in restore:
                handler.setStream(stream)
    await service.deliver_all()
    return reports


def _log_through(stream: TextIO) -> list[tuple[logging.StreamHandler[TextIO], TextIO]]:
    """Send log lines through ``stream`` (rich's redirect, which prints them above the
    progress bar instead of through it); returns what to restore."""
    swapped = []
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            previous = handler.setStream(stream)
            if previous is not None:
                swapped.append((handler, previous))
    return swapped
