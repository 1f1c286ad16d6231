"""articles: the publication date as the publisher wrote it (local day, time, offset)

``published_at`` stays the UTC instant, now set only when the page gives a time and its
offset. The publisher's calendar day, local wall-clock time and UTC offset get columns of
their own, so a date without an offset is no longer passed off as UTC and an offset no
longer moves the day (``2020-02-24T21:25:54-05:00`` was stored as the 25th).

Rows stored before this migration keep their ``published_at``; their ``published_date``
is the UTC day of it (what was known then), their time and offset unknown (NULL).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("published_time", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("published_utc_offset", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        day = "(published_at AT TIME ZONE 'UTC')::date"
    else:  # SQLite keeps the naive UTC text "YYYY-MM-DD HH:MM:SS…"
        day = "date(published_at)"
    op.execute(f"UPDATE articles SET published_date = {day} WHERE published_at IS NOT NULL")


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would copy and drop the whole table,
    # which SQLite refuses while other tables' rows reference it (foreign keys are on).
    op.drop_column("articles", "published_utc_offset")
    op.drop_column("articles", "published_time")
    op.drop_column("articles", "published_date")
