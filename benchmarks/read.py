"""Read side latency: feeds, API pages and search over many stored articles.

    .venv/bin/python benchmarks/read.py --articles 100000                      # SQLite (temp)
    .venv/bin/python benchmarks/read.py --articles 100000 --db sqlite:////tmp/read.db
    .venv/bin/python benchmarks/read.py --articles 1000000 --db postgresql://…/db

The database is filled by a bulk loader (sqlite3 executemany, asyncpg COPY) with N
articles in five languages over 50 sources: texts of about 600 characters drawn from a
Zipf-distributed vocabulary (words for English and Russian, characters for Chinese,
Japanese and Korean), first seen over a year with ten articles per instant (ties), 3 %
duplicates. A database that already holds N articles is reused.

Then the app itself (``scraper.web.create_app`` on a read-only engine) answers requests
through httpx's ASGI transport in this process: the latency measured is the app's, from
request to the last byte of the body, queries and rendering included, without a socket.
Each case is requested ``--requests`` times, after two warm-up requests; p50 and p95 in
milliseconds are reported. Search and topic cases use ``storage/search_repo.py`` as it is
in the checkout.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LANGUAGES = ("en", "ru", "zh", "ja", "ko")
SOURCES = 50
TIES = 10  # articles per first-seen instant
DUPLICATE_EVERY = 33  # about 3 %
TEXT_UNITS = {"en": 100, "ru": 90, "zh": 300, "ja": 300, "ko": 200}
_COLUMNS = ("id", "source_id", "url", "title", "text", "content_hash", "version",
            "first_seen_at", "updated_at", "check_count", "language", "duplicate_of")  # fmt: skip


def vocabulary(rng: random.Random) -> dict[str, list[str]]:
    """Per language, units ordered from frequent to rare."""
    latin = "abcdefghijklmnopqrstuvwxyz"
    cyrillic = "абвгдеёжзийклмнопрстуфхцчшщыэюя"

    def words(alphabet: str, count: int) -> list[str]:
        found: dict[str, None] = {}
        while len(found) < count:
            found["".join(rng.choice(alphabet) for _ in range(rng.randint(2, 9)))] = None
        return list(found)

    han = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    kana = [chr(c) for c in range(0x3041, 0x3097)] + han[:1500]
    hangul = [chr(c) for c in range(0xAC00, 0xAC00 + 2000)]
    for units in (han, kana, hangul):
        rng.shuffle(units)
    return {"en": words(latin, 5000), "ru": words(cyrillic, 5000), "zh": han, "ja": kana,
            "ko": hangul}  # fmt: skip


def zipf_picker(units: list[str], rng: random.Random) -> Callable[[int], list[str]]:
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(units))))
    return lambda k: rng.choices(units, cum_weights=cumulative, k=k)


def rows(
    first: int, last: int, rng: random.Random, vocab: dict[str, list[str]]
) -> list[tuple[Any, ...]]:
    """Articles ``first`` to ``last - 1`` (ids from ``first + 1``)."""
    pickers = {language: zipf_picker(units, rng) for language, units in vocab.items()}
    start = datetime(2025, 12, 1, tzinfo=UTC)
    out = []
    for n in range(first, last):
        language = LANGUAGES[n % len(LANGUAGES)]
        sep = " " if language in ("en", "ru") else ""
        pick = pickers[language]
        title = sep.join(pick(8 if sep else 16))
        paragraphs = [sep.join(pick(TEXT_UNITS[language] // 3)) for _ in range(3)]
        text = "\n\n".join(paragraphs)
        seen = start + timedelta(seconds=(n // TIES) * 30)
        duplicate_of = n - 7 if n % DUPLICATE_EVERY == 32 and n >= 7 else None
        out.append((n + 1, n % SOURCES + 1, f"https://s{n % SOURCES}.example/a/{n}", title, text,
                    hashlib.sha256(text.encode()).hexdigest(), 1, seen, seen, 0, language,
                    duplicate_of + 1 if duplicate_of is not None else None))  # fmt: skip
    return out


async def fill(
    db_url: str, count: int, distinct: int | None = None, *, search: bool = True
) -> None:
    from sqlalchemy import text

    from benchmarks._replicate import (
        SEARCH_INDEX,
        build_search_index,
        replicate,
        reset_article_ids,
        write_rows,
    )
    from storage.engine import create_engine, is_sqlite
    from storage.migrate import upgrade
    from storage.repository import SourceSpec, Store
    from storage.search_repo import index_body

    engine = create_engine(db_url)
    await upgrade(engine)
    store = Store(engine)
    await store.sync_sources([
        SourceSpec(name=f"source-{i}", url=f"https://s{i}.example/", kind="auto",
                   tags=("even",) if i % 2 == 0 else ("odd",))
        for i in range(SOURCES)
    ])  # fmt: skip
    async with engine.connect() as connection:
        existing = (await connection.execute(text("SELECT count(*) FROM articles"))).scalar_one()
    if existing >= count:
        print(f"reusing {existing:,} stored articles", flush=True)
        await store.aclose()
        return
    if existing:
        raise SystemExit(f"the database holds {existing:,} articles, not {count:,}: use another")
    rng = random.Random(16)
    vocab = vocabulary(rng)
    sqlite = is_sqlite(db_url)
    print(f"loading {count:,} articles ...", flush=True)
    began = time.perf_counter()
    chunk = 20_000
    async with engine.begin() as connection:
        if not sqlite:
            # The search index is built once at the end (one sort), as migration 0011 does.
            await connection.execute(text(f"DROP INDEX IF EXISTS {SEARCH_INDEX}"))
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
        raw = (await connection.get_raw_connection()).driver_connection
        distinct = min(count, distinct or count)
        for first in range(0, distinct, chunk):
            batch = rows(first, min(distinct, first + chunk), rng, vocab)
            # The search index rows, as the write path stores them.
            index = [(r[0], index_body(r[3], r[4])) for r in batch] if search else []
            if sqlite:
                batch = [(*r[:7], _sqlite_time(r[7]), _sqlite_time(r[8]), *r[9:]) for r in batch]
            await write_rows(raw, sqlite=sqlite, columns=_COLUMNS, rows=batch, index=index)
            print(f"  {first + len(batch):,}", end="\r", flush=True)
        span = timedelta(seconds=distinct // TIES * 30)
        await replicate(connection, distinct=distinct, count=count, span=span, columns=_COLUMNS)
        if not sqlite:
            await build_search_index(connection)
            await reset_article_ids(connection)
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("ANALYZE"))
    print(f"  loaded in {time.perf_counter() - began:.0f} s", flush=True)
    await store.aclose()


def _sqlite_time(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")  # as SQLAlchemy


def cases(vocab: dict[str, list[str]]) -> list[tuple[str, str]]:
    frequent, rare = vocab["en"][20], vocab["en"][2000]
    han_pair = vocab["zh"][5] + vocab["zh"][9]
    return [
        ("feed: Atom, newest 50", "/feeds/atom.xml"),
        ("feed: JSON Feed, one source", "/feeds/feed.json?source=source-7"),
        ("feed: Atom, one language (ko)", "/feeds/atom.xml?language=ko"),
        ("API: first page of 50", "/api/articles?limit=50"),
        ("API: page 20 (cursor)", "CURSOR"),
        ("API: tag filter", "/api/articles?tag=even&limit=50"),
        (f"search: frequent word ({frequent})", f"/api/articles?q={frequent}"),
        (f"search: rare word ({rare})", f"/api/articles?q={rare}"),
        ("search: two Han characters", f"/api/articles?q={han_pair}"),
        ("topic: 3 terms", "/api/articles?topic=bench"),
    ]


async def measure(db_url: str, requests: int, *, search: bool = True) -> None:
    import httpx

    from scraper.config.types import Config, Topic
    from scraper.web import create_app
    from storage.engine import open_existing

    vocab = vocabulary(random.Random(16))
    topic = Topic("bench", (vocab["en"][300], vocab["ru"][300], vocab["zh"][40]))
    engine = open_existing(db_url, read_only=True)
    app = create_app(engine, lambda: Config(topics=(topic,)))
    transport = httpx.ASGITransport(app=app)
    results = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        cursor_path = await _deep_cursor(client, pages=20)
        for name, path in cases(vocab):
            if not search and name.startswith(("search", "topic")):
                continue
            path = cursor_path if path == "CURSOR" else path
            times, cpu = [], 0.0
            for i in range(requests + 2):
                began, began_cpu = time.perf_counter(), time.process_time()
                response = await client.get(path)
                elapsed = (time.perf_counter() - began) * 1e3
                if response.status_code != 200:
                    raise SystemExit(f"{path}: {response.status_code} {response.text[:200]}")
                if i >= 2:
                    times.append(elapsed)
                    cpu += time.process_time() - began_cpu
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            results.append((name, statistics.median(times), p95, cpu / requests * 1e3,
                            len(response.content)))  # fmt: skip
            print(f"  {name}: p50 {results[-1][1]:.1f} ms", flush=True)
    await engine.dispose()
    # CPU: this process's (app, driver and client); PostgreSQL's own work is not in it.
    print("\n| case | p50 ms | p95 ms | CPU ms | body KB |\n|---|---:|---:|---:|---:|")
    for name, p50, p95, cpu_ms, size in results:
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {cpu_ms:.1f} | {size / 1024:.0f} |")


async def _deep_cursor(client: Any, pages: int) -> str:
    path = "/api/articles?limit=50"
    for _ in range(pages - 1):  # (or the last page, with fewer articles)
        cursor = (await client.get(path)).json()["next_cursor"]
        if cursor is None:
            break
        path = f"/api/articles?limit=50&cursor={cursor}"
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", help="database URL (default: a SQLite file in a temp dir)")
    parser.add_argument("--requests", type=int, default=100, help="requests per case")
    parser.add_argument(
        "--distinct", type=int, default=None,
        help="generate this many articles (a multiple of 50), then copy them in the "
        "database up to --articles (see benchmarks/_replicate.py)",
    )  # fmt: skip
    parser.add_argument(
        "--no-search", action="store_true",
        help="leave the search index empty and skip the search and topic cases (the "
        "trigram index of a million articles takes hours to build on a busy machine)",
    )  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.db or f"sqlite:///{Path(tmp) / 'read.db'}"
        asyncio.run(fill(db_url, args.articles, args.distinct, search=not args.no_search))
        print(f"{args.articles:,} articles on {db_url.split(':', 1)[0]}; "
              f"{args.requests} requests per case", flush=True)  # fmt: skip
        asyncio.run(measure(db_url, args.requests, search=not args.no_search))


if __name__ == "__main__":
    main()
