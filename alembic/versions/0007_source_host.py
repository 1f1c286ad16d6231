"""sources.host: the host (host:port) a source is polled on, so that the scheduler can
claim due sources without taking more of one host's sources than it may poll at once

The scheduler claims due sources in batches straight from the database; a host whose
polls fill its per-host limit is left out of the claim (``host NOT IN (…)``), so that a
thousand sources of one host queue behind its politeness without blocking the others.
The column is filled by the daemon's sync of ``sources.yaml`` at start-up.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("host", sa.String(length=300), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would copy and drop the whole table,
    # which SQLite refuses while other tables' rows reference it (foreign keys are on).
    op.drop_column("sources", "host")
