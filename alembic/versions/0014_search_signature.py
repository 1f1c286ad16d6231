"""article_search_signature: each article's trigram signature (PostgreSQL), back-filled

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 06:40:00.000000

A search that walks the newest articles tests each one's index row for its words; on
PostgreSQL that row is often TOASTed (read, decompressed, searched: ~50 µs a row), which
made a walk of some thousands of rows the cost of a mid-frequency word. The signature
(``storage.search_repo.signature``, 512 bytes: one bit per hashed three-character
window of the index row) answers "can this row contain the word?" from one small
inline value; the text is read only when it can. SQLite: nothing (its walk reads FTS5's
own copy of the row, and its index plan needs no re-check).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from storage.search_repo import SEARCH_TABLE, SIGNATURE_BITS, SIGNATURE_TABLE, signature

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Index rows read and signed per round of the back-fill.
_BATCH = 500


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE TABLE {SIGNATURE_TABLE} ("
        "article_id INTEGER NOT NULL PRIMARY KEY"
        " REFERENCES articles (id) ON DELETE CASCADE,"
        f" bits BIT({SIGNATURE_BITS}) NOT NULL)"
    )
    insert = sa.text(
        f"INSERT INTO {SIGNATURE_TABLE} (article_id, bits) "
        f"VALUES (:id, CAST(CAST(:bits AS TEXT) AS BIT({SIGNATURE_BITS})))"
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.text(
                f"SELECT article_id, body FROM {SEARCH_TABLE} WHERE article_id > :last "
                "ORDER BY article_id LIMIT :n"
            ),
            {"last": last, "n": _BATCH},
        ).all()
        if not rows:
            return
        bind.execute(insert, [{"id": r.article_id, "bits": signature(r.body)} for r in rows])
        last = rows[-1].article_id


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TABLE {SIGNATURE_TABLE}")
