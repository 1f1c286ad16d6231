"""What a worker leaves behind when a poll does not finish (the database went away, a
shutdown cancelled it): the lease handed back and the source due now, or, when even the
release fails, the original error and a lease that simply expires."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from scraper.config.types import Config, Schedule, Source
from scraper.errors import StorageError
from scraper.pipeline.poll import PollReport
from scraper.pipeline.schedule import failure_backoff
from scraper.poll_pool import storage_failure
from scraper.service import Service
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.models import SourceRow
from tests.support.httpserver import FixtureServer, Response

SOURCE = Source(name="site", url="https://example.org/news", kind="listing",
                schedule=Schedule(interval_seconds=1800))  # fmt: skip


@pytest.fixture
async def service(db_url: str) -> AsyncIterator[Service]:
    engine = create_engine(db_url)
    await upgrade(engine)
    opened = await Service.open(Config(sources=(SOURCE,)), db_url, migrate=False)
    await engine.dispose()
    async with opened.store.transaction() as session:  # due now, not at its first slot
        await session.execute(update(SourceRow).values(next_run_at=datetime.now(UTC)))
    try:
        yield opened
    finally:
        await opened.aclose()


async def _row(service: Service) -> tuple[str | None, datetime | None]:
    state = await service.store.source_state("site")
    assert state is not None
    async with service.store.transaction() as session:
        row = await session.get(SourceRow, state.id)
        assert row is not None
        return row.lease_owner, row.next_run_at


def _poll_raising(error: BaseException) -> Any:
    async def poll(
        _source: Source, _source_id: int, _state: object = None, **_: object
    ) -> PollReport:
        raise error

    return poll


async def test_a_finished_poll_waits_most_of_an_interval(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def poll(
        source: Source, _source_id: int, _state: object = None, **_: object
    ) -> PollReport:
        return PollReport(source=source.name)

    monkeypatch.setattr(service.poller, "poll", poll)
    assert await service.poll_source(SOURCE) is not None
    owner, next_run = await _row(service)
    assert owner is None
    assert next_run is not None
    assert next_run - datetime.now(UTC) > timedelta(minutes=26)
    assert await service.poll_source(SOURCE) is None  # not due again this interval


async def test_a_poll_cut_by_the_database_leaves_the_source_due_now(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service.poller, "poll", _poll_raising(StorageError("database gone")))
    with pytest.raises(StorageError):
        await service.poll_source(SOURCE)
    owner, next_run = await _row(service)
    assert owner is None
    assert next_run is not None
    assert next_run <= datetime.now(UTC)
    # Whichever worker's scheduler fires next may poll it again at once.
    monkeypatch.undo()
    monkeypatch.setattr(service.poller, "poll", _poll_raising(RuntimeError("next attempt")))
    with pytest.raises(RuntimeError):
        await service.poll_source(SOURCE)


async def test_a_cancelled_poll_hands_its_lease_back(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = asyncio.Event()

    async def poll(
        _source: Source, _source_id: int, _state: object = None, **_: object
    ) -> PollReport:
        started.set()
        await asyncio.Event().wait()  # until cancelled
        raise AssertionError("unreachable")

    monkeypatch.setattr(service.poller, "poll", poll)
    task = asyncio.create_task(service.poll_source(SOURCE))
    await asyncio.wait_for(started.wait(), timeout=10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    owner, next_run = await _row(service)
    assert owner is None
    assert next_run is not None
    assert next_run <= datetime.now(UTC)


async def test_a_failed_release_keeps_the_original_error(
    service: Service, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def release(*_args: object, **_kwargs: object) -> None:
        raise StorageError("still gone")

    monkeypatch.setattr(service.poller, "poll", _poll_raising(StorageError("database gone")))
    monkeypatch.setattr(service.store, "release_source", release)
    with pytest.raises(StorageError, match="database gone"):
        await service.poll_source(SOURCE)
    assert "could not release the lease of site" in caplog.text
    owner, _ = await _row(service)
    assert owner == service.owner  # held until it expires (or this worker polls again)


def test_storage_failures_are_found_inside_task_groups() -> None:
    inner = StorageError("database gone")
    assert storage_failure(inner) is inner
    assert storage_failure(ExceptionGroup("poll", [ValueError("x"), inner])) is inner
    nested = BaseExceptionGroup("outer", [ExceptionGroup("inner", [inner])])
    assert storage_failure(nested) is inner
    assert storage_failure(ExceptionGroup("poll", [ValueError("x")])) is None
    assert storage_failure(RuntimeError("bug")) is None


# A real poll hands the lease back with its outcome -------------------------------------


@pytest.fixture
async def local_service(db_url: str) -> AsyncIterator[tuple[Service, FixtureServer]]:
    with FixtureServer() as server:
        server.route("/news", Response(body=b"<html><body><p>No news.</p></body></html>"))
        source = Source(name="site", url=server.url("/news"), kind="listing",
                        schedule=Schedule(interval_seconds=1800))  # fmt: skip
        engine = create_engine(db_url)
        await upgrade(engine)
        await engine.dispose()
        opened = await Service.open(Config(sources=(source,)), db_url, migrate=False)
        try:
            yield opened, server
        finally:
            await opened.aclose()


async def _no_separate_release(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("the lease should go back with the outcome, not on its own")


@pytest.mark.parametrize(("path", "failures"), [("/news", 0), ("/gone", 1)])
async def test_a_poll_releases_its_lease_in_the_transaction_of_its_outcome(
    local_service: tuple[Service, FixtureServer],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    failures: int,
) -> None:
    service, server = local_service
    (source,) = service.config.sources
    if path != "/news":  # a listing that answers 404: a failed poll, not retried
        source = replace(source, url=server.url(path))
        await service.apply_config(Config(sources=(source,)))
    monkeypatch.setattr(service.store, "release_source", _no_separate_release)
    before = datetime.now(UTC)
    report = await service.poll_source(source, force=True)
    assert report is not None
    assert report.released
    assert report.ok is (failures == 0)
    owner, next_run = await _row(service)
    assert owner is None
    assert next_run is not None
    # Due again at its next slot (whole intervals after its previous one), at least 0.9 of
    # the back-off of the streak *including* this poll's outcome after the poll ended.
    wait = timedelta(seconds=failure_backoff(1800, failures))
    assert before + 0.9 * wait <= next_run <= datetime.now(UTC) + wait
