"""The read side's two search plans (storage/read_repo.py: walk newest first and test each
row, or collect the index's matches and sort them) give the same articles in the same
order as each other, as the planner's choice between them, and as a plain Python reading
of the stored texts: over common, rare, absent and CJK two-character words, several
words, topics, source and language filters, page sizes that make the planner walk, fall
back and take the index, and keyset pages across tied timestamps. On a real SQLite file
and a real PostgreSQL database, articles stored by the real write path."""

from __future__ import annotations

import hashlib
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from scraper.topics import document, normalize
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.read_repo import ArticleFilter, PageKey, ReadRepo, SearchPlan, _needles_of
from storage.repository import ArticleInput, CheckPlan, SourceSpec, Store

Stored = tuple["ReadRepo", dict[int, tuple[str, str, str, datetime]]]
T0 = datetime(2026, 3, 1, tzinfo=UTC)
WORDS = ["tumen", "river", "forum", "port", "rail", "bridge", "trade", "visa", "ferry", "zone"]
HAN = "图们江区域合作开发"
COUNT = 150


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _article(rng: random.Random, n: int) -> tuple[str, str, str]:
    """(language, title, text): words drawn with falling frequencies, so that some match
    most articles, some a few, some none; Chinese ones carry a run of Han characters."""
    weights = [1 / (rank + 1) ** 1.5 for rank in range(len(WORDS))]
    words = rng.choices(WORDS, weights, k=rng.randint(1, 6))
    language = ("en", "zh", "ru")[n % 3]
    text = " ".join(words)
    if language == "zh":
        text += " " + "".join(rng.choices(HAN, k=rng.randint(2, 5)))
    return language, f"Item {n}", text


@pytest.fixture
async def stored(db_url: str) -> AsyncIterator[Stored]:
    """The repo over COUNT articles (three per instant), and each one's
    (source, language, normalized document, first seen)."""
    engine = create_engine(db_url)
    await upgrade(engine)
    clock = Clock()
    store = Store(engine, clock=clock)
    ids = await store.sync_sources(
        [SourceSpec(name=f"s{i}", url=f"https://s{i}.example/", kind="auto") for i in range(3)]
    )
    rng = random.Random(16)
    expected = {}
    for n in range(COUNT):
        clock.now = T0 + timedelta(minutes=n // 3)
        language, title, text = _article(rng, n)
        source = f"s{n % 3 if n % 5 else 0}"
        item = ArticleInput(
            url=f"https://{source}.example/{n}", title=title, text=text, language=language,
            content_hash=hashlib.sha256(f"{n}{text}".encode()).hexdigest(),
        )  # fmt: skip
        saved = await store.save_article(
            source_id=ids[source], source_name=source, item=item,
            plan=CheckPlan(next_check_at=None), router=lambda _type: (),
        )  # fmt: skip
        expected[saved.article_id] = (source, language, document(title, text), clock.now)
    await store.aclose()
    repo = ReadRepo(create_engine(db_url))
    yield repo, expected
    await repo.aclose()


def _oracle(articles: dict[int, tuple[str, str, str, datetime]], where: ArticleFilter) -> list[int]:
    words = [w for w in normalize(where.query or "").split(" ") if w]
    terms = [t for t in (normalize(t) for t in where.topic_terms or ()) if t]
    found = [
        (seen, article_id)
        for article_id, (source, language, doc, seen) in articles.items()
        if all(w in doc for w in words)
        and (where.topic_terms is None or any(t in doc for t in terms))
        and where.source in (None, source)
        and where.language in (None, language)
    ]
    return [article_id for _, article_id in sorted(found, reverse=True)]


async def _pages(repo: ReadRepo, where: ArticleFilter, limit: int, plan: SearchPlan) -> list[int]:
    """The ids of the first pages (at most eight) of a listing, paged by key."""
    ids: list[int] = []
    after: PageKey | None = None
    for _ in range(8):
        page = await repo.list_articles(where, limit=limit, after=after, plan=plan)
        ids += [a.id for a in page]
        if len(page) < limit:
            break
        after = page[-1].key
    return ids


FILTERS = [
    ArticleFilter(query="tumen"),  # in most articles
    ArticleFilter(query="river"),
    ArticleFilter(query="ferry"),  # in a few
    ArticleFilter(query="zone"),
    ArticleFilter(query="tumen river"),  # every word
    ArticleFilter(query="们江"),  # two Han characters inside a run
    ArticleFilter(query="合"),  # one character: not in the index
    ArticleFilter(query="qqqq"),  # nowhere
    ArticleFilter(query="tumen", source="s0"),
    ArticleFilter(query="river", language="zh"),
    ArticleFilter(topic_terms=("ferry", "zone", "开发")),
    ArticleFilter(topic_terms=("tumen", "rail")),
    ArticleFilter(query="river", topic_terms=("port", "区域")),
    ArticleFilter(topic_terms=()),
]


async def test_both_plans_and_the_planner_give_the_same_pages(stored: Stored) -> None:
    repo, articles = stored
    sizes = [len(_oracle(articles, where)) for where in FILTERS]
    for limit in (1, 4, 9):
        # Searches on both sides of the planner's choices: more matches than its first
        # walk needs for a page (it answers), and fewer (it walks on, or the index answers).
        assert max(sizes) > 4 * limit > min(size for size in sizes if size)
        for where, size in zip(FILTERS, sizes, strict=True):
            expected = _oracle(articles, where)[: 8 * limit]
            for plan in ("auto", "walk", "index"):
                found = await _pages(repo, where, limit, plan)
                assert found == expected, (where, limit, plan, size)


async def test_a_walk_that_runs_out_of_budget_falls_back_to_the_index(stored: Stored) -> None:
    """A word in few articles, with a page size that makes the index count inconclusive:
    the walk's budget ends before a page is found, and the index plan answers."""
    repo, articles = stored
    where = ArticleFilter(query="zone")
    matches = _oracle(articles, where)
    limit = len(matches) // 4 + 1  # 4 × limit > matches: still, force the walk path
    assert 0 < len(matches) < COUNT // 4
    async with repo.reading() as connection:
        conditions = await repo._conditions(connection, where, limit)
        assert conditions is not None
        needles = _needles_of(where)
        walked, settled = await repo._walk(connection, conditions, needles, limit, budget=limit)
        whole, complete = await repo._walk(connection, conditions, needles, limit, budget=None)
    assert not settled
    assert len(walked) < limit
    assert complete
    assert [a.id for a in whole] == matches[:limit]
    assert [a.id for a in await repo.list_articles(where, limit=limit)] == matches[:limit]


async def test_a_common_word_is_answered_by_a_short_walk_without_the_index(
    stored: Stored,
) -> None:
    """A word in most articles fills its page within the planner's first, short walk: no
    statement reads the trigram index (whose cost, for common trigrams, is reading their
    long posting lists) or counts anything."""
    repo, articles = stored
    where = ArticleFilter(query="tumen")
    sent: list[str] = []

    def capture(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    event.listen(repo.engine.sync_engine, "before_cursor_execute", capture)
    try:
        found = await repo.list_articles(where, limit=4)
    finally:
        event.remove(repo.engine.sync_engine, "before_cursor_execute", capture)
    assert [a.id for a in found] == _oracle(articles, where)[:4]
    queries = [s.lower() for s in sent if s.lstrip().upper().startswith("SELECT")]
    walks = [q for q in queries if "strpos(" in q or "instr(" in q]
    assert len(walks) == 1, queries
    index_reads = [q for q in queries if " like " in q or " match " in q or "count(" in q]
    assert index_reads == [], index_reads
