"""PostgreSQL's trigram signatures (storage.search_repo.signature, migration 0014): a row
that contains a string has every bit of the string's signature, so the walk's signature
test never loses a match, and it does exclude rows that lack a word. The write path
stores a signature with each index row and replaces it when the article changes; the
migration back-fills stored articles on PostgreSQL and does nothing on SQLite."""

from __future__ import annotations

import hashlib
import random

from sqlalchemy import Connection, inspect, text

from storage.engine import create_engine
from storage.migrate import current_revision, upgrade
from storage.read_repo import ArticleFilter, ReadRepo
from storage.repository import ArticleInput, CheckPlan, SourceSpec, Store
from storage.search_repo import (
    MARK,
    SEARCH_TABLE,
    SIGNATURE_BITS,
    SIGNATURE_TABLE,
    index_body,
    signature,
)
from tests.storage.migration_rows import downgrade_on, insert_article, insert_source

# Characters of every script the index meets, the pair mark and white space.
ALPHABET = "tumenrivТуманная图们江区域合作두만강하구豆満江の開発ﾃｽﾄ " + MARK + "\n"


def _covers(outer: str, inner: str) -> bool:
    return all(o == "1" for o, i in zip(outer, inner, strict=True) if i == "1")


def test_a_row_has_every_bit_of_each_string_it_contains() -> None:
    rng = random.Random(14)
    for _ in range(300):
        body = "".join(rng.choices(ALPHABET, k=rng.randint(0, 400)))
        bits = signature(body)
        assert len(bits) == SIGNATURE_BITS
        for _ in range(20):
            start = rng.randrange(len(body) + 1)
            needle = body[start : start + rng.randint(1, 12)]
            assert _covers(bits, signature(needle)), (body, needle)


def test_a_signature_excludes_most_rows_that_lack_a_word() -> None:
    rng = random.Random(15)
    word = "ferry"
    lacking = [
        index_body("t", " ".join(rng.choices(["tumen", "river", "port", "图们江区域"], k=200)))
        for _ in range(200)
    ]
    excluded = sum(not _covers(signature(body), signature(word)) for body in lacking)
    assert excluded > 150
    assert signature("ab") == "0" * SIGNATURE_BITS  # shorter than a window: excludes nothing


def _item(url: str, body: str) -> ArticleInput:
    return ArticleInput(
        url=url, title="t", text=body, content_hash=hashlib.sha256(body.encode()).hexdigest()
    )


async def test_the_write_path_stores_and_replaces_signatures(db_url: str) -> None:
    engine = create_engine(db_url)
    await upgrade(engine)
    store = Store(engine)
    try:
        ids = await store.sync_sources([SourceSpec(name="s", url="https://e.org/", kind="auto")])
        saved = {}
        for n, body in enumerate(["the ferry left", "a river port", "图们江区域合作"]):
            result = await store.save_article(
                source_id=ids["s"], source_name="s", item=_item(f"https://e.org/{n}", body),
                plan=CheckPlan(next_check_at=None), router=lambda _type: (),
            )  # fmt: skip
            saved[result.article_id] = body
        first = next(iter(saved))
        await store.save_article(
            source_id=ids["s"], source_name="s", item=_item("https://e.org/0", "no boats now"),
            plan=CheckPlan(next_check_at=None), router=lambda _type: (),
        )  # fmt: skip
        saved[first] = "no boats now"
        repo = ReadRepo(engine)
        found = await repo.list_articles(ArticleFilter(query="ferry"), limit=5, plan="walk")
        assert found == []  # the old text's signature and row are gone
        found = await repo.list_articles(ArticleFilter(query="boats"), limit=5, plan="walk")
        assert [a.id for a in found] == [first]
        if engine.dialect.name != "postgresql":
            return
        async with engine.connect() as connection:
            stored: dict[int, str] = dict(
                (await connection.execute(
                    text(f"SELECT article_id, bits::text FROM {SIGNATURE_TABLE}")
                )).all()
            )  # fmt: skip
        assert stored == {i: signature(index_body("t", body)) for i, body in saved.items()}
    finally:
        await store.aclose()
        await engine.dispose()


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_migration_0014_signs_stored_articles_and_downgrades(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0013")
        key = "article_id" if engine.dialect.name == "postgresql" else "rowid"
        bodies = {1: index_body("t", "the ferry left"), 2: index_body("t", "图们江区域合作")}
        async with engine.begin() as connection:
            await insert_source(connection)
            for article_id, body in bodies.items():
                await insert_article(connection, article_id, text=body, simhash=None)
                await connection.execute(
                    text(f"INSERT INTO {SEARCH_TABLE} ({key}, body) VALUES (:id, :body)"),
                    {"id": article_id, "body": body},
                )
        async with engine.connect() as connection:
            before = await connection.run_sync(_tables)

        await upgrade(engine, "0014")
        assert await current_revision(engine) == "0014"
        async with engine.connect() as connection:
            after = await connection.run_sync(_tables)
            if engine.dialect.name == "postgresql":
                stored: dict[int, str] = dict(
                    (await connection.execute(
                        text(f"SELECT article_id, bits::text FROM {SIGNATURE_TABLE}")
                    )).all()
                )  # fmt: skip
                assert stored == {i: signature(body) for i, body in bodies.items()}
                assert after == before | {SIGNATURE_TABLE}
            else:
                assert after == before  # SQLite: nothing to do

        async with engine.begin() as connection:
            await connection.run_sync(downgrade_on, "0013")
        assert await current_revision(engine) == "0013"
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == before
            assert (await connection.execute(text("SELECT count(*) FROM articles"))).scalar() == 2
    finally:
        await engine.dispose()
