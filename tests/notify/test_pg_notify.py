"""``NOTIFY nea_events, '<event id>'`` received by a LISTEN connection on a real server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from scraper.errors import NotifyError
from scraper.notify.pg_notify import NOTIFY_CHANNEL, PgNotifyChannel
from scraper.notify.types import OutboxEvent
from storage.engine import create_engine
from tests.conftest import postgres_server_url


@pytest.fixture
async def pg_engine() -> AsyncIterator[AsyncEngine]:
    engine = create_engine(postgres_server_url())
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_listener_receives_the_event_id(pg_engine: AsyncEngine) -> None:
    url = postgres_server_url().replace("postgresql://", "postgres://", 1)
    listener = await asyncpg.connect(url)
    received: asyncio.Queue[str] = asyncio.Queue()

    def on_notify(_conn: object, _pid: int, channel: str, payload: str) -> None:
        received.put_nowait(f"{channel}:{payload}")

    try:
        await listener.add_listener(NOTIFY_CHANNEL, on_notify)
        channel = PgNotifyChannel("pg", pg_engine)
        await channel.send(OutboxEvent(id="evt-1", type="article.new", payload={"id": "evt-1"}))
        await channel.send(OutboxEvent(id="evt-2", type="article.new", payload={"id": "evt-2"}))
        got = [await asyncio.wait_for(received.get(), 10) for _ in range(2)]
    finally:
        await listener.close()
    assert got == ["nea_events:evt-1", "nea_events:evt-2"]


def test_refused_on_sqlite(tmp_path: object) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/x.db")
    with pytest.raises(NotifyError, match="needs a PostgreSQL database"):
        PgNotifyChannel("pg", engine)
    asyncio.run(engine.dispose())
