"""Migration 0009 recomputes stored simhashes and near-duplicate index keys from the
article texts, on SQLite and PostgreSQL; its downgrade re-keys from the simhashes."""

from __future__ import annotations

from scraper.dedup import KEY_BANDS, fingerprint, from_signed64, simhash_pair_keys
from storage.engine import create_engine
from storage.migrate import current_revision, upgrade
from tests.storage.migration_rows import (
    downgrade_on,
    insert_article,
    insert_source,
    stored_keys,
)

TEXT = (
    "동북아시아지역자치단체연합(NEAR) 제15차 총회가 화요일 포항에서 개막했다.\n\n"
    "이번 총회에는 한국, 중국, 일본, 몽골, 러시아 5개국 78개 회원 자치단체가 참석했다."
)
# Ids across more than one batch of 500, with a gap; one text too short for a simhash.
TEXTS = {1: f"{TEXT} 1", 2: f"{TEXT} 2", 700: f"{TEXT} 700", 3: "too short"}


async def test_upgrade_recomputes_keys_and_downgrade_rekeys(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0005")
        async with engine.begin() as connection:
            await insert_source(connection)
            for id_, text in TEXTS.items():  # a stale simhash and bogus keys
                await insert_article(connection, id_, text=text, simhash=-12345, bands=[99] * 9)
        await upgrade(engine, "0009")
        assert await current_revision(engine) == "0009"
        simhashes, keys = await stored_keys(engine)
        for id_, text in TEXTS.items():
            expected = fingerprint(text)
            assert simhashes[id_] == expected.simhash
            assert keys[id_] == list(expected.keys)
            assert len(keys[id_]) == KEY_BANDS
        assert simhashes[3] is None

        async with engine.begin() as connection:
            await connection.run_sync(downgrade_on, "0005")
        assert await current_revision(engine) == "0005"
        simhashes, keys = await stored_keys(engine)
        for id_ in (1, 2, 700):
            stored = simhashes[id_]
            assert stored is not None
            assert keys[id_] == list(simhash_pair_keys(from_signed64(stored)))
        assert 3 not in keys
    finally:
        await engine.dispose()
