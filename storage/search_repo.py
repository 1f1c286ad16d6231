"""Search and topic conditions over the ``articles`` table.

TEMPORARY STUB (serve branch): the search engineer's module of the same name, backed by
the full-text index of migration 0011, replaces this file at merge. Same names and
signatures; here a plain LIKE over lower(title) and lower(text), bound parameters only."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, false, func, or_

from storage.models import ArticleRow


def _contains(term: str) -> ColumnElement[bool]:
    # SQLite's lower() folds ASCII only: the term as given is tried too, so a Cyrillic
    # term written as in the text matches there as well.
    exact, folded = (f"%{_escape_like(t)}%" for t in (term, term.lower()))
    return or_(
        ArticleRow.title.like(exact, escape="\\"),
        ArticleRow.text.like(exact, escape="\\"),
        func.lower(ArticleRow.title).like(folded, escape="\\"),
        func.lower(ArticleRow.text).like(folded, escape="\\"),
    )


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_condition(dialect: str, query: str) -> ColumnElement[bool]:
    """Every whitespace-separated word of ``query`` in the title or the text."""
    words = query.split()
    if not words:
        return false()
    return and_(*(_contains(word) for word in words))


def topic_condition(dialect: str, terms: Sequence[str]) -> ColumnElement[bool]:
    """Any of ``terms`` in the title or the text."""
    terms = [term for term in terms if term.strip()]
    if not terms:
        return false()
    return or_(*(_contains(term.strip()) for term in terms))
