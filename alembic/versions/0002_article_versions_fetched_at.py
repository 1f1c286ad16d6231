"""index article_versions.fetched_at, for retention (scraper prune)

Every other query the daemon repeats was already served by an index (checked with EXPLAIN
at realistic sizes in tests/scale/test_indexes.py); pruning old versions by age was not.
On PostgreSQL the index is built inside the migration's transaction, which holds writes to
article_versions for as long as the build takes (seconds per million rows).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 19:46:04.249530
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_versions_fetched_at"), ["fetched_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("article_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_versions_fetched_at"))
