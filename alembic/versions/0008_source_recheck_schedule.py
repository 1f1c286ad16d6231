"""sources.recheck_after: the re-check schedule stored articles were planned with

A source's ``recheck:`` offsets decide when each stored article is looked at again, and
the plan is written into ``articles.next_check_at`` when an article is saved or checked.
Keeping the schedule those plans came from lets the daemon notice, at start or on a
reload, that ``recheck:`` changed and plan the source's stored articles again. NULL: not
known yet (recorded at the next start, without replanning).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "sources",
        sa.Column(
            "recheck_after", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would copy and drop the whole table,
    # which SQLite refuses while other tables' rows reference it (foreign keys are on).
    op.drop_column("sources", "recheck_after")
