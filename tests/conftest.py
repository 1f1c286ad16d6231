"""Shared fixtures. ``db_url`` runs a test once on a real SQLite file and once on a fresh
PostgreSQL database (created per test on the server named by NEA_TEST_POSTGRES_URL)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from storage.engine import create_engine
from storage.migrate import upgrade
from storage.repository import Store
from tests.support.chromium import chromium

__all__ = ["chromium"]  # a fixture for the browser tests (render: browser), used by name

POSTGRES_ENV = "NEA_TEST_POSTGRES_URL"
HOW_TO_RUN_POSTGRES = (
    "PostgreSQL tests skipped: set NEA_TEST_POSTGRES_URL=postgresql://user@host:port/db "
    '(e.g. `eval "$(scripts/pg-test-cluster.sh start)"`) — .ci/run does this'
)


def postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{POSTGRES_ENV} is not set: CI must run the PostgreSQL tests")
        pytest.skip(HOW_TO_RUN_POSTGRES)
    return url


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql://", "postgres://", 1))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A brand-new, empty PostgreSQL database, dropped afterwards."""
    server = postgres_server_url()
    name = f"nea_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    base, _, _ = server.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'nea-monitor.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    engine = create_engine(db_url)
    await upgrade(engine)
    store = Store(engine)
    try:
        yield store
    finally:
        await store.aclose()
