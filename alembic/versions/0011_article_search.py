"""article_search: the full-text index of articles (FTS5 trigram on SQLite, pg_trgm on
PostgreSQL), back-filled from the stored articles

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 00:40:00.000000
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from scraper.errors import StorageError
from storage.search_repo import SEARCH_TABLE, index_body

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Articles read and indexed per round of the back-fill.
_BATCH = 500
log = logging.getLogger("storage.migrate")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _require_pg_trgm(bind)
        _warn_unless_cjk_is_indexed(bind)
        op.execute(
            f"CREATE TABLE {SEARCH_TABLE} ("
            "article_id INTEGER NOT NULL PRIMARY KEY"
            " REFERENCES articles (id) ON DELETE CASCADE,"
            " body TEXT NOT NULL)"
        )
        _back_fill(bind, "article_id")
        # Built after the back-fill: one sort, rather than an index growing row by row.
        op.execute(
            f"CREATE INDEX ix_{SEARCH_TABLE}_body ON {SEARCH_TABLE} USING gin (body gin_trgm_ops)"
        )
    else:
        op.execute(f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(body, tokenize='trigram')")
        _back_fill(bind, "rowid")


def downgrade() -> None:
    # pg_trgm stays: it may have been there before, and other schemas may use it.
    op.execute(f"DROP TABLE {SEARCH_TABLE}")


def _require_pg_trgm(bind: sa.Connection) -> None:
    installed = bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"))
    if installed.first() is not None:
        return
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ).first()
    if available is None:
        raise StorageError(
            "migration 0011 (full-text search) needs the PostgreSQL extension pg_trgm, which "
            "this server does not have: install the server's contrib modules (Debian: "
            "the postgresql package; others: postgresql-contrib) and run the upgrade again"
        )
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise StorageError(
            f"migration 0011 (full-text search) could not create the extension pg_trgm "
            f"({reason}): have a superuser or the database owner run "
            f"`CREATE EXTENSION pg_trgm;` in this database, then run the upgrade again"
        ) from exc


def _warn_unless_cjk_is_indexed(bind: sa.Connection) -> None:
    """pg_trgm makes trigrams of what the database's LC_CTYPE calls letters: under the C
    locale, Han, kana and Hangul are not, and searches for them scan instead."""
    grams = bind.execute(sa.text("SELECT cardinality(show_trgm('图们江 두만강'))")).scalar()
    if not grams:
        log.warning(
            "this database's LC_CTYPE (%s) does not count CJK characters as letters: "
            "Chinese, Japanese and Korean searches will be correct but slow (a scan); "
            "a database created with a UTF-8 locale (e.g. C.UTF-8) indexes them",
            bind.execute(sa.text("SHOW lc_ctype")).scalar(),
        )


def _back_fill(bind: sa.Connection, key: str) -> None:
    """Index every stored article, in rounds of ``_BATCH`` by id."""
    insert = sa.text(f"INSERT INTO {SEARCH_TABLE} ({key}, body) VALUES (:id, :body)")
    last = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, title, text FROM articles WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": _BATCH},
        ).all()
        if not rows:
            return
        bind.execute(insert, [{"id": r.id, "body": index_body(r.title, r.text)} for r in rows])
        last = rows[-1].id
