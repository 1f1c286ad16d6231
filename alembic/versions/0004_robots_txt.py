"""robots_txt: robots.txt files as last fetched, shared by every process of the daemon

Without it each new process (a cron-driven `scraper run --once`, a restarted daemon, every
worker of a scaled-out deployment) fetched every site's robots.txt again, so an unchanged
re-poll cost one unconditional request per host on top of its conditional ones.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 22:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "robots_txt",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_robots_txt")),
    )


def downgrade() -> None:
    op.drop_table("robots_txt")
