"""Grow a benchmark database by copying its first articles, inside the database.

Generating and normalizing a million texts in Python takes over an hour on a busy
machine; the loaders generate ``distinct`` articles and this copies them (with their
search index rows) until ``count`` are stored. Copy ``k`` gets ids ``id + k × distinct``,
first-seen and updated times shifted by ``k × span`` (so the copies continue the
timeline, newer than what they copy) and a URL with ``#k`` appended. Every text then
occurs ``count / distinct`` times: a word's share of articles is what it was in the
distinct ones, so the cost of a search (proportional to its matches, or to the rows walked
to find a page of them) is what a million distinct texts with the same word frequencies
would give.

The loaders of ``read.py``, ``search.py`` and ``dedup.py`` also share the steps around
it here: writing a batch of generated rows (with their search index rows and, on
PostgreSQL, their trigram signatures), building the trigram index once at the end,
and moving the id sequence past the rows written with explicit ids.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

SEARCH_TABLE = "article_search"
SEARCH_INDEX = f"ix_{SEARCH_TABLE}_body"
SIGNATURE_TABLE = "article_search_signature"


async def write_rows(
    raw: Any,
    *,
    sqlite: bool,
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    index: list[tuple[int, str]],
) -> None:
    """Write generated article rows and their search-index rows with the driver itself
    (SQLite: ``executemany``, rows with times already as text; PostgreSQL: ``COPY``, and
    each index row's signature as the write path stores it)."""
    if sqlite:
        marks = ", ".join("?" * len(columns))
        await raw.executemany(f"INSERT INTO articles ({', '.join(columns)}) VALUES ({marks})", rows)
        await raw.executemany(f"INSERT INTO {SEARCH_TABLE} (rowid, body) VALUES (?, ?)", index)
    else:
        from asyncpg import BitString

        from storage.search_repo import signature

        await raw.copy_records_to_table("articles", records=rows, columns=columns)
        await raw.copy_records_to_table(SEARCH_TABLE, records=index, columns=("article_id", "body"))
        signed = [(key, BitString(signature(body))) for key, body in index]
        await raw.copy_records_to_table(
            SIGNATURE_TABLE, records=signed, columns=("article_id", "bits")
        )


async def build_search_index(connection: Any) -> None:
    """PostgreSQL: the trigram index, built once over every row (one sort), as
    migration 0011 builds it; the loaders drop it before writing."""
    from sqlalchemy import text

    await connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    await connection.execute(
        text(f"CREATE INDEX {SEARCH_INDEX} ON {SEARCH_TABLE} USING gin (body gin_trgm_ops)")
    )


async def reset_article_ids(connection: Any) -> None:
    """PostgreSQL: move the articles' id sequence past the ids the loader wrote, so that
    articles stored afterwards by the product get fresh ids."""
    from sqlalchemy import text

    await connection.execute(text(
        "SELECT setval(pg_get_serial_sequence('articles', 'id'), (SELECT max(id) FROM articles))"
    ))  # fmt: skip


async def replicate(
    connection: Any, *, distinct: int, count: int, span: timedelta, columns: tuple[str, ...]
) -> None:
    """Copy articles 1..distinct (and their index rows) until ``count`` are stored.

    ``columns`` are the article columns the loader filled; ``span`` is how much later
    each copy is than the one before."""
    from sqlalchemy import text

    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        sample = (
            await connection.execute(text("SELECT first_seen_at FROM articles WHERE id = 1"))
        ).scalar_one()
        shift_time = _sqlite_shift(str(sample))
    copies = -(-count // distinct)
    for k in range(1, copies):
        offset = k * distinct
        last = min(distinct, count - offset)
        seconds = int(span.total_seconds()) * k
        values = []
        for name in columns:
            if name == "id":
                values.append(f"id + {offset}")
            elif name == "duplicate_of":
                values.append(f"duplicate_of + {offset}")
            elif name == "url":
                values.append(f"url || '#{k}'")
            elif name in ("first_seen_at", "updated_at"):
                values.append(
                    shift_time(name, seconds)
                    if sqlite
                    else f"{name} + interval '{seconds} seconds'"
                )
            else:
                values.append(name)
        await connection.execute(text(
            f"INSERT INTO articles ({', '.join(columns)}) SELECT {', '.join(values)} "
            f"FROM articles WHERE id <= {last} ORDER BY id"
        ))  # fmt: skip
        key = "rowid" if sqlite else "article_id"
        await connection.execute(text(
            f"INSERT INTO {SEARCH_TABLE} ({key}, body) SELECT {key} + {offset}, body "
            f"FROM {SEARCH_TABLE} WHERE {key} <= {last} ORDER BY {key}"
        ))  # fmt: skip
        if not sqlite:
            await connection.execute(text(
                f"INSERT INTO {SIGNATURE_TABLE} (article_id, bits) SELECT article_id + "
                f"{offset}, bits FROM {SIGNATURE_TABLE} WHERE article_id <= {last} "
                "ORDER BY article_id"
            ))  # fmt: skip
        print(f"  {offset + last:,} articles (copies)", end="\r", flush=True)
    print()


def _sqlite_shift(sample: str) -> Any:
    """An SQL expression shifting a stored SQLite time by some seconds, written in the
    same text form as ``sample`` (so that copies sort with the originals)."""
    separator = "T" if "T" in sample else " "
    fraction = sample[19:].split("+")[0] if "." in sample else ""
    zone = "+00:00" if sample.endswith("+00:00") else ""

    def shift(name: str, seconds: int) -> str:
        stamp = f"strftime('%Y-%m-%d{separator}%H:%M:%S', {name}, '+{seconds} seconds')"
        return f"{stamp} || '{fraction}{zone}'"

    return shift
