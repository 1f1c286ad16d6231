"""Every query the daemon runs over and over is served by an index, at realistic sizes.

The database is loaded with a year of a large deployment in miniature (2,000 sources,
100,000 articles with versions and simhash bands, 100,000 events with 200,000 deliveries
of which a few are pending) and ANALYZEd; then the store's own methods run while their
SQL is captured, and each captured SELECT/UPDATE/DELETE is EXPLAINed with its own
parameters. No planner switches are touched: a sequential scan chosen by the planner on
a large table is a missing index."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event

from storage.engine import create_engine
from storage.migrate import upgrade
from storage.repository import ArticleInput, CheckPlan, RunOutcome, Store
from storage.retention import prune
from storage.types import utcnow

pytestmark = pytest.mark.postgres

SOURCES, ARTICLES = 2_000, 100_000
LARGE_TABLES = {
    "articles", "article_versions", "simhash_bands", "events", "deliveries", "fetch_state",
}  # fmt: skip

LOAD = [
    f"""INSERT INTO sources (id, name, url, kind, enabled, tags, consecutive_failures,
        failing, created_at, next_run_at)
    SELECT g, 'site-' || g, 'https://example.org/' || g || '/list', 'listing', true, '[]',
        0, false, now(), now() + (g % 1800) * interval '1 second'
    FROM generate_series(1, {SOURCES}) g""",
    f"""INSERT INTO articles (id, source_id, url, title, text, content_hash, simhash,
        version, first_seen_at, updated_at, check_count, next_check_at)
    SELECT g, 1 + g % {SOURCES}, 'https://example.org/' || (1 + g % {SOURCES}) || '/a/' || g,
        'Title ' || g, repeat(md5(g::text), 12), md5(g::text) || md5((g + 1)::text),
        (g::bigint * 2654435761) % 9223372036854775807, 1 + (g % 3 = 0)::int,
        now() - (g % 365) * interval '1 day', now(), 3,
        CASE WHEN g % 20 = 0 THEN now() + (g % 100) * interval '1 hour' END
    FROM generate_series(1, {ARTICLES}) g""",
    """INSERT INTO article_versions (article_id, version, title, text, content_hash, fetched_at)
    SELECT id, 1, title, text, content_hash, first_seen_at FROM articles""",
    """INSERT INTO article_versions (article_id, version, title, text, content_hash, fetched_at)
    SELECT id, 2, title, text, content_hash, first_seen_at + interval '6 hours'
    FROM articles WHERE version = 2""",
    """INSERT INTO simhash_bands (article_id, band, value)
    SELECT a.id, b, (a.id * (b + 7919)) % 65536 FROM articles a, generate_series(0, 3) b""",
    f"""INSERT INTO events (id, type, article_id, source_id, payload, created_at)
    SELECT gen_random_uuid()::text, 'article.new', g, 1 + g % {SOURCES}, '{{}}',
        now() - (g % 365) * interval '1 day'
    FROM generate_series(1, {ARTICLES}) g""",
    """INSERT INTO deliveries (event_id, channel, status, attempts, next_attempt_at,
        delivered_at)
    SELECT e.id, c, CASE WHEN e.article_id > 99900 THEN 'pending' ELSE 'delivered' END, 1,
        e.created_at, e.created_at
    FROM events e, unnest(ARRAY['log', 'hook']) c""",
    f"""INSERT INTO fetch_state (url, etag, updated_at)
    SELECT 'https://example.org/' || g || '/list', '"v' || g || '"', now()
    FROM generate_series(1, {SOURCES}) g""",
    *(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        for table in ("sources", "articles", "article_versions", "deliveries")
    ),
    "ANALYZE",
]


@pytest.fixture
async def loaded(postgres_url: str) -> AsyncIterator[Store]:
    engine = create_engine(postgres_url)
    await upgrade(engine)
    async with engine.begin() as connection:
        for statement in LOAD:
            await connection.exec_driver_sql(statement)
    store = Store(engine)
    try:
        yield store
    finally:
        await store.aclose()


EXPLAINED = ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")  # statement kinds checked


class Captured:
    """The SQL a store runs, with parameters, as the driver received it."""

    def __init__(self, store: Store) -> None:
        self.statements: list[tuple[str, tuple[Any, ...]]] = []
        self._engine = store.engine.sync_engine

    def _record(
        self, _conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, many: bool
    ) -> None:
        if statement.lstrip().split(None, 1)[0].upper() in EXPLAINED:
            first = params[0] if many else params  # executemany: one row's parameters
            self.statements.append((statement, tuple(first or ())))

    def __enter__(self) -> Captured:
        event.listen(self._engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self._engine, "before_cursor_execute", self._record)


def _scans(plan: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if "Relation Name" in plan:
        yield plan["Node Type"], plan["Relation Name"]
    for child in plan.get("Plans", []):
        yield from _scans(child)


async def _explain(url: str, statement: str, params: tuple[Any, ...]) -> list[tuple[str, str]]:
    connection = await asyncpg.connect(url.replace("postgresql://", "postgres://", 1))
    try:
        raw = await connection.fetchval(f"EXPLAIN (FORMAT JSON) {statement}", *params)
    finally:
        await connection.close()
    return list(_scans(json.loads(raw)[0]["Plan"]))


async def _daemon_queries(store: Store) -> dict[str, Captured]:
    """Run what one poll and one delivery round run, capturing each family's SQL."""
    now, owner = utcnow(), "host:1:abcdef"
    urls = [f"https://example.org/77/a/{g}" for g in range(77, 20_000, 2_000)]
    urls += [f"https://example.org/77/a/new-{n}" for n in range(40)]
    item = ArticleInput(
        url="https://example.org/77/a/new-1", title="New", text="A new article.",
        content_hash="f" * 64, simhash=12345, simhash_bands=(1, 2, 3, 4),
    )  # fmt: skip
    families: dict[str, Any] = {
        "claim_source": lambda: store.claim_source("site-77", owner=owner, lease_seconds=60),
        "renew_lease": lambda: store.renew_lease("site-77", owner=owner, lease_seconds=60),
        "source_state": lambda: store.source_state("site-77"),
        "get_validators": lambda: store.get_validators("https://example.org/77/list"),
        "save_validators": lambda: store.save_validators(
            "https://example.org/77/list", '"x"', None
        ),
        "known_and_due": lambda: store.known_and_due(20, urls, limit=50),
        "mark_checked": lambda: store.mark_checked(2_020, CheckPlan(next_check_at=None)),
        "save_article": lambda: store.save_article(
            source_id=77,
            source_name="site-77",
            item=item,
            plan=CheckPlan(next_check_at=now + timedelta(hours=1)),
            router=lambda _t: ["log", "hook"],
            near_duplicates=True,
        ),
        "save_article_update": lambda: store.save_article(
            source_id=77,
            source_name="site-77",
            item=ArticleInput(
                url=item.url,
                title="New",
                text="Edited.",
                content_hash="e" * 64,
                simhash=54321,
                simhash_bands=(5, 6, 7, 8),
            ),
            plan=CheckPlan(next_check_at=None),
            router=lambda _t: ["log"],
        ),
        "record_run": lambda: store.record_run(
            77, RunOutcome(ok=True, links_found=20), failing_after=3, router=lambda _t: []
        ),
        "release_source": lambda: store.release_source(
            "site-77", owner=owner, next_run_at=now + timedelta(minutes=27)
        ),
        "claim_deliveries": lambda: store.claim_deliveries(owner=owner, now=now, limit=200),
        "delivery_succeeded": lambda: store.delivery_succeeded(199_990, owner=owner, now=now),
        "delivery_failed": lambda: store.delivery_failed(
            199_991, owner=owner, error="x", now=now, next_attempt_at=now
        ),
        "prune": lambda: prune(
            store, events_older_than_days=364, versions_older_than_days=364, now=now
        ),
    }
    captured: dict[str, Captured] = {}
    for name, run in families.items():
        with Captured(store) as capture:
            await run()
        captured[name] = capture
    return captured


async def test_repeated_queries_use_indexes_at_realistic_sizes(
    loaded: Store, postgres_url: str
) -> None:
    captured = await _daemon_queries(loaded)
    seq_scans: list[str] = []
    for family, capture in captured.items():
        assert capture.statements, f"{family} ran no SQL"
        for statement, params in capture.statements:
            for node, table in await _explain(postgres_url, statement, params):
                if node == "Seq Scan" and table in LARGE_TABLES:
                    seq_scans.append(f"{family}: {table} in {statement[:160]}")
    assert seq_scans == []
