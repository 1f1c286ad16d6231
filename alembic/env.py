"""Alembic environment. Called two ways: by the daemon (``storage.migrate.upgrade``), which
passes an open connection in ``config.attributes["connection"]``, or by the ``alembic``
command line, which builds its own engine from ``-x db=URL`` / NEA_DATABASE_URL."""

from __future__ import annotations

import asyncio

from sqlalchemy import Connection, pool
from sqlalchemy.ext.asyncio import create_async_engine

from alembic import context
from storage.engine import async_url, resolve_database_url
from storage.models import Base
from storage.search_repo import SEARCH_TABLE

config = context.config
target_metadata = Base.metadata


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    """The search index (and, on SQLite, the FTS5 tables behind it) is the migrations'
    own, outside the models' metadata: autogenerate leaves it alone."""
    return not (type_ == "table" and (name or "").startswith(SEARCH_TABLE))


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_command_line() -> None:
    url = resolve_database_url(context.get_x_argument(as_dictionary=True).get("db"))
    engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(run_migrations)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")

given = config.attributes.get("connection")
if given is not None:
    run_migrations(given)
else:
    asyncio.run(run_from_command_line())
