"""Near-duplicate detection: quality on the labelled pair set, fingerprint cost, and the
cost of the store's lookup plus verification with many articles stored.

    .venv/bin/python benchmarks/dedup.py                 # quality: train / held-out halves
    .venv/bin/python benchmarks/dedup.py --derive        # thresholds from the training half
    .venv/bin/python benchmarks/dedup.py --speed         # fingerprint and verification cost
    .venv/bin/python benchmarks/dedup.py --scale 100000 --db sqlite:////tmp/dedup.db
    .venv/bin/python benchmarks/dedup.py --scale 1000000 --db postgresql://…/db
    .venv/bin/python benchmarks/dedup.py --store-recall --db sqlite:////tmp/recall.db

Quality: the pairs of ``tests/dedup/pairs`` (hand-written articles in six languages, the
real English article bodies of ``shared/benchmarks/extraction`` when present, template
notices in five languages), split in two halves by article; thresholds are derived on the
training half only (``--derive`` prints them; ``scraper/dedup_verify.py`` must hold the
same, which ``tests/dedup/test_quality.py`` checks), and precision and recall are reported
with counts on both halves, the held-out one being the measurement.

Scale: the database is filled once by a bulk loader (SQLite: the sqlite3 module on the
file, one transaction; PostgreSQL: COPY, then VACUUM ANALYZE; the key index built after
the rows) with N filler articles, each with a short text and 49 index keys drawn at random
(distinct texts share no key but by chance, which is what random keys model), plus the
real texts of the labelled set with their real keys; later runs reuse it. Then batches of
64 new articles (new on every run), half unrelated to anything stored, half copies of
stored texts (reflowed, with a source line), go through the store's own lookup
(``_Batch._load_originals``), timed alone, then through the whole store. Reported per
article: CPU of this process (SQLite runs in it) and of the PostgreSQL backend, wall time
inside database statements, wall time, the load average, and the bytes the key index
takes.

Store recall (``--store-recall --db URL``): the held-out near duplicates looked up through
the store with every template notice filling stored, with and without the bound on the
holders a key lookup reads.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

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
from tests.support.texts import article

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
    from storage.repository import ArticleWrite, CheckPlan, SourceSpec, Store

    engine = create_engine(db_url)
    await upgrade(engine)
    store = Store(engine)
    sid = (await store.sync_sources([SourceSpec(name="bench", url="https://b.org/", kind="auto")]))[
        "bench"
    ]
    # A new seed each run: the batches are new articles on every run against one database.
    rng = random.Random(random.SystemRandom().randrange(2**32))
    real = [body for language in LANGUAGES for _t, body in load(language).articles.values()]
    real += real_texts()
    async with engine.connect() as connection:
        existing = (await connection.execute(text("SELECT count(*) FROM articles"))).scalar_one()
    if existing < count:
        print(f"loading {count - existing:,} filler articles ...", flush=True)
        start = time.perf_counter()
        await bulk_load(engine, db_url, sid, existing, count)
        print(f"  loaded in {time.perf_counter() - start:.0f} s", flush=True)

    plan = CheckPlan(next_check_at=None)
    tag = rng.randrange(10**9)
    # The real texts, stored once per database (their copies are what the batches verify
    # against): a rerun finds them unchanged.
    originals = [article(f"https://b.org/real/{i}", body) for i, body in enumerate(real)]
    for first in range(0, len(originals), BATCH):
        writes = [ArticleWrite(sid, "bench", it, plan, lambda _t: ())
                  for it in originals[first : first + BATCH]]  # fmt: skip
        await store.save_articles(writes, near_duplicates=True)

    from storage.article_writes import _Batch  # the store's own lookup, timed alone

    sqlite = is_sqlite(db_url)
    statements = _StatementClock(engine)
    phases = _PhaseClock(_Batch)
    lookup_wall: list[float] = []
    cpu_total = db_total = server_total = 0.0
    store_ms: list[float] = []
    linked = 0
    load_average = os.getloadavg()
    for r in range(rounds + 1):  # round 0 warms caches and statement plans: not counted
        batch = []
        for i in range(BATCH):
            if i % 2:
                body = reflow(rng.choice(real), rng) + "\n\nSource: wire"
            else:
                body = " ".join(f"w{rng.randrange(10**6)}" for _ in range(300))
            batch.append(article(f"https://b.org/new/{tag}/{r}/{i}", body))
        writes = [ArticleWrite(sid, "bench", it, plan, lambda _t: ()) for it in batch]
        # Lookup + verification: the candidates' keys, texts and verdicts, nothing written.
        async with engine.connect() as connection:
            server = None if sqlite else await _server_cpu(connection)
            phases.pid = None if sqlite else await _backend_pid(connection)
            lookup = _Batch(connection, writes, datetime.now(UTC), True, not sqlite)
            statements.seconds = 0.0
            phases.on = bool(r)
            wall, cpu = time.perf_counter(), time.process_time()
            await lookup._load_originals(list(range(BATCH)))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            phases.on = False
            in_db = statements.seconds
            server_cpu = 0.0 if server is None else await _server_cpu(connection) - server
        if r:
            lookup_wall.append(wall / BATCH * 1e3)
            cpu_total += cpu
            db_total += in_db
            server_total += server_cpu
            linked += sum(1 for found in lookup.near_stored.values() if found)
        # The whole store of the same batch, for scale.
        wall = time.perf_counter()
        await store.save_articles(writes, near_duplicates=True)
        if r:
            store_ms.append((time.perf_counter() - wall) / BATCH * 1e3)
    async with engine.connect() as connection:
        total = (await connection.execute(text("SELECT count(*) FROM articles"))).scalar_one()
        index_bytes = await _index_bytes(connection, sqlite)
    await store.aclose()
    articles = rounds * BATCH
    print(f"{total:,} articles stored; {rounds} batches of {BATCH}, half of them copies of"
          f" stored texts ({linked} of {articles // 2} found)")  # fmt: skip
    print(f"  load average before / after: {load_average[0]:.2f} / {os.getloadavg()[0]:.2f}"
          f" (2 cores shared)")  # fmt: skip
    print(f"  lookup + verification per article: {cpu_total / articles * 1e3:.2f} ms CPU of"
          f" this process{' (SQLite runs in it)' if sqlite else ''}"
          + ("" if sqlite else f" + {server_total / articles * 1e3:.2f} ms CPU of the"
             f" PostgreSQL backend = {(cpu_total + server_total) / articles * 1e3:.2f} ms")
          + f"; {db_total / articles * 1e3:.2f} ms wall inside database statements;"
          f" wall median {statistics.median(lookup_wall):.2f} ms"
          f" (p95 {_p95(lookup_wall):.2f} ms, max {max(lookup_wall):.2f} ms)")  # fmt: skip
    backend = "" if sqlite else " / CPU of the PostgreSQL backend"
    print(f"  per phase, per article (CPU of this process{backend} / wall):")
    for name, (phase_cpu, phase_wall, phase_server) in phases.seconds.items():
        on_server = "" if sqlite else f" / {phase_server / articles * 1e3:5.2f} ms"
        print(f"    {_PHASES[name]:34s} {phase_cpu / articles * 1e3:5.2f} ms{on_server} /"
              f" {phase_wall / articles * 1e3:5.2f} ms")  # fmt: skip
    print(f"  whole store per article (lookup, verification, row, version, keys, event):"
          f" median {statistics.median(store_ms):.2f} ms wall")  # fmt: skip
    if index_bytes:
        print(f"  near-duplicate index (simhash_bands rows + indexes): {index_bytes / total:.0f}"
              f" bytes per article")  # fmt: skip


def _p95(values: list[float]) -> float:
    """The 95th percentile of the batches' wall times (the largest of fewer than 20)."""
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


# The store's lookup, phase by phase (methods of storage.article_writes._Batch).
_PHASES = {
    "_exact_originals": "same text (content hash)",
    "_candidates": "key statement and ranking",
    "_candidate_rows": "candidates' texts",
    "_verify": "verification (worker thread)",
}


class _PhaseClock:
    """CPU of this process, wall time and (``pid`` set) CPU of the PostgreSQL backend
    spent in each phase of the lookup, counted while ``on``."""

    def __init__(self, batch: Any) -> None:
        self.on = False
        self.pid: int | None = None
        self.seconds = {name: [0.0, 0.0, 0.0] for name in _PHASES}
        for name in _PHASES:
            setattr(batch, name, self._timed(name, getattr(batch, name)))

    def _timed(self, name: str, method: Any) -> Any:
        async def timed(*args: Any) -> Any:
            if not self.on:
                return await method(*args)
            server = _process_cpu(self.pid)
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return await method(*args)
            finally:
                self.seconds[name][0] += time.process_time() - cpu
                self.seconds[name][1] += time.perf_counter() - wall
                self.seconds[name][2] += _process_cpu(self.pid) - server

        return timed


class _StatementClock:
    """Wall time spent inside database statements (execute and fetch, as SQLAlchemy's
    cursor events see them)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.seconds = 0.0
        self._started = 0.0
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)

    def _before(self, *_args: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, *_args: Any) -> None:
        self.seconds += time.perf_counter() - self._started


async def _server_cpu(connection: Any) -> float:
    """CPU seconds (user + system) used so far by this connection's PostgreSQL backend
    (the benchmark's cluster runs on this machine: its /proc is readable)."""
    return _process_cpu(await _backend_pid(connection))


async def _backend_pid(connection: Any) -> int:
    from sqlalchemy import text

    return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


def _process_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` (0 for None). A read of
    a small /proc file: quick enough to stay on the event loop in a benchmark."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def filler(
    first: int, last: int, sid: int
) -> tuple[list[tuple[Any, ...]], Iterable[tuple[int, int, int]]]:
    """Filler articles ``first`` .. ``last - 1`` (ids from ``first + 1``) and their keys,
    drawn at random (seeded by the range, so a database is rebuilt alike)."""
    now = datetime.now(UTC)
    rows = []
    for n in range(first, last):
        body = f"filler article {n}"
        rows.append(
            (n + 1, sid, f"https://b.org/f/{n}", "", body, content_hash(body), 1, now, now, 0)
        )
    draw = np.random.default_rng([15, first])
    values = draw.integers(-(2**31), 2**31, size=(last - first, KEY_BANDS), dtype=np.int64)
    ids = np.repeat(np.arange(first + 1, last + 1, dtype=np.int64), KEY_BANDS)
    bands = np.tile(np.arange(KEY_BANDS, dtype=np.int64), last - first)
    keys = zip(ids.tolist(), bands.tolist(), values.ravel().tolist(), strict=True)
    return rows, keys


_COLUMNS = ("id", "source_id", "url", "title", "text", "content_hash", "version",
            "first_seen_at", "updated_at", "check_count")  # fmt: skip
_INDEX = "ix_simhash_bands_value"
_INDEX_COLUMNS = "value, article_id, band"
_CHUNK = 50_000


async def bulk_load(engine: Any, db_url: str, sid: int, first: int, count: int) -> None:
    """Filler rows and keys as fast as each backend takes them, the key index dropped
    during the load and built once after it: SQLite through the sqlite3 module on the
    file itself, in one transaction with ``executemany`` (in a worker thread); PostgreSQL
    with asyncpg's COPY (foreign-key triggers off: needs a superuser, as the benchmark's
    own cluster has), then VACUUM ANALYZE so that the lookup can scan the index alone."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from benchmarks._replicate import reset_article_ids
    from storage.engine import is_sqlite

    if is_sqlite(db_url):
        path = make_url(db_url).database
        assert path, "--db must name a SQLite file"
        await engine.dispose()  # the loader's own connection takes the file
        await asyncio.to_thread(_sqlite_load, path, sid, first, count)
        return
    async with engine.begin() as connection:
        await connection.execute(text(f"DROP INDEX IF EXISTS {_INDEX}"))
        await connection.execute(text("SET LOCAL session_replication_role = replica"))
        raw = (await connection.get_raw_connection()).driver_connection
        for start in range(first, count, _CHUNK):
            rows, keys = filler(start, min(count, start + _CHUNK), sid)
            await raw.copy_records_to_table("articles", records=rows, columns=_COLUMNS)
            await raw.copy_records_to_table(
                "simhash_bands", records=list(keys), columns=("article_id", "band", "value")
            )
            print(f"  {min(count, start + _CHUNK):,}", end="\r", flush=True)
        await connection.execute(text(f"CREATE INDEX {_INDEX} ON simhash_bands ({_INDEX_COLUMNS})"))
        await reset_article_ids(connection)
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE"))


def _sqlite_load(path: str, sid: int, first: int, count: int) -> None:
    import sqlite3

    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-262144")  # 256 MiB: the index build sorts
        connection.execute("BEGIN")
        connection.execute(f"DROP INDEX IF EXISTS {_INDEX}")
        marks = ", ".join("?" * len(_COLUMNS))
        for start in range(first, count, _CHUNK):
            rows, keys = filler(start, min(count, start + _CHUNK), sid)
            connection.executemany(
                f"INSERT INTO articles ({', '.join(_COLUMNS)}) VALUES ({marks})",
                [(*r[:7], r[7].isoformat(), r[8].isoformat(), r[9]) for r in rows],
            )
            connection.executemany("INSERT INTO simhash_bands VALUES (?, ?, ?)", keys)
            print(f"  {min(count, start + _CHUNK):,}", end="\r", flush=True)
        connection.execute(f"CREATE INDEX {_INDEX} ON simhash_bands ({_INDEX_COLUMNS})")
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
    finally:
        connection.close()


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


# Recall through the store, with template families stored ------------------------------


async def store_recall(db_url: str) -> None:
    """The held-out half's near duplicates found through the store's own lookup rather
    than pair by pair: the first text of every pair is stored, then every filling of
    every template notice (256 per template: each template's frame keys are then held
    by 256 articles, more than a lookup reads of one key), so that the original of a
    notice copy is older than 255 notices sharing its frame. Then the second text of
    each pair is looked up (nothing written), with the bound on key holders and without
    it. Reported per kind: pairs linked pair by pair, through the store with and without
    the bound, and the key rows a lookup reads per article."""
    from itertools import product

    from storage import article_writes
    from storage.article_writes import _Batch
    from storage.engine import create_engine, is_sqlite
    from storage.migrate import upgrade
    from storage.repository import ArticleInput, ArticleWrite, CheckPlan, SourceSpec, Store
    from tests.dedup.pairs.notices import TEMPLATES, fill

    _train, held_out = build_halves()
    pairs = [p for p in held_out if p.label]
    pair_level = {id(s.pair): s.linked() for s in score_pairs(pairs)}
    family = [
        fill(template, dict(zip(template.slots, choice, strict=True)))
        for templates in TEMPLATES.values()
        for template in templates
        for choice in product(*(range(len(v)) for v in template.slots.values()))
    ]
    engine = create_engine(db_url)
    await upgrade(engine)
    store = Store(engine)
    sid = (await store.sync_sources([SourceSpec(name="r", url="https://r.org/", kind="auto")]))["r"]
    plan = CheckPlan(next_check_at=None)

    def writes(items: list[ArticleInput]) -> list[ArticleWrite]:
        return [ArticleWrite(sid, "r", it, plan, lambda _t: ()) for it in items]

    originals = list(dict.fromkeys(p.a for p in pairs))
    stored = originals + [t for t in dict.fromkeys(family) if t not in set(originals)]
    roots: dict[str, int] = {}
    for first in range(0, len(stored), BATCH):
        chunk = stored[first : first + BATCH]
        items = [article(f"https://r.org/{first + n}", body) for n, body in enumerate(chunk)]
        for body, result in zip(
            chunk, await store.save_articles(writes(items), near_duplicates=True), strict=True
        ):
            roots[body] = result.duplicate_of or result.article_id
    print(f"stored {len(originals)} originals of held-out pairs, then {len(family)} template"
          f" notices (10 templates x 256 fillings); {len(pairs)} near-duplicate pairs")  # fmt: skip

    rows_read: list[int] = []
    holders = article_writes._KEY_HOLDERS
    original_lookup = _Batch._shared_keys

    async def counted(self: Any, values: list[int]) -> Any:
        found = await original_lookup(self, values)
        rows_read.append(sum(row.shared for row in found))
        return found

    _Batch._shared_keys = counted  # type: ignore[method-assign]
    found: dict[str, dict[int, bool]] = {}
    reads: dict[str, list[int]] = {}
    try:
        for label, bound in (("bounded", holders), ("unbounded", 10**9)):
            article_writes._KEY_HOLDERS = bound
            rows_read.clear()
            found[label] = {}
            for first in range(0, len(pairs), BATCH):
                batch = pairs[first : first + BATCH]
                new = [article(f"https://r.org/new/{first + n}", p.b) for n, p in enumerate(batch)]
                async with engine.connect() as connection:
                    lookup = _Batch(connection, writes(new), datetime.now(UTC), True,
                                    not is_sqlite(db_url))  # fmt: skip
                    await lookup._load_originals(list(range(len(new))))
                for n, p in enumerate(batch):
                    hits = lookup.exact.get(new[n].content_hash, []) + lookup.near_stored.get(n, [])
                    found[label][id(p)] = any(o.root == roots[p.a] for o in hits)
            reads[label] = list(rows_read)
    finally:
        article_writes._KEY_HOLDERS = holders
        _Batch._shared_keys = original_lookup  # type: ignore[method-assign]
    await store.aclose()
    kinds = sorted({p.kind for p in pairs})
    bounded = f"store, bound {holders}"
    print(f"  {'kind':20s} {'pairs':>5s} {'pair by pair':>12s} {bounded:>16s}"
          f" {'store, no bound':>15s}")  # fmt: skip
    for kind in [*kinds, "all"]:
        chosen = [p for p in pairs if kind in ("all", p.kind)]
        counts = [sum(pair_level[id(p)] for p in chosen)]
        counts += [sum(found[label][id(p)] for p in chosen) for label in ("bounded", "unbounded")]
        print(f"  {kind:20s} {len(chosen):5d} {counts[0]:12d} {counts[1]:16d} {counts[2]:15d}")
    for label in ("bounded", "unbounded"):
        per_article = sum(reads[label]) / len(pairs)
        worst = max(r / min(BATCH, len(pairs) - BATCH * i) for i, r in enumerate(reads[label]))
        print(f"  key rows read per article, {label}: mean {per_article:.1f},"
              f" worst batch {worst:.1f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--derive", action="store_true", help="print the derived thresholds")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--scale", type=int, metavar="N", help="articles stored")
    parser.add_argument("--db", help="database URL for --scale")
    parser.add_argument("--rounds", type=int, default=10, help="batches of 64 for --scale")
    parser.add_argument(
        "--store-recall", action="store_true", help="held-out recall through the store (--db)"
    )
    args = parser.parse_args()
    if args.store_recall:
        if not args.db:
            parser.error("--store-recall needs --db")
        asyncio.run(store_recall(args.db))
    elif args.scale:
        if not args.db:
            parser.error("--scale needs --db")
        asyncio.run(scale(args.scale, args.db, args.rounds))
    elif args.speed:
        speed()
    else:
        quality(args.derive)


if __name__ == "__main__":
    main()
