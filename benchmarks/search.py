"""Full-text search latency and index cost with many articles stored.

    .venv/bin/python benchmarks/search.py --articles 100000 --db sqlite:////tmp/search.db
    .venv/bin/python benchmarks/search.py --articles 1000000 --db postgresql://…/db

The database is migrated, then filled once by a bulk loader with N articles (a database
that already holds N articles is reused as it is: build once, measure many times). Texts
are generated per language from the hand-written articles of ``tests/dedup/pairs`` (six
languages) and, for English, the real article bodies of ``shared/benchmarks/extraction``
when present: a character Markov chain (order 2) for Chinese and Japanese, a word chain
(order 1) for Korean, Russian, Mongolian and English, so that texts are all different but
their character and word statistics are those of real news. Mix: zh 25%, ko 20%, ja 15%,
ru 15%, mn 5%, en 20%; lengths log-normal around 1,200 characters. Each article's index
row is ``storage.search_repo.index_body`` of its title and text, as the write path
stores it.

Queries are what a reader types: a two-character Chinese, Japanese or Korean word cut from
a stored text, a longer word or a two-word phrase, a rare string (cut from one text), and
a string found nowhere. Each runs as the read side runs it: ``ReadRepo.list_articles``
asks for the newest page of 50 originals that match, planned per query (``--plan walk``
or ``index`` forces one plan). Reported: p50 and p95 per kind and overall, the load
average, and the index's bytes per article.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scraper.dedup import content_hash
from storage.search_repo import SEARCH_TABLE, SIGNATURE_TABLE, index_body
from tests.dedup.pairs.generate import load, sentences_of

MIX = {"zh": 0.25, "ko": 0.20, "ja": 0.15, "ru": 0.15, "mn": 0.05, "en": 0.20}
CHAR_CHAINS = frozenset({"zh", "ja"})
EXTRACTION = Path(__file__).resolve().parents[2] / "shared/benchmarks/extraction/dev"
PAGE = 50
_WORD = re.compile(r"\S+")


# Texts ------------------------------------------------------------------------------------


class Chain:
    """A Markov chain over characters (order 2) or words (order 1) of one language."""

    def __init__(self, language: str, texts: list[str]) -> None:
        self.by_char = language in CHAR_CHAINS
        self.next: dict[tuple[str, ...], list[str]] = defaultdict(list)
        self.starts: list[tuple[str, ...]] = []
        order = 2 if self.by_char else 1
        for text in texts:
            units = list(text) if self.by_char else _WORD.findall(text)
            for i in range(len(units) - order):
                key = tuple(units[i : i + order])
                if i == 0 or units[i - 1] in "。.!?！？":
                    self.starts.append(key)
                self.next[key].append(units[i + order])
        self.order = order

    def text(self, length: int, rng: random.Random) -> str:
        units = list(rng.choice(self.starts))
        size = sum(map(len, units))
        while size < length:
            options = self.next.get(tuple(units[-self.order :]))
            unit = rng.choice(options) if options else "\n\n"
            if not options:
                units += list(rng.choice(self.starts))
            units.append(unit)
            size += len(unit) + (0 if self.by_char else 1)
        return ("" if self.by_char else " ").join(units).strip()


def corpora() -> dict[str, Chain]:
    chains = {}
    for language in MIX:
        corpus = load(language)
        texts = [text for _, text in corpus.articles.values()] + corpus.sentences + corpus.short
        if language == "en" and (EXTRACTION / "ground-truth.json").exists():
            truth = json.loads((EXTRACTION / "ground-truth.json").read_text())
            texts += [str(v.get("articleBody", "")) for v in truth.values() if isinstance(v, dict)]
        chains[language] = Chain(language, [t for t in texts if t])
    return chains


PARAGRAPHS = 4000  # generated per language; an article joins a few of them


class Texts:
    """Paragraphs generated once per language (the chains are slow), joined a few at a
    time into articles: every article differs, paragraphs repeat like boilerplate does."""

    def __init__(self, rng: random.Random, paragraphs: int = PARAGRAPHS) -> None:
        self.pools: dict[str, list[str]] = {}
        self.titles: dict[str, list[str]] = {}
        for language, chain in corpora().items():
            size = 160 if chain.by_char else 320
            self.pools[language] = [chain.text(size, rng) for _ in range(paragraphs)]
            self.titles[language] = [
                sentences_of(chain.text(size // 5, rng))[0][:120] for _ in range(paragraphs)
            ]

    def article(self, language: str, rng: random.Random) -> tuple[str, str]:
        length = int(min(8000, max(200, rng.lognormvariate(math.log(1200), 0.6))))
        pool = self.pools[language]
        count = max(1, round(length / (len(pool[0]) * (2 if language in CHAR_CHAINS else 1))))
        body = "\n\n".join(rng.sample(pool, min(count, 24)))
        return rng.choice(self.titles[language]), body


# Loading ----------------------------------------------------------------------------------

_COLUMNS = ("id", "source_id", "url", "title", "text", "language", "content_hash", "version",
            "first_seen_at", "updated_at", "check_count")  # fmt: skip


async def fill(engine: Any, count: int, rng: random.Random, paragraphs: int, distinct: int) -> None:
    from sqlalchemy import text

    from benchmarks._replicate import (
        SEARCH_INDEX,
        build_search_index,
        replicate,
        reset_article_ids,
        write_rows,
    )

    sqlite = engine.dialect.name == "sqlite"
    texts = Texts(rng, paragraphs)
    languages, weights = zip(*MIX.items(), strict=True)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    chunk = 5_000
    async with engine.begin() as connection:
        await connection.execute(text(
            "INSERT INTO sources (id, name, url, kind, enabled, tags, consecutive_failures, "
            "failing, created_at) VALUES (1, 'bench', 'https://b.org/', 'auto', true, '[]', 0, "
            "false, :now)"
        ), {"now": start})  # fmt: skip
        if not sqlite:
            await connection.execute(text(f"DROP INDEX IF EXISTS {SEARCH_INDEX}"))
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
        raw = (await connection.get_raw_connection()).driver_connection
        distinct = min(distinct, count)
        for first in range(0, distinct, chunk):
            rows, index = [], []
            for n in range(first, min(distinct, first + chunk)):
                language = rng.choices(languages, weights)[0]
                title, body = texts.article(language, rng)
                seen = start + timedelta(seconds=n * 30)
                rows.append((n + 1, 1, f"https://b.org/{n}", title, body, language,
                             content_hash(body), 1, seen, seen, 0))  # fmt: skip
                index.append((n + 1, index_body(title, body)))
            if sqlite:
                rows = [(*r[:8], r[8].isoformat(), r[9].isoformat(), r[10]) for r in rows]
            await write_rows(raw, sqlite=sqlite, columns=_COLUMNS, rows=rows, index=index)
            print(f"  {min(distinct, first + chunk):,} articles", end="\r", flush=True)
        print()
        await replicate(connection, distinct=distinct, count=count,
                        span=timedelta(seconds=distinct * 30), columns=_COLUMNS)  # fmt: skip
        if not sqlite:
            await build_search_index(connection)
            await reset_article_ids(connection)
    if sqlite:
        async with engine.begin() as connection:
            await connection.execute(
                text(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('optimize')")
            )
    else:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))


async def index_bytes(engine: Any) -> tuple[int, int]:
    """(bytes of the search index, of everything else) in the database."""
    from sqlalchemy import text

    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = (
                await connection.execute(text("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
            ).all()
            search = sum(int(size) for name, size in rows if name.startswith(SEARCH_TABLE))
            return search, sum(int(size) for _, size in rows) - search
        # The trigram index and the signatures beside it (migration 0014).
        search = (await connection.execute(
            text(f"SELECT pg_total_relation_size('{SEARCH_TABLE}') + "
                 f"coalesce(pg_total_relation_size(to_regclass('{SIGNATURE_TABLE}')), 0)")
        )).scalar_one()  # fmt: skip
        articles = (await connection.execute(
            text("SELECT pg_total_relation_size('articles')")
        )).scalar_one()  # fmt: skip
        return int(search), int(articles)


# Queries ----------------------------------------------------------------------------------


async def queries(
    engine: Any, count: int, rng: random.Random, per_kind: int
) -> dict[str, list[str]]:
    """Queries of each kind, cut from texts stored at random."""
    from sqlalchemy import text

    picked: dict[str, list[str]] = defaultdict(list)
    async with engine.connect() as connection:
        while min((len(picked[k]) for k in KINDS), default=0) < per_kind:
            row = (await connection.execute(
                text("SELECT text, language FROM articles WHERE id = :id"),
                {"id": rng.randint(1, count)},
            )).one()  # fmt: skip
            body, language = row.text, row.language
            if language in ("zh", "ja", "ko"):
                runs = re.findall(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]{2,}", body)
                if runs:
                    run = rng.choice(runs)
                    i = rng.randrange(len(run) - 1)
                    _add(picked, "cjk-2", run[i : i + 2], per_kind)
                    if len(run) >= 6:
                        i = rng.randrange(len(run) - 5)
                        _add(picked, "rare", run[i : i + 6], per_kind)
            words = [w.strip(".,;:()\"'") for w in body.split()]
            words = [w for w in words if len(w) >= 4]
            if len(words) >= 2 and language not in ("zh", "ja"):
                _add(picked, "word", rng.choice(words), per_kind)
                i = rng.randrange(len(words) - 1)
                _add(picked, "two-words", f"{words[i]} {words[i + 1]}", per_kind)
            absent = "".join(rng.choice("qxzjvkw") for _ in range(7))
            _add(picked, "absent", absent, per_kind)
    return picked


KINDS = ("cjk-2", "word", "two-words", "rare", "absent")


def _add(picked: dict[str, list[str]], kind: str, query: str, limit: int) -> None:
    if len(picked[kind]) < limit and query.strip():
        picked[kind].append(query)


async def measure(engine: Any, picked: dict[str, list[str]], plan: str) -> dict[str, list[float]]:
    from storage.read_repo import ArticleFilter, ReadRepo

    repo = ReadRepo(engine)
    timings: dict[str, list[float]] = defaultdict(list)
    for kind, batch in picked.items():
        for query in batch:
            began = time.perf_counter()
            await repo.list_articles(ArticleFilter(query=query), limit=PAGE, plan=plan)
            timings[kind].append((time.perf_counter() - began) * 1000)
    return timings


async def database_times(engine: Any, picked: dict[str, list[str]]) -> dict[str, list[float]]:
    """PostgreSQL's own execution time (EXPLAIN ANALYZE) of the statements each planned
    search sent, summed per search: a figure that a loaded machine inflates far less
    than the wall time (no client, driver or scheduling wait in it)."""
    from sqlalchemy import event

    from storage.read_repo import ArticleFilter, ReadRepo

    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "SET")):
            sent.append((statement, parameters))

    repo = ReadRepo(engine)
    timings: dict[str, list[float]] = defaultdict(list)
    for kind, batch in picked.items():
        for query in batch:
            sent.clear()
            event.listen(engine.sync_engine, "before_cursor_execute", capture)
            try:
                await repo.list_articles(ArticleFilter(query=query), limit=PAGE)
            finally:
                event.remove(engine.sync_engine, "before_cursor_execute", capture)
            total = 0.0
            async with engine.connect() as connection:
                raw = (await connection.get_raw_connection()).driver_connection
                for statement, parameters in list(sent):
                    if statement.lstrip().upper().startswith("SET"):
                        # The raw connection is outside a transaction: for this session.
                        await raw.execute(statement.replace("SET LOCAL", "SET", 1))
                        continue
                    plan = await raw.fetchval(
                        "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, *parameters
                    )
                    plan = json.loads(plan) if isinstance(plan, str) else plan
                    total += plan[0]["Execution Time"]
                await raw.execute("RESET ALL")
            timings[kind].append(total)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


async def run(
    db: str,
    count: int,
    per_kind: int,
    seed: int,
    paragraphs: int,
    distinct: int,
    plan: str,
    explain: bool,
) -> None:
    from sqlalchemy import func, select

    from storage.engine import create_engine
    from storage.migrate import upgrade
    from storage.models import ArticleRow

    engine = create_engine(db)
    await upgrade(engine)
    async with engine.connect() as connection:
        stored = (
            await connection.execute(select(func.count()).select_from(ArticleRow))
        ).scalar_one()
    if stored not in (0, count):
        raise SystemExit(f"{db} holds {stored:,} articles, not {count:,}: use another database")
    if stored == 0:
        began = time.perf_counter()
        await fill(engine, count, random.Random(seed), paragraphs, distinct)
        print(f"loaded {count:,} articles in {time.perf_counter() - began:.0f} s")
    rng = random.Random(seed + 1)
    picked = await queries(engine, count, rng, per_kind)
    # warm the caches a little
    await measure(engine, {k: v[:3] for k, v in picked.items()}, plan)
    timings = await measure(engine, picked, plan)
    if explain and engine.dialect.name == "postgresql":
        own = await database_times(engine, picked)
        print("PostgreSQL execution time (EXPLAIN ANALYZE), summed over each search's statements")
        for kind in KINDS:
            if own.get(kind):
                print(f"{kind:<10} {len(own[kind]):>4} {statistics.median(own[kind]):>8.1f} "
                      f"{percentile(own[kind], 0.95):>8.1f} {max(own[kind]):>8.1f}")  # fmt: skip
    search, rest = await index_bytes(engine)
    print(f"{engine.dialect.name}, {count:,} articles, newest {PAGE} matches per query, "
          f"plan {plan}, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{'kind':<10} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  example")
    everything = []
    for kind in KINDS:
        values = timings.get(kind, [])
        if not values:
            continue
        everything += values
        example = picked[kind][0]
        print(f"{kind:<10} {len(values):>4} {statistics.median(values):>8.1f} "
              f"{percentile(values, 0.95):>8.1f} {max(values):>8.1f}  {example!r}")  # fmt: skip
    print(f"{'all':<10} {len(everything):>4} {statistics.median(everything):>8.1f} "
          f"{percentile(everything, 0.95):>8.1f} {max(everything):>8.1f}")  # fmt: skip
    other = "articles table" if engine.dialect.name == "postgresql" else "rest of the file"
    print(
        f"index: {search / count:,.0f} bytes per article ({search / 2**20:,.0f} MiB); "
        f"{other}: {rest / count:,.0f} bytes per article"
    )
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database URL (filled once, then reused)")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=40, help="queries of each kind")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--paragraphs", type=int, default=PARAGRAPHS, help="paragraphs generated per language"
    )
    parser.add_argument(
        "--distinct", type=int, default=None,
        help="generate this many articles, then copy them in the database up to --articles "
        "(default: all generated; see benchmarks/_replicate.py)",
    )  # fmt: skip
    parser.add_argument(
        "--plan", choices=("auto", "walk", "index"), default="auto",
        help="the read side's choice per query (auto), or always one plan",
    )  # fmt: skip
    parser.add_argument(
        "--explain", action="store_true",
        help="PostgreSQL: also report the database's own time per search (EXPLAIN ANALYZE)",
    )  # fmt: skip
    args = parser.parse_args()
    distinct = args.distinct or args.articles
    asyncio.run(run(args.db, args.articles, args.queries, args.seed, args.paragraphs, distinct,
                    args.plan, args.explain))  # fmt: skip


if __name__ == "__main__":
    main()
