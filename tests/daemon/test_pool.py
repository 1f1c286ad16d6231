"""The pool of polls under load: thousands of sources at start-up, and SIGTERM while
polls hang on slow sites."""

from __future__ import annotations

import asyncio
import logging
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scraper.config.types import Config, Schedule, Source
from scraper.poll_pool import PollPool
from scraper.service import Service
from storage.models import SourceRow
from tests.daemon.test_daemon import count_rows, wait_for
from tests.support import faults
from tests.support.httpserver import FixtureServer, Response

GRACE = 3


def test_sigterm_with_polls_in_flight_exits_within_the_grace_period_quietly(
    tmp_path: Path,
) -> None:
    with FixtureServer() as server:
        hang = faults.delayed(Response(body=b"<html><body>late</body></html>"), 60.0)
        for i in range(12):
            server.route(f"/slow/{i}/", hang)
        config, db, log = tmp_path / "sources.yaml", tmp_path / "nea.db", tmp_path / "daemon.log"
        config.write_text(
            "defaults:\n  timeout: 120s\n  per_host_concurrency: 8\n  per_host_delay: 0s\n"
            "  respect_robots: false\nsources:\n"
            + "".join(
                f"  - name: slow-{i}\n    url: {server.url(f'/slow/{i}/')}\n    kind: listing\n"
                for i in range(12)
            )
        )
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "scraper", "run", "--config", str(config),
                 "--db", f"sqlite:///{db}", "--grace", str(GRACE)],
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                # As many polls in flight as the host allows, each waiting for its answer.
                wait_for(lambda: len(server.requests) >= 8, "eight polls in flight")
                process.send_signal(signal.SIGTERM)
                # Bounds a hang; the exit itself comes at the grace period (cancelling
                # the polls still waiting), long before any answer.
                code = process.wait(timeout=GRACE + 30)
            finally:
                if process.poll() is None:
                    process.kill()
    output = log.read_text()
    assert code == 0, output
    assert "Traceback" not in output, output
    assert "CancelledError" not in output, output
    assert "cancelling 8 polls still running" in output, output
    # The cancelled polls handed their leases back and are due again now.
    assert count_rows(db, "select count(*) from sources where lease_owner is not null") == 0
    assert count_rows(db, "select count(*) from sources where last_run_at is not null") == 0


async def test_start_up_with_5000_sources_spreads_them_and_bounds_the_polls(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Dead hosts (nothing listens on 127.6.x.y): every poll fails fast, after retries.
    sources = tuple(
        Source(
            name=f"dead-{i}",
            url=f"http://127.6.{i // 250}.{i % 250 + 1}:9/",
            kind="listing",
            schedule=Schedule(interval_seconds=1800),
        )
        for i in range(5000)
    )
    service = await Service.open(Config(sources=sources), sqlite_url)
    try:
        async with service.store.transaction() as session:
            first = await session.scalar(select(func.min(SourceRow.next_run_at)))
            assert first is not None
            soon = await session.scalar(
                select(func.count()).where(SourceRow.next_run_at <= first + timedelta(seconds=10))
            )
        # Spread: about 10 sources a second become due, not 5,000 at once.
        assert soon is not None
        assert soon <= 200, soon
        pool = PollPool(service, capacity=32)
        most = 0

        async def polled() -> int:
            async with service.store.transaction() as session:
                found = await session.scalar(
                    select(func.count()).where(SourceRow.last_run_at.is_not(None))
                )
            return int(found or 0)

        with caplog.at_level(logging.WARNING):
            running = asyncio.create_task(pool.run())
            while await polled() < 60:
                most = max(most, pool.in_flight)
                await asyncio.sleep(0.05)
            pool.stop_claiming()
            await running
            await pool.drain(5.0)
        assert 0 < most <= 32
        problems = [
            r.getMessage()
            for r in caplog.records
            if r.name.startswith(("scraper.poll_pool", "scraper.service", "sqlalchemy"))
        ]
        assert problems == [], problems
        assert (await service.store.backlog()).polling == {}
    finally:
        await service.aclose()


async def test_a_claim_that_returns_after_the_stop_starts_no_poll(sqlite_url: str) -> None:
    """SIGTERM while a claim waits for a slow database: ``drain`` has counted the polls in
    flight already, so the claimed batch must be handed back, not polled after the daemon
    said "stopped" (those polls used to write into a closed store, with tracebacks)."""
    sources = tuple(
        Source(name=f"dead-{i}", url=f"http://127.6.9.{i + 1}:9/", kind="listing") for i in range(4)
    )
    service = await Service.open(Config(sources=sources), sqlite_url)
    try:
        async with service.store.transaction() as session:
            await session.execute(SourceRow.__table__.update().values(next_run_at=func.now()))
        claim_due = service.store.claim_due
        entered, release = asyncio.Event(), asyncio.Event()

        async def slow_claim(**kwargs: object) -> object:
            claimed = await claim_due(**kwargs)  # type: ignore[arg-type]
            entered.set()
            await release.wait()  # the database answers only after the stop
            return claimed

        service.store.claim_due = slow_claim  # type: ignore[method-assign,assignment]
        pool = PollPool(service, capacity=8)
        running = asyncio.create_task(pool.run())
        await asyncio.wait_for(entered.wait(), timeout=60)
        pool.stop_claiming()
        await pool.drain(1.0, settle=1.0)  # nothing in flight yet
        release.set()
        await asyncio.wait_for(running, timeout=60)
        assert pool.in_flight == 0
        assert (await service.store.backlog()).polling == {}  # every lease handed back
        async with service.store.transaction() as session:
            polled = await session.scalar(
                select(func.count()).where(SourceRow.last_run_at.is_not(None))
            )
        assert polled == 0
    finally:
        await service.aclose()
