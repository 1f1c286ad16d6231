"""What the read side (``scraper serve``: feeds, JSON API, web view) asks of the database.

Every query reads only, through ``StoreBase.reading`` (a deferred WAL reader on SQLite, so
a page view never waits for the daemon's writes). Filters are bound parameters; search and
topic matching come from ``storage.search_repo``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Literal

from sqlalchemy import ColumnElement, Row, Select, Subquery, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.base import StoreBase
from storage.models import ArticleRow, ArticleVersionRow, DeliveryRow, EventRow, SourceRow
from storage.search_repo import (
    Needles,
    index_condition,
    row_condition,
    search_needles,
    topic_needles,
)

SearchPlan = Literal["auto", "walk", "index"]
# No walk is shorter than this many pages' worth of rows.
_FEW_PAGES = 4
# How much dearer a row costs the index plan (find it, read its text, re-check it) than
# the walk (test the row): the walk's budget is √(limit × articles × this), the rows it
# can walk for what the index plan would cost at the number of matches that makes both
# plans equal. PostgreSQL's walk tests a row's signature (a few µs; its text only when
# the signature lets it match) where the index re-reads each candidate's TOASTed text
# (~70 µs at a million articles); SQLite's two read the same FTS5 rows.
_WALK_RATIO = {"postgresql": 16, "sqlite": 1}
# The first walk tests this share of the budget: a common string's page, or a sample of
# the newest rows that tells whether the whole budget would find one.
_SAMPLE_SHARE = 16


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles a listing shows. ``topic_terms`` are a topic's terms, already
    resolved from the configuration; ``duplicates`` includes copies of other articles."""

    source: str | None = None
    tag: str | None = None
    topic_terms: tuple[str, ...] | None = None
    language: str | None = None
    query: str | None = None
    duplicates: bool = False


@dataclass(frozen=True)
class PageKey:
    """Where a page of the newest-first listing starts: after this (first_seen_at, id)."""

    first_seen_at: datetime
    id: int


@dataclass(frozen=True)
class ArticleSummary:
    id: int
    source: str
    url: str
    canonical_url: str | None
    title: str
    author: str | None
    published_at: datetime | None
    published_date: date | None
    published_time: time | None
    published_utc_offset: int | None
    language: str | None
    text: str
    version: int
    duplicate_of: int | None
    first_seen_at: datetime
    updated_at: datetime
    content_hash: str

    @property
    def key(self) -> PageKey:
        return PageKey(self.first_seen_at, self.id)


@dataclass(frozen=True)
class VersionInfo:
    version: int
    title: str
    content_hash: str
    fetched_at: datetime


@dataclass(frozen=True)
class VersionText:
    version: int
    title: str
    text: str
    content_hash: str
    fetched_at: datetime


@dataclass(frozen=True)
class SourceStatus:
    name: str
    url: str
    kind: str
    enabled: bool
    tags: tuple[str, ...]
    failing: bool  # announced as source.failing, or its last run failed
    last_status: str | None
    last_error: str | None
    consecutive_failures: int
    last_run_at: datetime | None
    last_success_at: datetime | None
    next_run_at: datetime | None
    articles: int


@dataclass(frozen=True)
class DeadNotification:
    id: int
    channel: str
    attempts: int
    last_error: str | None
    event_id: str
    event_type: str
    article_id: int | None
    source: str | None
    created_at: datetime


_SUMMARY_COLUMNS = (
    ArticleRow.id, SourceRow.name, ArticleRow.url, ArticleRow.canonical_url, ArticleRow.title,
    ArticleRow.author, ArticleRow.published_at, ArticleRow.published_date,
    ArticleRow.published_time, ArticleRow.published_utc_offset, ArticleRow.language,
    ArticleRow.text, ArticleRow.version, ArticleRow.duplicate_of, ArticleRow.first_seen_at,
    ArticleRow.updated_at, ArticleRow.content_hash,
)  # fmt: skip


class ReadRepo(StoreBase):
    """The read side's queries; it never writes."""

    async def list_articles(
        self,
        where: ArticleFilter,
        *,
        limit: int,
        after: PageKey | None = None,
        plan: SearchPlan = "auto",
    ) -> list[ArticleSummary]:
        """Newest first (by first sight, then id: a stable order that pages by key, ties
        included), at most ``limit``, starting after ``after``.

        A search or topic is planned per request (docs/explanation/search-and-topics.md):
        both plans give the same rows in the same order, at different costs. ``plan``
        forces one of them (tests and benchmarks compare them)."""
        async with self.reading() as connection:
            conditions = await self._conditions(connection, where, limit)
            if conditions is None:
                return []
            if after is not None:
                # The first clause alone is what an index range can start from.
                conditions.append(ArticleRow.first_seen_at <= after.first_seen_at)
                conditions.append(
                    or_(
                        ArticleRow.first_seen_at < after.first_seen_at,
                        ArticleRow.id < after.id,
                    )
                )
            needles = _needles_of(where)
            if not needles:
                rows = await connection.execute(_newest(conditions).limit(limit))
                return [_summary(row) for row in rows]
            if plan != "auto":
                await _no_sequential_scans(connection)
            if plan == "index":
                return await self._from_index(connection, conditions, needles, limit)
            if plan == "walk":
                found, _ = await self._walk(connection, conditions, needles, limit, None)
                return found
            return await self._search(connection, conditions, needles, limit)

    async def _search(
        self,
        connection: AsyncConnection,
        conditions: list[ColumnElement[bool]],
        needles: list[Needles],
        limit: int,
    ) -> list[ArticleSummary]:
        """The newest ``limit`` articles that pass ``conditions`` and match ``needles``.

        Two plans. *Index*: the trigram index finds every match, the matches are sorted,
        a page is kept: cost ~ the number of matches. *Walk*: read the newest articles
        (by the first_seen_at index, under the other filters) and test each one's index
        row, stopping at a page: cost ~ limit / the share of articles that match. A
        common word costs the index plan much (it matches a large share) and the walk
        little; a rare one the reverse. The walk's budget is the number of rows it can
        test for what the index plan costs where both cost the same.

        1. A short walk (a sixteenth of the budget): a common string fills its page
           here, without reading the index at all (for a string of common trigrams,
           even counting a few matches on the index reads their long posting lists).
        2. The short walk is a sample of the newest rows: from the matches it found,
           the rows a page needs. Within the budget: walk again with the budget; a page
           found is the answer (every row not walked is older), and so is a walk that
           tested every row under the filters. Beyond it (no match at all, or too
           few), or when the budget ran out: the index plan."""
        if any(not n.strings for n in needles):
            return []  # a topic without terms
        await _no_sequential_scans(connection)
        total = await connection.scalar(select(func.max(ArticleRow.id))) or 0
        ratio = _WALK_RATIO[self.engine.dialect.name]
        budget = max(_FEW_PAGES * limit, math.isqrt(limit * total * ratio))
        sample = max(_FEW_PAGES * limit, budget // _SAMPLE_SHARE)
        found, settled = await self._walk(connection, conditions, needles, limit, sample)
        if settled:
            return found
        if found and limit * sample <= budget * len(found):
            found, settled = await self._walk(connection, conditions, needles, limit, budget)
            if settled:
                return found
        return await self._from_index(connection, conditions, needles, limit)

    async def _walk(
        self,
        connection: AsyncConnection,
        conditions: list[ColumnElement[bool]],
        needles: list[Needles],
        limit: int,
        budget: int | None,
    ) -> tuple[list[ArticleSummary], bool]:
        """The walk plan over at most ``budget`` rows (None: all of them): the matches
        found, and whether they are the answer (not when fewer than ``limit`` matched
        in the ``budget`` newest rows and there are more rows beyond them)."""
        dialect = self.engine.dialect.name
        recent = _newest(conditions).limit(budget).subquery("recent")
        walk = _newest_page(
            recent, limit, *(row_condition(dialect, n, recent.c.id) for n in needles)
        )
        found = [_summary(row) for row in await connection.execute(walk)]
        if len(found) == limit or budget is None:
            return found, True  # every article not walked is older than these
        walked = select(ArticleRow.id).where(*conditions).limit(budget).subquery()
        count = await connection.scalar(select(func.count()).select_from(walked)) or 0
        return found, count < budget  # every article under the filters was tested

    async def _from_index(
        self,
        connection: AsyncConnection,
        conditions: list[ColumnElement[bool]],
        needles: list[Needles],
        limit: int,
    ) -> list[ArticleSummary]:
        """The index plan: every match, then the newest ``limit`` of them. The matches are
        read in a subquery that cannot be merged into the ordered query (``OFFSET 0``),
        so that neither planner walks the first_seen_at index instead, testing each row
        against the whole set of matches."""
        dialect = self.engine.dialect.name
        matching = (
            _summary_query()
            .where(*conditions, *(index_condition(dialect, n) for n in needles))
            .offset(0)
            .subquery("matching")
        )
        query = _newest_page(matching, limit)
        return [_summary(row) for row in await connection.execute(query)]

    async def _conditions(
        self, connection: AsyncConnection, where: ArticleFilter, limit: int
    ) -> list[ColumnElement[bool]] | None:
        """The WHERE clauses of ``where``; None when nothing can match (a tag no source
        carries, a source unknown)."""
        conditions: list[ColumnElement[bool]] = []
        if not where.duplicates:
            # On SQLite not ``duplicate_of IS NULL``: it would pick that column's index
            # (nearly every row is NULL) and sort them all instead of walking
            # first_seen_at's. PostgreSQL estimates IS NULL from its statistics (and
            # a COALESCE as very selective, which misleads it into sorting).
            conditions.append(
                ArticleRow.duplicate_of.is_(None)
                if self.is_postgres
                else func.coalesce(ArticleRow.duplicate_of, 0) == 0
            )
        if where.source is not None or where.tag is not None:
            # Sources are few rows: the filter becomes a list of source ids. Tags are a
            # JSON list per source, matched here the same way on both databases.
            ids = [
                source_id
                for source_id, name, tags in await connection.execute(
                    select(SourceRow.id, SourceRow.name, SourceRow.tags)
                )
                if (where.source is None or name == where.source)
                and (where.tag is None or where.tag in (tags or []))
            ]
            if not ids:
                return None
            conditions.append(await self._of_sources(connection, ids, limit))
        if where.language is not None:
            conditions.append(ArticleRow.language == where.language)
        return conditions

    async def _of_sources(
        self, connection: AsyncConnection, ids: list[int], limit: int
    ) -> ColumnElement[bool]:
        """``source_id IN ids``, written so that SQLite takes the cheaper of two plans.

        SQLite keeps no statistics unless ANALYZE ran, and then always reads the
        matching rows through the source_id index and sorts them all: cost ~ matching.
        Walking first_seen_at's index newest first and skipping other sources costs
        ~ limit × total / matching. The second is cheaper once matching² > limit × total;
        counting the matches up to that bound (on the index alone) decides, and a
        column wrapped in ``+ 0`` keeps SQLite off the source_id index. PostgreSQL plans
        from its own statistics."""
        condition = ArticleRow.source_id.in_(ids)
        if self.is_postgres:
            return condition
        total = await connection.scalar(select(func.max(ArticleRow.id))) or 0
        bound = math.isqrt(limit * total) + 1
        matching = select(ArticleRow.id).where(condition).limit(bound).subquery()
        found = await connection.scalar(select(func.count()).select_from(matching)) or 0
        return (ArticleRow.source_id + 0).in_(ids) if found >= bound else condition

    async def article(self, article_id: int) -> ArticleSummary | None:
        query = (
            select(*_SUMMARY_COLUMNS)
            .join(SourceRow, SourceRow.id == ArticleRow.source_id)
            .where(ArticleRow.id == article_id)
        )
        async with self.reading() as connection:
            row = (await connection.execute(query)).first()
            return None if row is None else _summary(row)

    async def versions(self, article_id: int) -> list[VersionInfo]:
        """The stored versions of an article, oldest first (retention may have pruned some)."""
        query = (
            select(
                ArticleVersionRow.version,
                ArticleVersionRow.title,
                ArticleVersionRow.content_hash,
                ArticleVersionRow.fetched_at,
            )
            .where(ArticleVersionRow.article_id == article_id)
            .order_by(ArticleVersionRow.version)
        )
        async with self.reading() as connection:
            return [
                VersionInfo(r.version, r.title, r.content_hash, r.fetched_at)
                for r in await connection.execute(query)
            ]

    async def version_pair(
        self, article_id: int, version: int
    ) -> tuple[VersionText | None, VersionText | None]:
        """Version ``version`` of an article and the stored version before it (either
        may be missing: never stored, or pruned)."""
        query = (
            select(
                ArticleVersionRow.version, ArticleVersionRow.title, ArticleVersionRow.text,
                ArticleVersionRow.content_hash, ArticleVersionRow.fetched_at,
            )
            .where(
                ArticleVersionRow.article_id == article_id,
                ArticleVersionRow.version <= version,
            )
            .order_by(ArticleVersionRow.version.desc())
            .limit(2)
        )  # fmt: skip
        async with self.reading() as connection:
            rows = [
                VersionText(r.version, r.title, r.text, r.content_hash, r.fetched_at)
                for r in await connection.execute(query)
            ]
        if not rows or rows[0].version != version:
            return None, None
        return rows[0], rows[1] if len(rows) > 1 else None

    async def source_names(self) -> list[str]:
        async with self.reading() as connection:
            return list(await connection.scalars(select(SourceRow.name).order_by(SourceRow.name)))

    async def languages(self) -> list[str]:
        """The languages stored articles are in (for the web view's filter)."""
        query = (
            select(ArticleRow.language)
            .where(ArticleRow.language.is_not(None))
            .group_by(ArticleRow.language)
            .order_by(ArticleRow.language)
        )
        async with self.reading() as connection:
            return [language for language in await connection.scalars(query) if language]

    async def source_health(self) -> list[SourceStatus]:
        """Every source, failing ones first (longest failure streak first), then by name."""
        counts = (
            select(ArticleRow.source_id, func.count().label("n"))
            .group_by(ArticleRow.source_id)
            .subquery()
        )
        query = select(SourceRow, counts.c.n).outerjoin(counts, counts.c.source_id == SourceRow.id)
        async with self.reading() as connection:
            rows = (await connection.execute(query)).all()
        health = [
            SourceStatus(
                name=r.name, url=r.url, kind=r.kind, enabled=r.enabled,
                tags=tuple(r.tags or ()), failing=bool(r.failing) or r.last_status == "failed",
                last_status=r.last_status, last_error=r.last_error,
                consecutive_failures=r.consecutive_failures, last_run_at=r.last_run_at,
                last_success_at=r.last_success_at, next_run_at=r.next_run_at,
                articles=int(r.n or 0),
            )
            for r in rows
        ]  # fmt: skip
        return sorted(health, key=lambda s: (not s.failing, -s.consecutive_failures, s.name))

    async def dead_notifications(self, *, limit: int) -> list[DeadNotification]:
        """Deliveries given up on, newest first, with the event they were to carry."""
        query = (
            select(
                DeliveryRow.id, DeliveryRow.channel, DeliveryRow.attempts, DeliveryRow.last_error,
                EventRow.id.label("event_id"), EventRow.type, EventRow.article_id,
                SourceRow.name, EventRow.created_at,
            )
            .join(EventRow, EventRow.id == DeliveryRow.event_id)
            .outerjoin(SourceRow, SourceRow.id == EventRow.source_id)
            .where(DeliveryRow.status == "dead")
            .order_by(DeliveryRow.id.desc())
            .limit(limit)
        )  # fmt: skip
        async with self.reading() as connection:
            return [
                DeadNotification(
                    r.id, r.channel, r.attempts, r.last_error, r.event_id, r.type,
                    r.article_id, r.name, r.created_at,
                )
                for r in await connection.execute(query)
            ]  # fmt: skip


async def _no_sequential_scans(connection: AsyncConnection) -> None:
    """PostgreSQL, for the rest of this read's transaction: never read a whole table to
    test ``LIKE`` row by row. Its estimate of a ``LIKE``'s matches is blind, and under a
    ``LIMIT`` it then expects to find them early in a sequential
    scan: at 100,000 articles, 5,000 rows tested (444 ms) where the trigram index found
    the same 204 in 11 ms. Every statement of a search has an index to use."""
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SET LOCAL enable_seqscan = off"))


def _needles_of(where: ArticleFilter) -> list[Needles]:
    """What a search and a topic ask of the index (both, when both are given)."""
    found = [] if where.query is None else [search_needles(where.query)]
    if where.topic_terms is not None:
        found.append(topic_needles(where.topic_terms))
    return [needles for needles in found if needles is not None]


def _summary_query() -> Select[*tuple[Any, ...]]:
    return select(*_SUMMARY_COLUMNS).join(SourceRow, SourceRow.id == ArticleRow.source_id)


def _newest(conditions: list[ColumnElement[bool]]) -> Select[*tuple[Any, ...]]:
    """The listing's rows under ``conditions``, newest first (no limit yet)."""
    return (
        _summary_query()
        .where(*conditions)
        .order_by(ArticleRow.first_seen_at.desc(), ArticleRow.id.desc())
    )


def _newest_page(
    rows: Subquery, limit: int, *conditions: ColumnElement[bool]
) -> Select[*tuple[Any, ...]]:
    """The newest ``limit`` of a plan's ``rows`` under ``conditions``, in the listing's
    order (the one :func:`_newest` and the keyset cursor use)."""
    return (
        select(rows)
        .where(*conditions)
        .order_by(rows.c.first_seen_at.desc(), rows.c.id.desc())
        .limit(limit)
    )


def _summary(row: Row[*tuple[Any, ...]]) -> ArticleSummary:
    return ArticleSummary(
        id=row.id, source=row.name, url=row.url, canonical_url=row.canonical_url,
        title=row.title, author=row.author, published_at=row.published_at,
        published_date=row.published_date, published_time=row.published_time,
        published_utc_offset=row.published_utc_offset, language=row.language, text=row.text,
        version=row.version, duplicate_of=row.duplicate_of, first_seen_at=row.first_seen_at,
        updated_at=row.updated_at, content_hash=row.content_hash,
    )  # fmt: skip
