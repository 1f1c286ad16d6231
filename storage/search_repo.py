"""Full-text search over articles, in any language, on SQLite and PostgreSQL.

The index holds one row per article (``article_search``, written in the transaction that
writes the article, by ``storage.article_writes``): its title and text normalized as
topics see them (``scraper.topics.normalize``: NFKC, case folded), followed by the
distinct two-character pairs of its runs of Chinese, Japanese and Korean script, each
between two ``MARK`` characters. A search word matches where it occurs anywhere in the
normalized text; no word boundaries are needed, so a Chinese word is found inside a
sentence that has no spaces.

- SQLite: an FTS5 table with the ``trigram`` tokenizer, which answers "contains this
  string" for strings of three or more characters from its index. A two-character CJK
  word ``ab`` is looked up as the four-character string MARK a b MARK (one of the
  marked pairs); any other one- or two-character word is checked with ``instr`` on the
  stored normalized text (a scan: the index has nothing shorter than three characters).
- PostgreSQL: a table with a ``pg_trgm`` GIN index; each word is a ``LIKE`` pattern
  (substring), which the index answers from three characters up, and a two-character
  CJK word through its marked pair. Shorter words scan. Beside it, each article's
  trigram *signature* (``article_search_signature``, migration 0014): a bit set with
  one bit per hashed three-character window of the row, which lets a newest-first walk
  skip most rows without reading their text.

See docs/explanation/search-and-topics.md for why this design and what it costs.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    TableClause,
    Text,
    and_,
    bindparam,
    case,
    column,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    table,
    true,
)
from sqlalchemy import (
    cast as sql_cast,
)
from sqlalchemy.dialects.postgresql import BIT
from sqlalchemy.ext.asyncio import AsyncConnection

from scraper.topics import document, normalize, normalized_terms
from storage.models import ArticleRow

SEARCH_TABLE = "article_search"
# PostgreSQL: one trigram signature per article (migration 0014).
SIGNATURE_TABLE = "article_search_signature"
# Bits per signature. A row of ~4,500 characters has ~2,000 distinct windows and sets
# about a fifth of them, so a word of three windows passes a row that lacks it ~1 time
# in 125; 512 bytes per article, stored inline (never compressed, never TOASTed).
SIGNATURE_BITS = 4096
# A private-use character: normalize() removes these from texts and queries, so it never
# occurs in the index except as the marker of a CJK pair.
MARK = "\ue000"
# Scripts written without spaces between words (and Hangul, whose words carry particles):
# Han (with its extensions and 々〆), kana, Hangul syllables and jamo.
_CJK = (
    "\u3005\u3006\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\U00020000-\U0003134f"
)
_CJK_RUN = re.compile(f"[{_CJK}]{{2,}}")
_CJK_PAIR = re.compile(f"[{_CJK}]{{2}}")
# Statements bind at most this many rows (bounded parameter counts, as elsewhere).
_CHUNK = 400

_ARTICLES = cast(Table, ArticleRow.__table__)
# Not in the models' metadata: migration 0011 owns this table, which on SQLite is an FTS5
# virtual table that the ORM cannot describe.
_FTS = table(SEARCH_TABLE, column("rowid", Integer), column("body", Text))
_TRGM = table(SEARCH_TABLE, column("article_id", Integer), column("body", Text))
_SIGNATURES = table(SIGNATURE_TABLE, column("article_id", Integer), column("bits", BIT))


def index_body(title: str, text: str) -> str:
    """What the index stores for an article: its normalized text, then its marked CJK
    pairs (each once)."""
    return body_of(document(title, text))


def body_of(normalized: str) -> str:
    """``index_body`` for a text already normalized by ``scraper.topics.document``."""
    pairs: dict[str, None] = {}
    for run in _CJK_RUN.findall(normalized):
        pairs.update(dict.fromkeys(map(str.__add__, run[:-1], run[1:])))
    if not pairs:
        return normalized
    return normalized + "\n" + MARK + MARK.join(pairs) + MARK


def signature(body: str) -> str:
    """The trigram signature of an index row (``index_body``), as PostgreSQL writes a
    ``bit(SIGNATURE_BITS)``: bit *i* is 1 when some window of three characters of the
    row hashes (CRC-32, the same in every process) to *i*.

    A row that contains a string contains each of its windows, so it has every bit of
    the string's own signature: a row lacking one of them cannot match (the test never
    loses a match; a row that has them all may still not match, and is tested on its
    text)."""
    bits = bytearray(b"0" * SIGNATURE_BITS)
    for window in {body[i : i + 3] for i in range(len(body) - 2)}:
        bits[zlib.crc32(window.encode()) % SIGNATURE_BITS] = 49  # "1"
    return bits.decode()


@dataclass(frozen=True)
class Needles:
    """What a search or a topic asks of an article: normalized, non-empty strings that
    its index row must contain, every one of them (a search's words) or any (a topic's
    terms). No string at all matches nothing."""

    strings: tuple[str, ...]
    every: bool


def search_needles(query: str) -> Needles | None:
    """The words of a search; None when the query has none (it narrows nothing)."""
    words = normalized_terms(normalize(query).split(" "))
    return Needles(words, every=True) if words else None


def topic_needles(terms: Sequence[str]) -> Needles:
    """A topic's terms: an article matches when it contains any of them."""
    return Needles(normalized_terms(terms), every=False)


def search_condition(dialect: str, query: str) -> ColumnElement[bool]:
    """Rows of `articles` whose title or text contains every whitespace-separated word of query."""
    needles = search_needles(query)
    return true() if needles is None else index_condition(dialect, needles)


def topic_condition(dialect: str, terms: Sequence[str]) -> ColumnElement[bool]:
    """Rows of `articles` whose title or text contains any of the terms."""
    return index_condition(dialect, topic_needles(terms))


def index_condition(dialect: str, needles: Needles) -> ColumnElement[bool]:
    """``articles.id IN (the index rows that match)``: the trigram index finds them all,
    so the cost grows with the number of matches."""
    if not needles.strings:
        return false()
    return _condition(dialect, needles.strings, every=needles.every)


def row_condition(
    dialect: str, needles: Needles, article_id: ColumnElement[int]
) -> ColumnElement[bool]:
    """The same test as ``index_condition``, made on one article's index row, read by its
    key: a correlated subquery that neither database can turn into an index search, so
    that a newest-first walk tests only the rows it walks (and stops at a page).

    A plain substring test (``instr``, ``strpos``) of each needle, marked CJK pairs as
    the index looks them up: what the trigram index answers, exactly. On PostgreSQL the
    row's signature is tested first, and the text (often TOASTed: read, decompressed and
    searched, some fifteen times the cost) only when the signature lets it match."""
    if not needles.strings:
        return false()
    index, key = _index_of(dialect)
    position = func.instr if dialect == "sqlite" else func.strpos
    tests = [position(index.c.body, _bound(_indexed(n))) > 0 for n in needles.strings]
    join = and_ if needles.every else or_
    test = select(join(*tests)).where(key == article_id).scalar_subquery()
    check = cast(ColumnElement[bool], test)
    excluded = _signature_excludes(dialect, needles, article_id)
    if excluded is None:
        return check
    # CASE fixes the order: the text only when the signature did not exclude the row. A
    # row without a signature (NULL) is tested on its text.
    return cast(ColumnElement[bool], case((excluded, false()), else_=check))


def _signature_excludes(
    dialect: str, needles: Needles, article_id: ColumnElement[int]
) -> ColumnElement[bool] | None:
    """PostgreSQL: "this row's signature lacks a bit that a match needs" (None when
    nothing can be excluded that way: SQLite, or a needle shorter than a window)."""
    if dialect != "postgresql":
        return None
    wanted = [signature(_indexed(n)) for n in needles.strings]
    if not needles.every and any("1" not in bits for bits in wanted):
        return None  # a term that any row may contain
    if needles.every:
        wanted = ["".join(max(b) for b in zip(*wanted, strict=True))]  # bitwise or
    if not any("1" in bits for bits in wanted):
        return None
    has = [_SIGNATURES.c.bits.op("&")(_bits(bits)) == _bits(bits) for bits in wanted]
    test = select(~or_(*has)).where(_SIGNATURES.c.article_id == article_id)
    return cast(ColumnElement[bool], test.scalar_subquery())


def _bits(value: str) -> Any:
    """A signature as a ``bit`` value, converted once per statement (an uncorrelated
    subquery: a generic plan would otherwise parse the 4,096 characters per row)."""
    return select(sql_cast(_bound(value), BIT(SIGNATURE_BITS))).scalar_subquery()


def _condition(dialect: str, needles: Sequence[str], *, every: bool) -> ColumnElement[bool]:
    """Articles whose index row contains every (or any) needle: normalized, non-empty."""
    # Any: each branch its own subquery, so that SQLite's MATCH branch keeps its index.
    return or_(*(_ARTICLES.c.id.in_(rows) for rows in _matching(dialect, needles, every=every)))


def _matching(dialect: str, needles: Sequence[str], *, every: bool) -> list[Select[Any]]:
    """The ids of the matching articles, found by the index: one query, or (any needle,
    on SQLite) one per kind of test, whose union is the answer."""
    join = and_ if every else or_
    if dialect == "postgresql":
        patterns = [_like_pattern(needle) for needle in needles]
        # No ESCAPE clause: PostgreSQL's LIKE escapes with a backslash by default.
        matches = [_TRGM.c.body.like(_bound(p)) for p in patterns]
        return [select(_TRGM.c.article_id).where(join(*matches))]
    if dialect != "sqlite":
        raise ValueError(f"full-text search supports sqlite and postgresql, not {dialect}")
    indexed = [_fts_phrase(n) for n in needles if _fts_phrase(n) is not None]
    scanned = [n for n in needles if _fts_phrase(n) is None]
    conditions: list[ColumnElement[bool]] = []
    if indexed:
        expression = (" AND " if every else " OR ").join(p for p in indexed if p)
        conditions.append(_FTS.c.body.op("MATCH")(_bound(expression)))
    conditions += [func.instr(_FTS.c.body, _bound(n)) > 0 for n in scanned]
    if every:
        return [select(_FTS.c.rowid).where(and_(*conditions))]
    return [select(_FTS.c.rowid).where(c) for c in conditions]


def _bound(value: str) -> Any:
    return bindparam(None, value, type_=String, unique=True)


def _is_cjk_pair(needle: str) -> bool:
    return _CJK_PAIR.fullmatch(needle) is not None


def _fts_phrase(needle: str) -> str | None:
    """An FTS5 string (a quoted phrase: no operator inside it means anything) that the
    trigram index answers, or None when the needle is too short for it."""
    if _is_cjk_pair(needle):
        needle = _indexed(needle)
    elif len(needle) < 3:
        return None
    return '"' + needle.replace('"', '""') + '"'


def _indexed(needle: str) -> str:
    """The string looked for in the index row: a CJK pair as its marked form."""
    return MARK + needle + MARK if _is_cjk_pair(needle) else needle


def _like_pattern(needle: str) -> str:
    needle = _indexed(needle)
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Writes (inside the article's own transaction) -------------------------------------------


async def write_index(
    connection: AsyncConnection, bodies: dict[int, str], *, replace: Iterable[int] = ()
) -> None:
    """Store the index rows ``bodies`` (article id: ``index_body``), first removing those
    of the articles ``replace`` (edited articles: search finds their current text)."""
    index, key = _index_of(connection.dialect.name)
    postgres = connection.dialect.name == "postgresql"
    stale = sorted(set(replace))
    for start in range(0, len(stale), _CHUNK):
        chunk = stale[start : start + _CHUNK]
        await connection.execute(delete(index).where(key.in_(chunk)))
        if postgres:
            await connection.execute(delete(_SIGNATURES).where(_SIGNATURES.c.article_id.in_(chunk)))
    rows = [{key.name: article_id, "body": body} for article_id, body in bodies.items()]
    for start in range(0, len(rows), _CHUNK):
        await connection.execute(insert(index), rows[start : start + _CHUNK])
    if postgres:
        await write_signatures(connection, bodies)


async def write_signatures(connection: AsyncConnection, bodies: dict[int, str]) -> None:
    """PostgreSQL: store the signatures of the index rows ``bodies`` (article id: body)."""
    statement = insert(_SIGNATURES).values(
        article_id=bindparam("article_id", type_=Integer),
        bits=sql_cast(bindparam("bits", type_=String), BIT(SIGNATURE_BITS)),
    )
    rows = [{"article_id": i, "bits": signature(body)} for i, body in bodies.items()]
    for start in range(0, len(rows), _CHUNK):
        await connection.execute(statement, rows[start : start + _CHUNK])


def _index_of(dialect: str) -> tuple[TableClause, ColumnClause[Any]]:
    """The index table and its article id column: FTS5 keys its rows by ``rowid``."""
    index = _FTS if dialect == "sqlite" else _TRGM
    return index, index.c.rowid if dialect == "sqlite" else index.c.article_id
