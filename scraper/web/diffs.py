"""Differences between two versions of an article: a unified diff for the API, and a
readable one for the web view (paragraphs kept, changed words or CJK characters marked).

difflib is quadratic in the worst case: texts past ``INLINE_CHARS`` are compared in a
worker thread, so a long page never stalls the event loop."""

from __future__ import annotations

import asyncio
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

INLINE_CHARS = 20_000
# Words of spaced scripts stay whole; Han, kana and Hangul are compared per character
# (no spaces between words), so one changed character is one mark, not a whole sentence.
_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|\w+|\s+|[^\w\s]"
)

Op = Literal["same", "add", "del"]
T = TypeVar("T")


@dataclass(frozen=True)
class Piece:
    op: Op
    text: str


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the readable diff: unchanged, added, removed, or changed (its
    pieces say which words)."""

    op: Literal["same", "add", "del", "changed"]
    pieces: tuple[Piece, ...]


async def off_loop_if_large(size: int, work: Callable[[], T]) -> T:
    if size <= INLINE_CHARS:
        return work()
    return await asyncio.to_thread(work)


def unified(old: str, new: str, *, old_name: str, new_name: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_name, new_name, lineterm=""
    )
    return "\n".join(lines)


def readable(old: str, new: str) -> list[Paragraph]:
    """Paragraph by paragraph; a replaced paragraph paired with its new form is diffed
    word by word."""
    before, after = _paragraphs(old), _paragraphs(new)
    out: list[Paragraph] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [Paragraph("same", (Piece("same", p),)) for p in before[i1:i2]]
            continue
        removed, added = before[i1:i2], after[j1:j2]
        for k in range(max(len(removed), len(added))):
            if k < len(removed) and k < len(added):
                out.append(Paragraph("changed", tuple(_words(removed[k], added[k]))))
            elif k < len(removed):
                out.append(Paragraph("del", (Piece("del", removed[k]),)))
            else:
                out.append(Paragraph("add", (Piece("add", added[k]),)))
    return out


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _words(old: str, new: str) -> list[Piece]:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("add", "".join(b[j1:j2])))
    return pieces
