"""re-key simhash_bands: 28 pairs of 8-bit blocks instead of 7 bands of 9-10 bits

Both schemes find every stored simhash within the near-duplicate distance (6 bits), but a
9-10-bit band value is shared by about N/512 of N articles, so each lookup read
7 x N/512 index entries: 10 ms per article at 200,000 stored, growing linearly. A 16-bit
pair key is shared by about N/65,536 (28 x N/65,536 entries per lookup). The keys follow
from ``articles.simhash`` alone, so this rewrites ``simhash_bands`` from it, 2,000
articles at a time in id order (keyset pagination), inside the migration's transaction.
The table's shape is unchanged: (article_id, band, value), band now 0-27.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 00:55:00.000000
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa

from alembic import op
from scraper.dedup import simhash_pair_keys as simhash_bands

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000

articles = sa.table("articles", sa.column("id", sa.Integer), sa.column("simhash", sa.BigInteger))
bands = sa.table(
    "simhash_bands",
    sa.column("article_id", sa.Integer),
    sa.column("band", sa.Integer),
    sa.column("value", sa.Integer),
)


def upgrade() -> None:
    _rekey(simhash_bands)


def downgrade() -> None:
    _rekey(_seven_bands)


def _seven_bands(h: int) -> tuple[int, ...]:
    """The keys before this migration: 7 consecutive bands of 10, 9, 9, 9, 9, 9, 9 bits,
    lowest bits first."""
    h &= (1 << 64) - 1
    values, shift = [], 0
    for width in (10, 9, 9, 9, 9, 9, 9):
        values.append((h >> shift) & ((1 << width) - 1))
        shift += width
    return tuple(values)


def _rekey(keys_of: Callable[[int], tuple[int, ...]]) -> None:
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(articles.c.id, articles.c.simhash)
            .where(articles.c.id > last_id)
            .order_by(articles.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        last_id = rows[-1].id
        connection.execute(bands.delete().where(bands.c.article_id.in_([r.id for r in rows])))
        keys = [
            {"article_id": row.id, "band": band, "value": value}
            for row in rows
            if row.simhash is not None
            for band, value in enumerate(keys_of(row.simhash))
        ]
        if keys:
            connection.execute(bands.insert(), keys)
