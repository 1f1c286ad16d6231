"""The read side over a stored corpus, on a real SQLite file and a real PostgreSQL
database: the app reads through a read-only engine of its own, as ``scraper serve``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from scraper.web import create_app
from storage.engine import create_engine, open_existing
from storage.migrate import upgrade
from storage.repository import Store
from tests.web.corpus import CONFIG, Clock, Corpus, fill


@dataclass
class Reader:
    client: httpx.AsyncClient
    corpus: Corpus
    store: Store  # the writer, for tests that add articles
    clock: Clock


@pytest.fixture
async def reader(db_url: str) -> AsyncIterator[Reader]:
    clock = Clock()
    store = Store(create_engine(db_url), clock=clock)
    await upgrade(store.engine)
    corpus = await fill(store, clock)
    engine = open_existing(db_url, read_only=True)
    app = create_app(engine, lambda: CONFIG)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Reader(client, corpus, store, clock)
    finally:
        await engine.dispose()
        await store.aclose()
