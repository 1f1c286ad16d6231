"""near-duplicate key index by value: (value, article_id, band) instead of (band, value)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 00:30:00.000000

The store looks every index key of a new text up once, by value, in the bands it may match
(a text's whole-text band and its lede twin), and reads at most the most recent few
holders of a key (a template notice's keys are shared by every notice cut from it). Both
need the keys ordered by value, then article id; with the band in the index too, the
lookup never reads the table. Stored keys do not change: nothing is recomputed.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_simhash_bands_band_value", table_name="simhash_bands")
    op.create_index(
        "ix_simhash_bands_value", "simhash_bands", ["value", "article_id", "band"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_simhash_bands_value", table_name="simhash_bands")
    op.create_index("ix_simhash_bands_band_value", "simhash_bands", ["band", "value"], unique=False)
