"""Migration 0003 recomputes stored simhashes and their bands with the current simhash64,
on SQLite and PostgreSQL."""

from __future__ import annotations

from scraper.dedup import simhash64, to_signed64
from scraper.dedup import simhash_pair_keys as simhash_bands
from storage.engine import create_engine
from storage.migrate import current_revision, upgrade
from tests.storage.migration_rows import insert_article, insert_source, stored_keys

TEXT = (
    "동북아시아지역자치단체연합(NEAR) 제15차 총회가 화요일 포항에서 개막했다.\n\n"
    "이번 총회에는 한국, 중국, 일본, 몽골, 러시아 5개국 78개 회원 자치단체가 참석했다."
)


async def test_upgrade_recomputes_simhash_and_bands(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0002")
        async with engine.begin() as connection:
            await insert_source(connection)
            # Ids across more than one batch of 500, with a gap; one text too short. Stored
            # with a stale simhash and nine bogus bands.
            texts = {1: f"{TEXT} 1", 2: f"{TEXT} 2", 700: f"{TEXT} 700", 3: "too short"}
            for id_, text in texts.items():
                await insert_article(connection, id_, text=text, simhash=-12345, bands=[99] * 9)
        await upgrade(engine, "0003")
        assert await current_revision(engine) == "0003"

        simhashes, keys = await stored_keys(engine)
        for id_ in (1, 2, 700):
            expected = simhash64(f"{TEXT} {id_}")
            assert expected is not None
            assert simhashes[id_] == to_signed64(expected)
            assert keys[id_] == list(simhash_bands(expected))
        assert simhashes[3] is None
        assert 3 not in keys

    finally:
        await engine.dispose()
