"""Which database a command uses: ``--db``, else ``NEA_DATABASE_URL``, else a SQLite file
in the working directory. Kept apart from ``storage.engine`` so that choosing costs no
SQLAlchemy import."""

from __future__ import annotations

import os

DEFAULT_DATABASE_URL = "sqlite:///nea-monitor.db"
ENV_DATABASE_URL = "NEA_DATABASE_URL"


def resolve_database_url(url: str | None = None) -> str:
    """``--db`` wins, then ``NEA_DATABASE_URL``, then a SQLite file in the working directory."""
    return url or os.environ.get(ENV_DATABASE_URL) or DEFAULT_DATABASE_URL
