"""JSONL channel: one JSON object per line, appended to a local file.

Each event is written, flushed and fsynced before it counts as delivered, off the event
loop. A crash between the write and the delivery record can repeat a line: readers
deduplicate by ``id``, as for every channel (delivery is at-least-once).
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from scraper.errors import NotifyError
from scraper.notify.types import OutboxEvent


class JsonlChannel:
    def __init__(self, name: str, path: str | os.PathLike[str]) -> None:
        self.name = name
        self.path = Path(path)
        self._lock = asyncio.Lock()  # lines from concurrent sends never interleave

    async def send(self, event: OutboxEvent) -> None:
        line = json.dumps(dict(event.payload), ensure_ascii=False, separators=(",", ":"))
        async with self._lock:
            try:
                await asyncio.to_thread(self._append, line + "\n")
            except OSError as exc:
                raise NotifyError(
                    f"cannot append to {self.path}: {exc.strerror or exc}", channel=self.name
                ) from exc

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
