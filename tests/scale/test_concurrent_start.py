"""Several workers starting at once on an empty PostgreSQL database: the schema is
migrated once and the configured sources are inserted once, without a worker failing."""

from __future__ import annotations

import asyncio

import pytest

from storage.engine import create_engine
from storage.migrate import upgrade
from storage.repository import SourceSpec, Store

pytestmark = pytest.mark.postgres


async def test_workers_starting_together_sync_sources_without_conflict(postgres_url: str) -> None:
    stores = [Store(create_engine(postgres_url)) for _ in range(4)]
    specs = [SourceSpec(name=f"site-{i}", url=f"https://example.org/{i}", kind="listing")
             for i in range(40)]  # fmt: skip
    try:
        await asyncio.gather(*(upgrade(store.engine) for store in stores))
        results = await asyncio.gather(*(store.sync_sources(specs) for store in stores))
    finally:
        for store in stores:
            await store.aclose()
    assert all(result == results[0] for result in results)
    assert sorted(results[0]) == sorted(spec.name for spec in specs)
