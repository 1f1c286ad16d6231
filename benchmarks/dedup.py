"""Near-duplicate detection: quality on the labelled pair set, fingerprint cost, and the
cost of the store's lookup plus verification with many articles stored.

    .venv/bin/python benchmarks/dedup.py                 # quality: train / held-out halves
    .venv/bin/python benchmarks/dedup.py --derive        # thresholds from the training half
    .venv/bin/python benchmarks/dedup.py --speed         # fingerprint and verification cost
    .venv/bin/python benchmarks/dedup.py --scale 100000 --db sqlite:////tmp/dedup.db
    .venv/bin/python benchmarks/dedup.py --scale 1000000 --db postgresql://…/db

Quality: the pairs of ``tests/dedup/pairs`` (hand-written articles in six languages, the
real English article bodies of ``shared/benchmarks/extraction`` when present, template
notices in five languages), split in two halves by article; thresholds are derived on the
training half only (``--derive`` prints them; ``scraper/dedup_verify.py`` must hold the
same, which ``tests/dedup/test_quality.py`` checks), and precision and recall are reported
with counts on both halves, the held-out one being the measurement.

Scale: the database is filled by a bulk loader (multi-row inserts in one transaction;
COPY-free so that it runs on both backends) with N filler articles, each with a short
text and 49 index keys drawn at random (distinct texts share no key but by chance, which
is what random keys model), plus the real texts of the labelled set with their real keys.
Then batches of 64 new articles are stored through the real write path
(``Store.save_articles``, near duplicates on): half unrelated to anything stored, half
copies of stored texts (reflowed, other chrome), so every other article is verified
against at least one candidate. Reported: milliseconds per article for the whole store
(lookup, verification, insert of the row, version, keys and event), and the bytes the
index takes per article.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scraper.dedup import KEY_BANDS, content_hash, fingerprint
from scraper.dedup_verify import THRESHOLDS, compare, prepare
from tests.dedup.pairs.evaluate import Scored, derive_thresholds, score_pairs, scores
from tests.dedup.pairs.generate import (
    LANGUAGES,
    build_halves,
    load,
    real_texts,
    reflow,
    with_chrome,
)

# Quality -------------------------------------------------------------------------------


def quality(derive_only: bool) -> None:
    train, held_out = build_halves()
    scored_train, scored_held_out = score_pairs(train), score_pairs(held_out)
    derived = derive_thresholds(scored_train)
    print(f"derived on the training half: {derived}")
    print(f"in use (scraper/dedup_verify.py): {THRESHOLDS}")
    if derive_only:
        return
    for name, scored in (("training half", scored_train), ("held-out half", scored_held_out)):
        s = scores(scored, THRESHOLDS)
        print(f"\n{name}: {len(scored)} pairs; precision {s.precision:.3f} ({s.tp}/{s.tp + s.fp})"
              f", recall {s.recall:.3f} ({s.tp}/{s.tp + s.fn})")  # fmt: skip
        by_kind(scored)
        by_language(scored)


def by_kind(scored: list[Scored]) -> None:
    total: Counter[tuple[bool, str]] = Counter()
    linked: Counter[tuple[bool, str]] = Counter()
    for item in scored:
        key = (item.pair.label, item.pair.kind)
        total[key] += 1
        linked[key] += item.linked()
    print("  label      kind                  pairs  linked")
    for key in sorted(total):
        label = "near-dup" if key[0] else "distinct"
        print(f"  {label:9s}  {key[1]:20s}  {total[key]:5d}  {linked[key]:6d}")


def by_language(scored: list[Scored]) -> None:
    languages = sorted({s.pair.language for s in scored})
    parts = []
    for language in languages:
        s = scores([i for i in scored if i.pair.language == language], THRESHOLDS)
        parts.append(f"{language} {s.tp}/{s.tp + s.fn} (fp {s.fp})")
    print("  recall by language: " + ", ".join(parts))


# Speed ---------------------------------------------------------------------------------


def five_kb(language: str) -> str:
    text = "\n\n".join(body for _topic, body in load(language).articles.values())
    while len(text.encode()) < 5000:
        text += "\n\n" + text
    return text.encode()[:5000].decode("utf-8", errors="ignore")


def best_of(repeat: int, runs: int, work: Any) -> float:
    """Best CPU time of this process per call (on a shared machine wall time measures
    the neighbours)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(runs):
            work()
        best = min(best, (time.process_time() - start) / runs)
    return best


def speed() -> None:
    print("CPU cost per 5 KB article (best of 5 runs of 50)")
    for language in LANGUAGES:
        text = five_kb(language)
        copy = with_chrome(reflow(text, random.Random(1)), load(language).chrome["portal"])
        prepared = prepare(text)
        fp = best_of(5, 50, lambda t=text: fingerprint(t))
        prep = best_of(5, 50, lambda t=copy: prepare(t))
        verify = best_of(5, 50, lambda c=copy, p=prepared: compare(p, prepare(c)))
        print(f"  {language}: fingerprint {fp * 1e3:5.2f} ms, prepare {prep * 1e3:5.2f} ms, "
              f"verify a copy (prepare + compare) {verify * 1e3:5.2f} ms")  # fmt: skip


# Scale ---------------------------------------------------------------------------------

BATCH = 64


async def scale(count: int, db_url: str, rounds: int) -> None:
    from sqlalchemy import text

    from storage.engine import create_engine, is_sqlite
    from storage.migrate import upgrade
    from storage.repository import ArticleInput, ArticleWrite, CheckPlan, SourceSpec, Store

    engine = create_engine(db_url)
    await upgrade(engine)
    store = Store(engine)
    sid = (await store.sync_sources([SourceSpec(name="bench", url="https://b.org/", kind="auto")]))[
        "bench"
    ]
    rng = random.Random(15)
    real = [body for language in LANGUAGES for _t, body in load(language).articles.values()]
    real += real_texts()
    async with engine.connect() as connection:
        existing = (await connection.execute(text("SELECT count(*) FROM articles"))).scalar_one()
    if existing < count:
        print(f"loading {count - existing:,} filler articles ...", flush=True)
        start = time.perf_counter()
        await bulk_load(engine, is_sqlite(db_url), sid, existing, count, rng)
        print(f"  loaded in {time.perf_counter() - start:.0f} s", flush=True)

    def item(url: str, body: str) -> ArticleInput:
        found = fingerprint(body)
        return ArticleInput(url=url, title="t", text=body, content_hash=content_hash(body),
                            simhash=found.simhash, simhash_bands=found.keys)  # fmt: skip

    plan = CheckPlan(next_check_at=None)
    tag = rng.randrange(10**9)
    # The real texts, stored once (their copies are what the batches verify against).
    originals = [item(f"https://b.org/real/{tag}/{i}", body) for i, body in enumerate(real)]
    for first in range(0, len(originals), BATCH):
        writes = [ArticleWrite(sid, "bench", it, plan, lambda _t: ())
                  for it in originals[first : first + BATCH]]  # fmt: skip
        await store.save_articles(writes, near_duplicates=True)

    from storage.article_writes import _Batch  # the store's own lookup, timed alone

    store_ms: list[float] = []
    lookup_ms: list[float] = []
    lookup_cpu: list[float] = []
    linked = 0
    for r in range(rounds):
        batch = []
        for i in range(BATCH):
            if i % 2:
                body = reflow(rng.choice(real), rng) + "\n\nSource: wire"
            else:
                body = " ".join(f"w{rng.randrange(10**6)}" for _ in range(300))
            batch.append(item(f"https://b.org/new/{tag}/{r}/{i}", body))
        writes = [ArticleWrite(sid, "bench", it, plan, lambda _t: ()) for it in batch]
        # Lookup + verification: the candidates' keys, texts and verdicts, nothing written.
        async with engine.connect() as connection:
            lookup = _Batch(connection, writes, datetime.now(UTC), True, not is_sqlite(db_url))
            wall, cpu = time.perf_counter(), time.process_time()
            await lookup._load_originals(list(range(BATCH)))
            lookup_ms.append((time.perf_counter() - wall) / BATCH * 1e3)
            lookup_cpu.append((time.process_time() - cpu) / BATCH * 1e3)
            linked += sum(1 for found in lookup.near_stored.values() if found)
        # The whole store of the same batch, for scale.
        wall = time.perf_counter()
        await store.save_articles(writes, near_duplicates=True)
        store_ms.append((time.perf_counter() - wall) / BATCH * 1e3)
    async with engine.connect() as connection:
        total = (await connection.execute(text("SELECT count(*) FROM articles"))).scalar_one()
        index_bytes = await _index_bytes(connection, is_sqlite(db_url))
    await store.aclose()
    print(f"{total:,} articles stored; {rounds} batches of {BATCH}, half of them copies of"
          f" stored texts ({linked} of {rounds * BATCH // 2} found)")  # fmt: skip
    print(f"  lookup + verification per article: median {statistics.median(lookup_ms):.2f} ms"
          f" wall, {statistics.median(lookup_cpu):.2f} ms CPU of this process"
          f" (max {max(lookup_ms):.2f} ms wall)")  # fmt: skip
    print(f"  whole store per article (lookup, verification, row, version, keys, event):"
          f" median {statistics.median(store_ms):.2f} ms wall")  # fmt: skip
    if index_bytes:
        print(f"  near-duplicate index (simhash_bands rows + index): {index_bytes / total:.0f}"
              f" bytes per article")  # fmt: skip


def filler(
    first: int, last: int, sid: int, rng: random.Random
) -> tuple[list[tuple[Any, ...]], list[tuple[int, int, int]]]:
    now = datetime.now(UTC)
    rows, keys = [], []
    for n in range(first, last):
        body = f"filler article {n}"
        rows.append(
            (n + 1, sid, f"https://b.org/f/{n}", "", body, content_hash(body), 1, now, now, 0)
        )
        keys += [(n + 1, band, rng.randrange(-(2**31), 2**31)) for band in range(KEY_BANDS)]
    return rows, keys


_COLUMNS = ("id", "source_id", "url", "title", "text", "content_hash", "version",
            "first_seen_at", "updated_at", "check_count")  # fmt: skip
_INDEX = "ix_simhash_bands_band_value"


async def bulk_load(
    engine: Any, sqlite: bool, sid: int, first: int, count: int, rng: random.Random
) -> None:
    """Filler rows and keys as fast as each backend takes them: sqlite3's executemany on
    the raw connection, asyncpg's COPY on PostgreSQL (foreign-key triggers off: needs a
    superuser, as the benchmark's own cluster has); the key index is dropped during the
    load and built once after it."""
    from sqlalchemy import text

    chunk = 20_000
    async with engine.begin() as connection:
        await connection.execute(text(f"DROP INDEX IF EXISTS {_INDEX}"))
        if not sqlite:  # no per-row foreign-key triggers during the load (rows are fresh)
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
        raw = (await connection.get_raw_connection()).driver_connection
        for start in range(first, count, chunk):
            rows, keys = filler(start, min(count, start + chunk), sid, rng)
            if sqlite:
                marks = ", ".join("?" * len(_COLUMNS))
                await raw.executemany(
                    f"INSERT INTO articles ({', '.join(_COLUMNS)}) VALUES ({marks})",
                    [(*r[:7], r[7].isoformat(), r[8].isoformat(), r[9]) for r in rows],
                )
                await raw.executemany("INSERT INTO simhash_bands VALUES (?, ?, ?)", keys)
            else:
                await raw.copy_records_to_table("articles", records=rows, columns=_COLUMNS)
                await raw.copy_records_to_table(
                    "simhash_bands", records=keys, columns=("article_id", "band", "value")
                )
            print(f"  {min(count, start + chunk):,}", end="\r", flush=True)
        await connection.execute(text(f"CREATE INDEX {_INDEX} ON simhash_bands (band, value)"))
        if not sqlite:
            await connection.execute(text(
                "SELECT setval(pg_get_serial_sequence('articles', 'id'), "
                "(SELECT max(id) FROM articles))"
            ))  # fmt: skip
    if not sqlite:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("ANALYZE"))


async def _index_bytes(connection: Any, sqlite: bool) -> int:
    from sqlalchemy import text

    if sqlite:
        try:
            rows = await connection.execute(text(
                "SELECT sum(pgsize) FROM dbstat WHERE name IN ('simhash_bands', "
                f"'{_INDEX}', 'sqlite_autoindex_simhash_bands_1')"
            ))  # fmt: skip
            return int(rows.scalar_one() or 0)
        except Exception:  # dbstat is an optional SQLite build feature
            return 0
    rows = await connection.execute(text("SELECT pg_total_relation_size('simhash_bands')"))
    return int(rows.scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--derive", action="store_true", help="print the derived thresholds")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--scale", type=int, metavar="N", help="articles stored")
    parser.add_argument("--db", help="database URL for --scale")
    parser.add_argument("--rounds", type=int, default=20, help="batches of 64 for --scale")
    args = parser.parse_args()
    if args.scale:
        if not args.db:
            parser.error("--scale needs --db")
        asyncio.run(scale(args.scale, args.db, args.rounds))
    elif args.speed:
        speed()
    else:
        quality(args.derive)


if __name__ == "__main__":
    main()
