"""Migration 0003 recomputes stored simhashes and their bands with the current simhash64,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from scraper.dedup import simhash64, simhash_bands, to_signed64
from storage.engine import create_engine
from storage.migrate import current_revision, upgrade
from storage.models import ArticleRow, SimhashBandRow, SourceRow

ARTICLES: Table = ArticleRow.__table__  # type: ignore[assignment]
BANDS: Table = SimhashBandRow.__table__  # type: ignore[assignment]
SOURCES: Table = SourceRow.__table__  # type: ignore[assignment]

TEXT = (
    "동북아시아지역자치단체연합(NEAR) 제15차 총회가 화요일 포항에서 개막했다.\n\n"
    "이번 총회에는 한국, 중국, 일본, 몽골, 러시아 5개국 78개 회원 자치단체가 참석했다."
)
NOW = datetime(2026, 11, 22, tzinfo=UTC)


async def _insert_article(connection: AsyncConnection, id_: int, text: str) -> None:
    await connection.execute(
        insert(ARTICLES).values(
            id=id_, source_id=1, url=f"https://e.org/{id_}", title="t", text=text,
            content_hash="0" * 64, simhash=-12345, version=1, first_seen_at=NOW,
            updated_at=NOW, check_count=0,
        )
    )  # fmt: skip
    await connection.execute(
        insert(BANDS), [{"article_id": id_, "band": b, "value": 99} for b in range(9)]
    )


async def test_upgrade_recomputes_simhash_and_bands(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0002")
        async with engine.begin() as connection:
            await connection.execute(
                insert(SOURCES).values(
                    id=1, name="s", url="https://e.org/", kind="html", enabled=True, tags=[],
                    consecutive_failures=0, failing=False, created_at=NOW,
                )
            )  # fmt: skip
            # Ids across more than one batch of 500, with a gap; one text too short.
            for id_ in (1, 2, 700):
                await _insert_article(connection, id_, f"{TEXT} {id_}")
            await _insert_article(connection, 3, "too short")
        await upgrade(engine, "0003")
        assert await current_revision(engine) == "0003"

        async with engine.connect() as connection:
            simhashes = dict(
                (await connection.execute(select(ARTICLES.c.id, ARTICLES.c.simhash))).all()
            )
            rows = (
                await connection.execute(select(BANDS).order_by(BANDS.c.article_id, BANDS.c.band))
            ).all()
        for id_ in (1, 2, 700):
            expected = simhash64(f"{TEXT} {id_}")
            assert expected is not None
            assert simhashes[id_] == to_signed64(expected)
            assert [(r.band, r.value) for r in rows if r.article_id == id_] == list(
                enumerate(simhash_bands(expected))
            )
        assert simhashes[3] is None
        assert not [r for r in rows if r.article_id == 3]

    finally:
        await engine.dispose()
