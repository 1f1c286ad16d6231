"""The CPU pool: big pages are parsed in a worker process, small ones inline, and a worker
that dies fails only what it had."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from scraper.pipeline.cpu import CpuPool, WorkerCrashed


def process_id(_payload: bytes) -> int:
    return os.getpid()


def die(_payload: bytes) -> int:
    os._exit(3)  # what a segfault or the OOM killer looks like from outside


@pytest.fixture
async def pool() -> AsyncIterator[CpuPool]:
    pool = CpuPool(workers=1, offload_bytes=1000)
    yield pool
    pool.shutdown()


async def test_big_inputs_go_to_a_worker_small_ones_stay_inline(pool: CpuPool) -> None:
    assert await pool.run(10, process_id, b"x" * 10) == os.getpid()
    assert await pool.run(5000, process_id, b"x" * 5000) != os.getpid()


async def test_a_dead_worker_fails_its_page_and_the_next_page_gets_a_fresh_pool(
    pool: CpuPool,
) -> None:
    before = await pool.run(5000, process_id, b"x")
    with pytest.raises(WorkerCrashed, match="died"):
        await pool.run(5000, die, b"x")
    after = await pool.run(5000, process_id, b"x")
    assert after not in (before, os.getpid())
