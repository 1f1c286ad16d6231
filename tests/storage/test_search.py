"""Full-text search (storage/search_repo.py) on a real SQLite file and a real PostgreSQL
database, through the real migrations and the real article write path: substrings inside
runs of Han and Hangul, Japanese, Cyrillic, width and case folding, hostile query syntax,
the index kept in the article's own transaction, the back-fill of migration 0011; and the
conditions checked against a plain Python reading of "contains" on texts and queries they
were not written for."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import Any, cast

import pytest
from sqlalchemy import ColumnElement, Table, func, select, text

from scraper.topics import document, normalize
from storage.article_writes import write_batch
from storage.engine import create_engine
from storage.migrate import current_revision, upgrade
from storage.models import ArticleRow
from storage.repository import ArticleInput, ArticleWrite, CheckPlan, SourceSpec, Store
from storage.search_repo import SEARCH_TABLE, search_condition, topic_condition
from tests.sites import CHINESE_BODY, ENGLISH_BODY, KOREAN_BODY
from tests.storage.migration_rows import downgrade_on, insert_article, insert_source
from tests.support.texts import story

ARTICLES = cast(Table, ArticleRow.__table__)
PLAN = CheckPlan(next_check_at=None)

# title, text: one story each in five languages, written the way pages write them.
STORIES = {
    "zh": ("图们江区域合作", "中国图们江地区合作开发规划纲要正式实施，吉林省推进对外开放。"),
    "ko": ("두만강 하구 협력", "두만강하구 지역에서 남북 협력 사업이 논의되었다. 50% 증가."),
    "ja": ("豆満江流域の開発", "日本海側の自治体が豆満江流域の開発について議論した。ﾃｽﾄ運用。"),
    "ru": ("Туманная", "Совещание по развитию района реки Туманная прошло во Владивостоке."),
    "en": (
        "ＴＵＭＥＮ Programme",
        "The Tumen River Area Development Programme met in Ulaanbaatar.",
    ),
    "de": ("Straße", "Die GROSSE Straße nach Norden; a_c und abc, Pfad C:\\temp."),
}


def _item(url: str, title: str, body: str) -> ArticleInput:
    return ArticleInput(
        url=url, title=title, text=body, content_hash=hashlib.sha256(body.encode()).hexdigest()
    )


def _no_channels(_event_type: str) -> tuple[str, ...]:
    return ()


async def _source(store: Store) -> int:
    ids = await store.sync_sources([SourceSpec(name="s", url="https://e.org/", kind="auto")])
    return ids["s"]


async def _save(store: Store, sid: int, url: str, title: str, body: str) -> int:
    result = await store.save_article(
        source_id=sid, source_name="s", item=_item(url, title, body), plan=PLAN,
        router=_no_channels,
    )  # fmt: skip
    return result.article_id


async def _ids(store: Store, condition: ColumnElement[bool], *more: Any) -> set[int]:
    async with store.reading() as connection:
        rows = await connection.execute(select(ARTICLES.c.id).where(condition, *more))
        return {row.id for row in rows}


def _dialect(store: Store) -> str:
    return store.engine.dialect.name


async def _stories(store: Store) -> dict[str, int]:
    sid = await _source(store)
    return {
        lang: await _save(store, sid, f"https://e.org/{lang}", title, body)
        for lang, (title, body) in STORIES.items()
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("们江", {"zh"}),  # two Han characters inside a run
        ("江地", {"zh"}),
        ("만강", {"ko"}),  # two Hangul syllables inside a word
        ("강하", {"ko"}),  # across the word's particle-less join in 두만강하구
        ("満江", {"ja"}),
        ("江", {"zh", "ja"}),  # one character: found too (by a scan)
        ("テスト", {"ja"}),  # stored half-width ﾃｽﾄ
        ("ﾃｽﾄ", {"ja"}),
        ("туманн", {"ru"}),
        ("ТУМАННАЯ", {"ru"}),
        ("ＴＵＭＥＮ", {"en"}),  # full width finds plain ASCII
        ("tumen", {"en"}),  # and plain ASCII the full-width title
        ("umen riv", {"en"}),  # every word, no word boundaries
        ("tumen 合作", set()),
        ("strasse", {"de"}),  # case folding: ß is ss
        ("GROSSE", {"de"}),
        ("50%", {"ko"}),  # % and _ are characters, not wildcards
        ("a_c", {"de"}),
        ("%", {"ko"}),
        ("_", {"de"}),
        ("c:\\temp", {"de"}),
        ("   ", {"zh", "ko", "ja", "ru", "en", "de"}),  # no words: no narrowing
    ],
)
async def test_search_finds_substrings_in_any_script(
    store: Store, query: str, expected: set[str]
) -> None:
    ids = await _stories(store)
    found = await _ids(store, search_condition(_dialect(store), query))
    assert found == {ids[lang] for lang in expected}


HOSTILE = [
    '"a OR b* NEAR(',
    "tumen OR 合作",
    "NEAR(tumen river)",
    "body:tumen",
    "{body}: x",
    "tumen*",
    "^tumen",
    "-tumen",
    '"',
    '""',
    "'; DROP TABLE articles; --",
    "AND",
    "\\",
    "\x00",
    "\ue000们江\ue000",
    "们\ue000江",
]


@pytest.mark.parametrize("query", HOSTILE)
async def test_hostile_query_syntax_is_text(store: Store, query: str) -> None:
    ids = await _stories(store)
    by_id = {ids[lang]: document(*STORIES[lang]) for lang in STORIES}
    found = await _ids(store, search_condition(_dialect(store), query))
    assert found == _oracle_all(by_id, query)
    assert await _count(store) == len(STORIES)  # and nothing was dropped


async def _count(store: Store) -> int:
    async with store.reading() as connection:
        return int(
            (await connection.execute(select(func.count()).select_from(ARTICLES))).scalar_one()
        )


def _oracle_all(by_id: dict[int, str], query: str) -> set[int]:
    words = [w for w in normalize(query).split(" ") if w]
    return {i for i, doc in by_id.items() if all(w in doc for w in words)}


def _oracle_any(by_id: dict[int, str], terms: Sequence[str]) -> set[int]:
    needles = [n for n in (normalize(t) for t in terms) if n]
    return {i for i, doc in by_id.items() if any(n in doc for n in needles)}


async def test_conditions_agree_with_plain_containment_on_random_queries(store: Store) -> None:
    """Stored texts of every fixture language and generated stories; queries cut at random
    from them (1 to 6 characters, one or two words, case and width changed), and random
    strings with the query languages' special characters."""
    sid = await _source(store)
    rng = random.Random(16)
    texts = [*STORIES.values()]
    texts += [(f"Story {n}", story(n)) for n in range(12)]
    texts += [("", p) for p in (*CHINESE_BODY, *KOREAN_BODY, *ENGLISH_BODY)]
    by_id = {}
    for n, (title, body) in enumerate(texts):
        by_id[await _save(store, sid, f"https://e.org/r{n}", title, body)] = document(title, body)
    docs = list(by_id.values())
    queries = []
    for _ in range(60):
        doc = rng.choice(docs)
        size = rng.randint(1, 6)
        start = rng.randrange(max(1, len(doc) - size))
        cut = doc[start : start + size]
        queries.append(
            rng.choice([cut, cut.upper(), _full_width(cut), cut + " " + rng.choice(docs)[:3]])
        )
    alphabet = 'ab江们강하"*()%_\\:^-{} '
    queries += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(30)]
    dialect = _dialect(store)
    for query in queries:
        assert await _ids(store, search_condition(dialect, query)) == _oracle_all(by_id, query), (
            query
        )
    for n in range(0, len(queries) - 2, 3):
        terms = queries[n : n + 3]
        assert await _ids(store, topic_condition(dialect, terms)) == _oracle_any(by_id, terms), (
            terms
        )


def _full_width(value: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)


async def test_topic_condition_matches_any_term(store: Store) -> None:
    ids = await _stories(store)
    dialect = _dialect(store)
    terms = ["Tumen", "图们江", "두만강", "豆満江", "Туманная"]
    assert await _ids(store, topic_condition(dialect, terms)) == {
        ids[lang] for lang in ("zh", "ko", "ja", "ru", "en")
    }
    assert await _ids(store, topic_condition(dialect, ["们江"])) == {ids["zh"]}
    assert await _ids(store, topic_condition(dialect, ["river area"])) == {ids["en"]}
    assert await _ids(store, topic_condition(dialect, [])) == set()
    assert await _ids(store, topic_condition(dialect, ["  "])) == set()


async def test_search_combines_with_filters_and_keyset_pages(store: Store) -> None:
    sid = await _source(store)
    other = (await store.sync_sources([SourceSpec(name="o", url="https://o.org/", kind="auto")]))[
        "o"
    ]
    mine = [await _save(store, sid, f"https://e.org/{n}", f"图们江 {n}", "合作") for n in range(5)]
    await _save(store, other, "https://o.org/1", "图们江", "合作")
    await _save(store, sid, "https://e.org/none", "other", "text")
    cond = search_condition(_dialect(store), "们江 合作")
    pages: list[list[int]] = []
    cursor: int | None = None
    async with store.reading() as connection:
        while True:
            query = select(ARTICLES.c.id).where(cond, ARTICLES.c.source_id == sid)
            if cursor is not None:
                query = query.where(ARTICLES.c.id < cursor)
            rows = [
                r.id
                for r in await connection.execute(query.order_by(ARTICLES.c.id.desc()).limit(2))
            ]
            if not rows:
                break
            pages.append(rows)
            cursor = rows[-1]
    assert pages == [sorted(mine, reverse=True)[i : i + 2] for i in (0, 2, 4)]


async def test_search_finds_the_current_text_of_an_updated_article(store: Store) -> None:
    sid = await _source(store)
    dialect = _dialect(store)
    article = await _save(store, sid, "https://e.org/1", "图们江", "第一版内容")
    await _save(store, sid, "https://e.org/1", "두만강", "第二版内容")
    assert await _ids(store, search_condition(dialect, "们江")) == set()
    assert await _ids(store, search_condition(dialect, "第一")) == set()
    assert await _ids(store, search_condition(dialect, "만강 第二版")) == {article}
    assert await _index_rows(store) == 1


async def _index_rows(store: Store) -> int:
    async with store.reading() as connection:
        count = await connection.execute(text(f"SELECT count(*) FROM {SEARCH_TABLE}"))
        return int(count.scalar_one())


class Boom(Exception):
    pass


async def test_index_rows_are_written_in_the_articles_transaction(store: Store) -> None:
    """A transaction that fails after the article's writes leaves neither the article nor
    its index row; an update rolled back leaves the old text searchable."""
    sid = await _source(store)
    dialect = _dialect(store)
    kept = await _save(store, sid, "https://e.org/kept", "图们江", "旧内容")

    def write(url: str, title: str) -> ArticleWrite:
        return ArticleWrite(sid, "s", _item(url, title, "新内容"), PLAN, _no_channels)

    writes = [write("https://e.org/new", "豆満江"), write("https://e.org/kept", "两国")]
    with pytest.raises(Boom):
        await _write_then_fail(store, writes)
    assert await _count(store) == 1
    assert await _index_rows(store) == 1
    assert await _ids(store, search_condition(dialect, "満江")) == set()
    assert await _ids(store, search_condition(dialect, "们江 旧内")) == {kept}
    assert await _ids(store, search_condition(dialect, "新内")) == set()


async def _write_then_fail(store: Store, writes: list[ArticleWrite]) -> None:
    async with store.connection() as connection:
        await write_batch(
            connection, writes, now=store.clock(), near_duplicates=False,
            is_postgres=store.is_postgres,
        )  # fmt: skip
        inside = await connection.execute(text(f"SELECT count(*) FROM {SEARCH_TABLE}"))
        assert inside.scalar_one() == 2  # written, in this transaction
        raise Boom


async def test_migration_0011_back_fills_stored_articles_and_downgrades(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0010")
        async with engine.begin() as connection:
            await insert_source(connection)
            await insert_article(connection, 1, text="中国图们江地区合作开发", simhash=None)
            await insert_article(connection, 2, text="두만강하구 ＴＵＭＥＮ", simhash=None)
        await upgrade(engine, "0011")
        assert await current_revision(engine) == "0011"
        dialect = engine.dialect.name

        async def found(query: str) -> set[int]:
            async with engine.connect() as connection:
                rows = await connection.execute(
                    select(ARTICLES.c.id).where(search_condition(dialect, query))
                )
                return {row.id for row in rows}

        assert await found("们江") == {1}
        assert await found("만강 tumen") == {2}
        async with engine.begin() as connection:
            await connection.run_sync(downgrade_on, "0010")
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(sync.dialect.get_table_names(sync)))
        assert not {t for t in tables if t.startswith(SEARCH_TABLE)}
        await upgrade(engine)
        assert await found("们江") == {1}
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_a_c_locale_database_warns_and_still_finds_cjk(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Under LC_CTYPE C, pg_trgm sees no letters in Han or Hangul: the migration says so,
    and searches still answer correctly (by scanning)."""
    import uuid

    from tests.conftest import _admin, postgres_server_url

    server = postgres_server_url()
    name = f"nea_test_c_{uuid.uuid4().hex[:10]}"
    await _admin(
        server, f"CREATE DATABASE \"{name}\" LC_CTYPE 'C' LC_COLLATE 'C' TEMPLATE template0"
    )
    engine = create_engine(f"{server.rpartition('/')[0]}/{name}")
    try:
        with caplog.at_level("WARNING", logger="storage.migrate"):
            await upgrade(engine)
        assert "does not count CJK characters as letters" in caplog.text
        store = Store(engine)
        ids = await _stories(store)
        found = await _ids(store, search_condition("postgresql", "们江"))
        assert found == {ids["zh"]}
        assert await _ids(store, search_condition("postgresql", "만강")) == {ids["ko"]}
    finally:
        await engine.dispose()
        await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
