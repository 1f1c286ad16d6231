"""near-duplicate index keys from MinHash LSH; simhash without paragraph weights

Near duplicates are now found through MinHash LSH keys over folded character shingles
(24 bands over the whole text, 24 over its first half, one hash of the folded text) and
verified on the texts (``scraper/dedup_verify.py``); ``articles.simhash`` is a plain
SimHash of the same shingles, independent of where paragraphs break. Both are
recomputed here from ``articles.text``, 500 articles at a time in id order (keyset
pagination), inside the migration's transaction. The table's shape is unchanged:
``simhash_bands`` (article_id, band, value), band now 0-48, value a signed 32-bit key.

Downgrade re-keys ``simhash_bands`` from ``articles.simhash`` as 0005 did (28 pairs of
8-bit blocks); the simhash values stay the new ones (the paragraph-weighted, seeded ones
cannot be recomputed), so the old code's Hamming threshold then applies to them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:00:00.000000
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from alembic import op
from scraper.dedup import fingerprint, simhash_pair_keys

revision: str = "0009"
down_revision: str | None = "0008"
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
    for rows in _batches(connection, articles.c.text):
        updates, keys = [], []
        for row in rows:
            found = fingerprint(row.text or "")
            updates.append({"b_id": row.id, "b_simhash": found.simhash})
            keys += [
                {"article_id": row.id, "band": band, "value": value}
                for band, value in enumerate(found.keys)
            ]
        _rewrite(connection, rows, keys, updates)


def downgrade() -> None:
    connection = op.get_bind()
    for rows in _batches(connection, articles.c.simhash):
        keys = [
            {"article_id": row.id, "band": band, "value": value}
            for row in rows
            if row.simhash is not None
            for band, value in enumerate(simhash_pair_keys(row.simhash))
        ]
        _rewrite(connection, rows, keys, [])


def _batches(
    connection: sa.Connection, column: sa.ColumnElement[Any]
) -> Iterator[Sequence[sa.Row[Any, Any]]]:
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(articles.c.id, column)
            .where(articles.c.id > last_id)
            .order_by(articles.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        last_id = rows[-1].id
        yield rows


def _rewrite(
    connection: sa.Connection,
    rows: Sequence[sa.Row[Any, Any]],
    keys: list[dict[str, int]],
    updates: list[dict[str, int | None]],
) -> None:
    connection.execute(bands.delete().where(bands.c.article_id.in_([r.id for r in rows])))
    if keys:
        connection.execute(bands.insert(), keys)
    if updates:
        connection.execute(
            articles.update()
            .where(articles.c.id == sa.bindparam("b_id"))
            .values(simhash=sa.bindparam("b_simhash")),
            updates,
        )
