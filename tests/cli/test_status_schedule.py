"""``scraper status`` shows the schedule's health: the backlog of due sources, the one
waiting longest, and what each worker is polling now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from storage.engine import create_engine
from storage.migrate import upgrade
from storage.models import SourceRow
from storage.repository import SourceSpec, Store
from tests.cli.test_cli import scraper


async def test_status_shows_the_backlog_the_oldest_due_source_and_the_polls(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'nea.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    store = Store(engine)
    now = datetime.now(UTC)
    await store.sync_sources(
        [
            SourceSpec(
                name=f"s{i}",
                url=f"https://e{i}.example/",
                kind="listing",
                first_run_at=now + timedelta(hours=1),
            )
            for i in range(5)
        ]
    )
    async with store.transaction() as session:
        for i, minutes in enumerate((30, 10, 5)):  # three due, s0 waiting longest
            await session.execute(
                update(SourceRow)
                .where(SourceRow.name == f"s{i}")
                .values(next_run_at=now - timedelta(minutes=minutes))
            )
    claimed, _ = await store.claim_due(owner="host:1:abc", lease_seconds=600, limit=1)
    assert [s.name for s in claimed] == ["s0"]
    await store.aclose()

    result = scraper("status", "--db", url)
    assert result.returncode == 0, result.stderr
    assert "Due and not yet polled: 2 sources (oldest: s1, due 10m ago)" in result.stdout
    assert "Polling now: 1 sources by worker host:1:abc" in result.stdout
