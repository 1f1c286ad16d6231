"""Paragraphs from the chosen block, whitespace normalisation and edge trimming."""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from ._patterns import (
    BLOCK_TAGS,
    COMMA_CHARS,
    DATE_ONLY,
    EDGE_BOILERPLATE,
    INLINE_JUNK,
    SENTENCE_END,
    TAIL_MARKER,
    TEASER_LABEL,
    WIDGET_LINE,
)
from ._script import reading_length

MAX_NODES = 200_000
MAX_OWNER_LEVELS = 64  # inline elements searched above a text node for its block
HEAD_LINES = 6  # short lines before the first prose paragraph that may go with chrome
HEAD_CHARS = 400
REPEAT_CHARS = 80  # a passage this long (reading_length) printed twice is read once
MAX_EDGE_CHARS = 160  # longer paragraphs (reading_length) are never trimmed as chrome
BLURB_CHARS = 200  # a teaser's summary line is shorter than this (reading_length)
TAIL_PROSE = 0.5  # prose after a "Related" label, against prose before it: the article goes on
_CJK = "\u2e80-\u2fff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \t]*\n\s*(?=[{_CJK}])")
# Soft hyphens and zero-width characters: line-break hints and joiners, never text.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
# Found first in C: ``str.translate`` with a dict looks up every character in Python.
_HAS_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title"})
_BREAKS = frozenset({"br", "hr"})
_CELLS = frozenset({"td", "th"})  # a table row is one paragraph, its cells space-separated
_PARAGRAPH_TAGS = BLOCK_TAGS - _CELLS
_ASCII_COMMAS = tuple(char for char in COMMA_CHARS if char.isascii())


@dataclass
class Paragraph:
    text: str
    link_chars: int
    tag: str

    @property
    def link_ratio(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


def normalise(text: str) -> str:
    """Collapse whitespace; drop line breaks between CJK characters (they are not spaces)."""
    if not text.isascii():
        if _HAS_INVISIBLE.search(text) is not None:
            text = text.translate(_INVISIBLE)
        if "\n" in text:
            text = _CJK_GAP.sub("", text)
    return " ".join(text.split())  # str.split() knows NBSP and the ideographic space


def count_commas(text: str) -> int:
    """How many ``COMMAS`` characters ``text`` holds: ``str.count`` per character is half
    the cost of ``len(COMMAS.findall(text))``."""
    chars = _ASCII_COMMAS if text.isascii() else COMMA_CHARS
    return sum(text.count(char) for char in chars)


class _Builder:
    def __init__(self) -> None:
        self.paragraphs: list[Paragraph] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.tag = "p"

    def add(self, text: str, in_link: bool) -> None:
        self.parts.append(text)
        if in_link:
            self.link_chars += len(text.strip())

    def flush(self, next_tag: str = "p") -> None:
        if self.parts:
            text = normalise("".join(self.parts))
            if text:
                self.paragraphs.append(Paragraph(text, min(self.link_chars, len(text)), self.tag))
        self.parts = []
        self.link_chars = 0
        self.tag = next_tag


def paragraphs(blocks: list[LexborNode]) -> list[Paragraph]:
    """Block-aware text of ``blocks``: one paragraph per block element or ``<br>`` run."""
    builder = _Builder()
    budget = MAX_NODES
    for block in blocks:
        budget = _walk(block, builder, budget)
        builder.flush()
    return builder.paragraphs


def _walk(root: LexborNode, builder: _Builder, budget: int) -> int:
    """One pass over ``root`` in document order (lexbor's own traversal, no recursion).

    A text node belongs to its nearest block ancestor; a paragraph ends when that owner
    changes, or at ``<br>``/``<hr>``.
    """
    owner = -1
    root_id = root.mem_id
    for node in root.traverse(include_text=True):
        budget -= 1
        if budget <= 0:
            break
        if not node.is_text_node:
            tag = node.tag
            if tag in _BREAKS:
                builder.flush()
                owner = -1
            elif tag in _CELLS:
                builder.add(" ", False)
            continue
        text = node.text_content or ""
        if text.isspace():
            builder.add(" ", False)  # keeps "a</b> <i>b" apart; trimmed at paragraph edges
            continue
        block_id, block_tag, in_link = _owner(node, root_id)
        if block_id is None:
            continue
        if block_id != owner:
            builder.flush(block_tag)
            owner = block_id
        builder.add(text, in_link)
    return budget


def _owner(node: LexborNode, root_id: int) -> tuple[int | None, str, bool]:
    """(id, tag) of the nearest block ancestor of a text node, and whether it is in a link."""
    in_link = False
    parent = node.parent
    for _ in range(MAX_OWNER_LEVELS):
        if parent is None:
            break
        tag = parent.tag or ""
        if tag in _SKIP:
            return None, "", False
        if tag in _PARAGRAPH_TAGS or parent.mem_id == root_id:
            return parent.mem_id, tag, in_link
        if tag == "a":
            in_link = True
        parent = parent.parent
    if parent is not None:  # inline markup nested absurdly deep: its top is the owner
        return parent.mem_id, "p", in_link
    return -2, "p", in_link


def is_edge_chrome(par: Paragraph, title: str) -> bool:
    """True for a short paragraph that is chrome when it sits at an edge of the article."""
    text = par.text
    if title and (text == title or (len(text) > 10 and text in title)):
        return True
    if reading_length(text, MAX_EDGE_CHARS + 1) > MAX_EDGE_CHARS:
        return False
    if title and title in text and len(text) < len(title) + 20:
        return True  # "Title: <title>" rows of board views
    if EDGE_BOILERPLATE.search(text) or DATE_ONLY.match(text) or INLINE_JUNK.search(text):
        return True
    return par.link_ratio > 0.6


def is_prose(par: Paragraph) -> bool:
    """A paragraph that reads like article text (long, or a sentence)."""
    if par.link_ratio > 0.5:
        return False
    text = par.text
    weight = reading_length(text, 200)
    return weight >= 200 or (weight >= 60 and text[-1] in SENTENCE_END)


def clean_paragraphs(pars: list[Paragraph], title: str) -> list[str]:
    """Trim chrome at both edges, cut teaser tails, drop link-only lines and repeats."""
    pars = _trim_edges(_cut_tail(pars), title)
    out: list[str] = []
    seen: set[str] = set()
    teasers = False  # inside the link list that follows a "DON'T MISS" / "Related" label
    for par in pars:
        if teasers and par.link_ratio > 0.5:
            continue
        teasers = len(par.text) < 40 and TEASER_LABEL.match(par.text) is not None
        if par.link_ratio > 0.9 and len(par.text) < 120:
            continue
        if len(par.text) < MAX_EDGE_CHARS and (
            INLINE_JUNK.search(par.text) or WIDGET_LINE.match(par.text)
        ):
            continue
        if out and par.text == out[-1]:
            continue  # a caption or heading printed twice in a row
        if par.text in seen and (par.link_ratio > 0.5 or reading_length(par.text) >= REPEAT_CHARS):
            continue  # the same link block or passage again (top and bottom, mobile copy)
        seen.add(par.text)
        out.append(par.text)
    return out


def _trim_edges(pars: list[Paragraph], title: str) -> list[Paragraph]:
    """Drop chrome lines at both edges of the article.

    Before the first prose paragraph, a few short lines go with the chrome when a chrome
    line lies beyond them ("Notice details / Title: … / Author … Date … / Views 1,254");
    without chrome they stay (a subtitle, a dateline).
    """
    start, end = 0, len(pars)
    first = next((i for i, par in enumerate(pars) if is_prose(par)), None)
    short_head = first is not None and 0 < first <= HEAD_LINES
    if short_head and sum(len(par.text) for par in pars[:first]) <= HEAD_CHARS:
        chrome = [i for i in range(first or 0) if is_edge_chrome(pars[i], title)]
        start = chrome[-1] + 1 if chrome else 0
    while start < end and is_edge_chrome(pars[start], title):
        start += 1
    while end > start and is_edge_chrome(pars[end - 1], title):
        end -= 1
    return pars[start:end]


def _cut_tail(pars: list[Paragraph]) -> list[Paragraph]:
    """Drop a "Related articles"-like heading and everything after it (in the last half).

    A label that only introduces a box of links inside the article ("Also read:" and
    three links, then the article goes on) is no tail: the reading after it counts, and
    a heading followed by as much prose as before it stays (its links go later).
    """
    total = sum(len(p.text) for p in pars)
    seen = 0
    prose: list[int] = []  # per paragraph, computed once at the first label (regexes cost)
    for index, par in enumerate(pars):
        if seen > total * 0.4 and len(par.text) < 60 and TAIL_MARKER.match(par.text):
            prose = prose or [_prose_chars(p) for p in pars]
            before, after = sum(prose[:index]), sum(prose[index + 1 :])
            if before == after == 0:  # no long paragraph at all: short ones decide
                short = [_prose_chars(p, 0) for p in pars]
                before, after = sum(short[:index]), sum(short[index + 1 :])
            if after < before * TAIL_PROSE:
                return pars[:index]
        seen += len(par.text)
    return pars


def _prose_chars(par: Paragraph, minimum: int = BLURB_CHARS) -> int:
    """Reading length of ``par`` when it is a paragraph of reading at least ``minimum``
    long, else 0 (teaser blurbs are shorter; a cookie notice is no reading)."""
    text = par.text
    length = reading_length(text)
    if length >= minimum and is_prose(par) and not EDGE_BOILERPLATE.search(text):
        return length
    return 0
