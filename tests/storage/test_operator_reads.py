"""The reads of ``scraper status`` and ``scraper articles`` through the database driver
alone (``storage.operator_reads``), on a SQLite file and on PostgreSQL: the values as the
store wrote them (aware UTC datetimes, booleans, days), the filters, and one-line errors
for a database that is missing, not a database, or behind this version's schema."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from scraper.errors import StorageError
from storage.article_types import ArticleInput, CheckPlan
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.operator_reads import open_operator_reads
from storage.repository import Store
from storage.sources_repo import RunOutcome, SourceSpec
from tests.notify.fakes import FakeClock

START = datetime(2026, 5, 1, 9, 0, 0, 123456, tzinfo=UTC)


async def fill(url: str, clock: FakeClock) -> dict[str, int]:
    engine = create_engine(url)
    await upgrade(engine)
    store = Store(engine, clock=clock)
    try:
        ids = await store.sync_sources([
            SourceSpec("alpha", "https://a.example/", "listing", first_run_at=START),
            SourceSpec("beta", "https://b.example/", "listing",
                       first_run_at=START + timedelta(hours=1)),
        ])  # fmt: skip
        text = "The assembly adopted a declaration on river transport.\n" * 3
        for n, source in ((1, "alpha"), (2, "alpha"), (3, "beta")):
            clock.advance(60)
            body = f"{text}Item {n}."
            item = ArticleInput(
                url=f"https://{source[0]}.example/{n}", title=f"Title {n}", text=body,
                content_hash=hashlib.sha256(body.encode()).hexdigest(),
                published_date=date(2026, 4, n), language="en",
            )  # fmt: skip
            await store.save_article(
                source_id=ids[source], source_name=source, item=item,
                plan=CheckPlan(next_check_at=None), router=lambda _type: ("hook",),
            )  # fmt: skip
        for _ in range(3):
            await store.record_run(
                ids["beta"], RunOutcome(ok=False, error="HTTP 503"), failing_after=3,
                router=lambda _type: ("hook",),
            )  # fmt: skip
        (first, *_) = await store.claim_deliveries(owner="w", now=clock(), limit=1)
        await store.delivery_failed(
            first.id, owner="w", error="refused", now=clock(), next_attempt_at=None
        )
        await store.claim_source("beta", owner="worker-1", lease_seconds=600, due_only=False)
    finally:
        await store.aclose()
    return ids


async def test_the_driver_reads_what_the_store_wrote(db_url: str) -> None:
    clock = FakeClock(START)
    await fill(db_url, clock)
    async with open_operator_reads(db_url) as reads:
        assert await reads.source_names() == ["alpha", "beta"]
        articles = await reads.list_articles()
        assert [a.url for a in articles] == [
            "https://b.example/3", "https://a.example/2", "https://a.example/1"
        ]  # fmt: skip
        newest = articles[0]
        assert (newest.source, newest.title, newest.version, newest.duplicate_of) == (
            "beta", "Title 3", 1, None
        )  # fmt: skip
        assert newest.first_seen_at == START + timedelta(seconds=180)
        assert newest.first_seen_at.tzinfo is UTC
        assert newest.published_date == date(2026, 4, 3)
        alpha = await reads.list_articles(source="alpha", limit=1)
        assert [a.url for a in alpha] == ["https://a.example/2"]
        since = await reads.list_articles(since=START + timedelta(seconds=150))
        assert [a.url for a in since] == ["https://b.example/3"]
        health = {h.name: h for h in await reads.source_health()}
        assert (health["alpha"].articles, health["alpha"].failing) == (2, False)
        assert (health["beta"].articles, health["beta"].failing) == (1, True)
        assert (health["beta"].consecutive_failures, health["beta"].last_error) == (3, "HTTP 503")
        assert health["beta"].last_run_at == clock()
        assert health["alpha"].enabled is True
        counts = await reads.delivery_counts()
        assert counts == {("hook", "dead"): 1, ("hook", "pending"): 3}
        (dead,) = await reads.dead_deliveries()
        assert (dead.channel, dead.attempts, dead.last_error) == ("hook", 1, "refused")
        backlog = await reads.backlog(clock())
        # alpha is due (its slot passed) and not leased; beta is leased by worker-1.
        assert (backlog.due, backlog.oldest_due, backlog.oldest_due_at) == (1, "alpha", START)
        assert backlog.polling == {"worker-1": 1}


async def test_a_missing_or_foreign_file_is_one_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "nea.db"
    with pytest.raises(StorageError, match=r"no database at .*does not exist"):
        async with open_operator_reads(f"sqlite:///{missing}"):
            pass
    assert not missing.parent.exists()
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(StorageError, match="is not a file"):
        async with open_operator_reads(f"sqlite:///{tmp_path / 'dir.db'}"):
            pass
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database\n" * 100)
    with pytest.raises(StorageError, match="not a database"):
        async with open_operator_reads(f"sqlite:///{junk}"):
            pass
    with pytest.raises(StorageError, match="unsupported database 'mysql'"):
        async with open_operator_reads("mysql://u:secret@h/db"):
            pass


async def test_a_database_behind_the_schema_names_the_upgrade(db_url: str) -> None:
    engine = create_engine(db_url)
    await upgrade(engine, "0005")
    await engine.dispose()
    with pytest.raises(StorageError, match=r"revision 0005, .*run `scraper db upgrade`"):
        async with open_operator_reads(db_url):
            pass


async def test_an_unreachable_postgresql_is_one_error() -> None:
    with pytest.raises(StorageError, match="database unreachable"):
        async with open_operator_reads("postgresql://nobody@127.0.0.1:9/none"):
            pass
