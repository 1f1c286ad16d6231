"""Statements compiled once per dialect and run with ``exec_driver_sql``: for statements
SQLAlchemy cannot cache (a VALUES list) or whose per-row parameter processing costs more
than the row (the near-duplicate keys, dozens per article)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ClauseElement
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class DriverSQL:
    """A statement compiled for one dialect, to run with ``exec_driver_sql``: its SQL, the
    names of its positional parameters in order, and the values of those that are
    constants of the statement (literals SQLAlchemy bound)."""

    sql: str
    order: tuple[str, ...]
    constants: dict[str, Any]

    def rows_of(
        self, fields: tuple[str, ...], rows: list[tuple[int, int, int]]
    ) -> list[tuple[int, int, int]] | list[tuple[Any, ...]]:
        """``rows`` (tuples in ``fields`` order) in the statement's parameter order."""
        if self.order == fields:
            return rows
        index = [fields.index(name) for name in self.order]
        return [tuple(row[i] for i in index) for row in rows]

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        """The positional parameters for ``values`` (by name) and the constants."""
        return tuple(
            values[name] if name in values else self.constants[name] for name in self.order
        )


_COMPILED: dict[tuple[str, str], DriverSQL] = {}


def driver_sql(dialect: Dialect, key: str, build: Callable[[], ClauseElement]) -> DriverSQL:
    """``build()`` compiled for ``dialect``, once per process: for statements SQLAlchemy
    cannot cache, or whose per-row parameter processing costs more than the row."""
    cached = _COMPILED.get((dialect.name, key))
    if cached is None:
        compiled = build().compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        assert compiled.positiontup is not None  # qmark (sqlite3), $n (asyncpg)
        order = tuple(compiled.positiontup)
        constants = {name: value for name, value in compiled.params.items() if value is not None}
        cached = _COMPILED[(dialect.name, key)] = DriverSQL(compiled.string, order, constants)
    return cached
