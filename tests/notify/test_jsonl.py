from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from scraper.errors import NotifyError
from scraper.notify.jsonl import JsonlChannel
from scraper.notify.types import OutboxEvent


def event(n: int) -> OutboxEvent:
    payload = {"id": f"e{n}", "type": "article.new", "source": "s", "title": "Улан-Батор"}
    return OutboxEvent(id=f"e{n}", type="article.new", payload=payload)


async def test_appends_one_line_per_event_creating_directories(tmp_path: Path) -> None:
    path = tmp_path / "out" / "deeper" / "events.jsonl"
    channel = JsonlChannel("file", path)
    await asyncio.gather(*(channel.send(event(n)) for n in range(20)))
    await channel.send(event(20))

    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 21
    records = [json.loads(line) for line in lines]
    assert sorted(r["id"] for r in records) == sorted(f"e{n}" for n in range(21))
    assert records[-1] == dict(event(20).payload)
    assert "Улан-Батор" in lines[0]  # readable UTF-8


async def test_unwritable_path_is_a_notify_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    channel = JsonlChannel("file", blocker / "events.jsonl")
    with pytest.raises(NotifyError, match="cannot append") as caught:
        await channel.send(event(1))
    assert caught.value.channel == "file"
