"""recompute articles.simhash and simhash_bands with the vectorised simhash64

simhash64 changed from BLAKE2b to a MurmurHash3-finaliser shingle hash (computed with
numpy), so every stored fingerprint differs from what the new code computes for the same
text: without this, a re-published copy of an article stored before the upgrade would not
be recognised as a near duplicate. Recomputed from ``articles.text``, 500 articles at a
time in id order (keyset pagination), inside the migration's transaction: about a second
per 2,000 articles.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 21:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from scraper.dedup import simhash64, to_signed64
from scraper.dedup import simhash_pair_keys as simhash_bands

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500

articles = sa.table(
    "articles",
    sa.column("id", sa.Integer),
    sa.column("text", sa.Text),
    sa.column("simhash", sa.BigInteger),
)
bands = sa.table(
    "simhash_bands",
    sa.column("article_id", sa.Integer),
    sa.column("band", sa.Integer),
    sa.column("value", sa.Integer),
)


def upgrade() -> None:
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(articles.c.id, articles.c.text)
            .where(articles.c.id > last_id)
            .order_by(articles.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        last_id = rows[-1].id
        ids = [row.id for row in rows]
        new_bands = []
        updates = []
        for row in rows:
            h = simhash64(row.text or "")
            updates.append({"b_id": row.id, "b_simhash": None if h is None else to_signed64(h)})
            if h is not None:
                new_bands.extend(
                    {"article_id": row.id, "band": band, "value": value}
                    for band, value in enumerate(simhash_bands(h))
                )
        connection.execute(
            articles.update()
            .where(articles.c.id == sa.bindparam("b_id"))
            .values(simhash=sa.bindparam("b_simhash")),
            updates,
        )
        connection.execute(bands.delete().where(bands.c.article_id.in_(ids)))
        if new_bands:
            connection.execute(bands.insert(), new_bands)


def downgrade() -> None:
    # Nothing to undo in the schema, and the old (BLAKE2b) fingerprints cannot be
    # recomputed: the code that made them is gone. Downgrading leaves the new values in
    # place, which older code would compare against its own, differently computed ones.
    pass
