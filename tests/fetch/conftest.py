from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest

from scraper.config.types import Source
from scraper.fetch import Fetcher, FetchSettings
from tests.support.httpserver import FixtureServer


class RecordingSleep:
    """An injected ``sleep`` that records what it was asked and returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as fixture:
        yield fixture


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
async def fetcher(sleeps: RecordingSleep) -> AsyncIterator[Fetcher]:
    settings = FetchSettings(backoff_base=0.01, backoff_max=0.05)
    async with Fetcher(settings=settings, sleep=sleeps, rng=random.Random(1)) as instance:
        yield instance


def make_source(server: FixtureServer, **changes: object) -> Source:
    base = Source(
        name="test-site",
        url=server.url("/"),
        timeout=5.0,
        per_host_delay=0.0,
        respect_robots=False,
    )
    return replace(base, **changes)  # type: ignore[arg-type]
