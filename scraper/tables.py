"""Tables for people on a terminal, plain lines for pipes (the CLI and ``preview``).

On a terminal a command draws a ``rich`` table, shortening long cells to fit. Anywhere
else (a pipe, a file, ``watch``, a log) it prints one line per row, cells separated by a
tab and never shortened, so ``cut -f``, ``grep`` and ``awk`` see whole values; rich is
not even imported.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Column:
    header: str
    width: int | None = None  # shorten to this many characters on a terminal


def on_terminal() -> bool:
    return sys.stdout.isatty()


def print_table(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], *, title: str | None = None
) -> None:
    if on_terminal():
        _rich_table(columns, rows, title)
        return
    if title:
        print(f"# {title}")
    print("\t".join(column.header for column in columns))
    for row in rows:
        print("\t".join(_SPACE.sub(" ", cell).strip() for cell in row))


def _rich_table(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], title: str | None
) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(*(column.header for column in columns), title=title)
    for row in rows:
        table.add_row(
            *(
                escape(_shorten(cell, column.width))
                for cell, column in zip(row, columns, strict=True)
            )
        )
    Console(width=200).print(table)


def _shorten(cell: str, width: int | None) -> str:
    return cell if width is None or len(cell) <= width else cell[: width - 1] + "…"
