"""articles: index (source_id, first_seen_at, id) for one source's newest articles

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 03:35:00.000000

The read side lists a source's articles newest first (its feed, its API pages, its web
view): ``WHERE source_id = ? ORDER BY first_seen_at DESC, id DESC LIMIT n``. With this
index both databases read the page as one index range, in order, from the cursor on;
without it they either walk every source's newest articles skipping the others, or read
all of the source's articles and sort them. Nothing stored changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_articles_source_first_seen", "articles", ["source_id", "first_seen_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_articles_source_first_seen", table_name="articles")
