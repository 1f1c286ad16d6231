"""Article rows and their versions. ``save_article`` is the one write path: in a single
transaction it stores a new article or a new version, decides whether it duplicates an
earlier article, and writes the outbox events that announce it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select, text, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from scraper.errors import StorageError
from storage.base import StoreBase
from storage.events import Router, add_event, change_summary
from storage.models import ArticleRow, ArticleVersionRow, SimhashBandRow

Outcome = Literal["new", "updated", "unchanged", "duplicate"]


@dataclass(frozen=True)
class ArticleInput:
    """An extracted, normalised and hashed article, ready to store."""

    url: str
    title: str
    text: str
    content_hash: str
    canonical_url: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    simhash: int | None = None  # signed 64-bit form
    simhash_bands: tuple[int, ...] = ()


@dataclass(frozen=True)
class ArticleState:
    """What the pipeline needs to know of a stored article to decide on re-fetching it."""

    id: int
    url: str
    version: int
    content_hash: str
    next_check_at: datetime | None
    listed_updated_at: datetime | None
    updated_at: datetime
    first_seen_at: datetime
    etag: str | None
    last_modified: str | None
    check_count: int


@dataclass(frozen=True)
class CheckPlan:
    """When to look at the article again, and the validators its URL answered with."""

    next_check_at: datetime | None
    etag: str | None = None
    last_modified: str | None = None
    listed_updated_at: datetime | None = None


@dataclass(frozen=True)
class SaveResult:
    outcome: Outcome
    article_id: int
    version: int
    duplicate_of: int | None = None
    event_ids: tuple[str, ...] = ()


# Given two signed simhashes, whether they are near duplicates.
NearMatch = Callable[[int, int], bool]


@dataclass(frozen=True)
class _Write:
    """One call of ``save_article``, carried through its steps."""

    source_id: int
    source_name: str
    item: ArticleInput
    plan: CheckPlan
    router: Router
    near_match: NearMatch
    page_watch: bool


def _never_near(_a: int, _b: int) -> bool:
    return False


class ArticleQueries(StoreBase):
    async def known_articles(self, urls: Sequence[str]) -> dict[str, ArticleState]:
        found: dict[str, ArticleState] = {}
        unique = list(dict.fromkeys(urls))
        async with self.transaction() as session:
            for start in range(0, len(unique), 500):  # keep IN lists of bounded size
                chunk = unique[start : start + 500]
                rows = await session.scalars(select(ArticleRow).where(ArticleRow.url.in_(chunk)))
                found.update({row.url: _state(row) for row in rows})
        return found

    async def due_rechecks(self, source_id: int, *, limit: int) -> list[ArticleState]:
        async with self.transaction() as session:
            rows = await session.scalars(
                select(ArticleRow)
                .where(
                    ArticleRow.source_id == source_id,
                    ArticleRow.next_check_at.is_not(None),
                    ArticleRow.next_check_at <= self.clock(),
                )
                .order_by(ArticleRow.next_check_at)
                .limit(limit)
            )
            return [_state(row) for row in rows]

    async def mark_checked(self, article_id: int, plan: CheckPlan) -> None:
        """A re-check found nothing new (304, or the same text): schedule the next one."""
        async with self.transaction() as session:
            row = await session.get(ArticleRow, article_id, with_for_update=self.is_postgres)
            if row is not None:
                _apply_plan(row, plan, self.clock())

    async def save_article(
        self,
        *,
        source_id: int,
        source_name: str,
        item: ArticleInput,
        plan: CheckPlan,
        router: Router,
        near_match: NearMatch = _never_near,
        page_watch: bool = False,
    ) -> SaveResult:
        write = _Write(source_id, source_name, item, plan, router, near_match, page_watch)
        for attempt in range(3):
            try:
                async with self.transaction() as session:
                    return await self._save(session, write)
            except StorageError as exc:
                # Another worker inserted the same URL between our read and our insert:
                # run again, which now takes the update path.
                if not isinstance(exc.__cause__, IntegrityError) or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _save(self, session: AsyncSession, write: _Write) -> SaveResult:
        now, item, plan = self.clock(), write.item, write.plan
        row = await session.scalar(
            self.for_update(select(ArticleRow).where(ArticleRow.url == item.url))
        )
        if row is None:
            return await self._insert(session, write, now)
        if row.content_hash == item.content_hash and row.title == item.title:
            _apply_plan(row, plan, now)
            return SaveResult("unchanged", row.id, row.version, row.duplicate_of)

        changes = change_summary(row.text, item.text, row.title, item.title)
        was_duplicate_of = row.duplicate_of
        if was_duplicate_of is not None:
            # A copy that was edited may no longer be a copy: look again.
            row.duplicate_of = await _find_original(session, item, write.near_match, exclude=row.id)
            if row.duplicate_of is None:
                changes["previously_duplicate_of"] = was_duplicate_of
        row.version += 1
        _copy_content(row, item)
        row.updated_at = now
        _apply_plan(row, plan, now)
        session.add(_version_row(row, now))
        await _replace_bands(session, row.id, item.simhash_bands)
        await session.flush()
        event_ids: tuple[str, ...] = ()
        if row.duplicate_of is None:
            event_type = "page.changed" if write.page_watch else "article.updated"
            event_id = await _announce(session, write, event_type, now, row, {"changes": changes})
            event_ids = (event_id,)
        return SaveResult("updated", row.id, row.version, row.duplicate_of, event_ids)

    async def _insert(self, session: AsyncSession, write: _Write, now: datetime) -> SaveResult:
        item = write.item
        if self.is_postgres and item.text:
            # Serialize concurrent workers storing the same text, so exactly one of them
            # stores the original and the others see it and become duplicates.
            await session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(item.content_hash)}
            )
        duplicate_of = None
        if not write.page_watch and item.text:
            duplicate_of = await _find_original(session, item, write.near_match)
        row = ArticleRow(
            source_id=write.source_id,
            url=item.url,
            version=1,
            duplicate_of=duplicate_of,
            first_seen_at=now,
            updated_at=now,
            check_count=0,
        )
        _copy_content(row, item)
        _apply_plan(row, write.plan, now)
        session.add(row)
        await session.flush()
        session.add(_version_row(row, now))
        await _replace_bands(session, row.id, item.simhash_bands, new=True)
        if write.page_watch:  # the first capture of a watched page is a baseline, not a change
            return SaveResult("new", row.id, 1)
        event_type = "article.duplicate" if duplicate_of is not None else "article.new"
        extra = {"duplicate_of": duplicate_of} if duplicate_of is not None else None
        event_id = await _announce(session, write, event_type, now, row, extra)
        outcome: Outcome = "duplicate" if duplicate_of is not None else "new"
        return SaveResult(outcome, row.id, 1, duplicate_of, (event_id,))


async def _announce(
    session: AsyncSession,
    write: _Write,
    event_type: str,
    now: datetime,
    row: ArticleRow,
    extra: dict[str, Any] | None,
) -> str:
    return await add_event(
        session,
        event_type=event_type,
        occurred_at=now,
        source_id=write.source_id,
        source_name=write.source_name,
        router=write.router,
        article=row,
        extra=extra,
    )


async def _find_original(
    session: AsyncSession, item: ArticleInput, near_match: NearMatch, exclude: int | None = None
) -> int | None:
    """The earliest stored article with the same text, else with nearly the same text.
    Duplicates point at the original, never at another duplicate."""
    exact = await session.execute(
        select(ArticleRow.id, ArticleRow.duplicate_of)
        .where(
            ArticleRow.content_hash == item.content_hash,
            ArticleRow.url != item.url,
            ArticleRow.id != (exclude or 0),
        )
        .order_by(ArticleRow.id)
        .limit(1)
    )
    hit = exact.first()
    if hit is not None:
        return int(hit.duplicate_of or hit.id)
    if item.simhash is None or not item.simhash_bands:
        return None
    pairs = list(enumerate(item.simhash_bands))
    candidates = await session.execute(
        select(ArticleRow.id, ArticleRow.duplicate_of, ArticleRow.simhash)
        .join(SimhashBandRow, SimhashBandRow.article_id == ArticleRow.id)
        .where(
            tuple_(SimhashBandRow.band, SimhashBandRow.value).in_(pairs),
            ArticleRow.id != (exclude or 0),
        )
        .distinct()
        .order_by(ArticleRow.id)
    )
    for candidate in candidates:
        if candidate.simhash is not None and near_match(item.simhash, candidate.simhash):
            return int(candidate.duplicate_of or candidate.id)
    return None


async def _replace_bands(
    session: AsyncSession, article_id: int, bands: tuple[int, ...], *, new: bool = False
) -> None:
    if not new:  # a brand-new article has no bands to replace: save the round trip
        existing = await session.scalars(
            select(SimhashBandRow).where(SimhashBandRow.article_id == article_id)
        )
        for band_row in existing:
            await session.delete(band_row)
        await session.flush()
    session.add_all(
        SimhashBandRow(article_id=article_id, band=index, value=value)
        for index, value in enumerate(bands)
    )


def _copy_content(row: ArticleRow, item: ArticleInput) -> None:
    row.title = item.title
    row.text = item.text
    row.content_hash = item.content_hash
    row.canonical_url = item.canonical_url
    row.author = item.author
    row.published_at = item.published_at
    row.language = item.language
    row.simhash = item.simhash


def _apply_plan(row: ArticleRow, plan: CheckPlan, now: datetime) -> None:
    row.last_checked_at = now
    row.next_check_at = plan.next_check_at
    row.check_count = (row.check_count or 0) + 1
    if plan.etag is not None or plan.last_modified is not None:
        row.etag, row.last_modified = plan.etag, plan.last_modified
    if plan.listed_updated_at is not None:
        row.listed_updated_at = plan.listed_updated_at


def _version_row(row: ArticleRow, now: datetime) -> ArticleVersionRow:
    return ArticleVersionRow(
        article_id=row.id,
        version=row.version,
        title=row.title,
        text=row.text,
        content_hash=row.content_hash,
        fetched_at=now,
    )


def _state(row: ArticleRow) -> ArticleState:
    return ArticleState(
        id=row.id,
        url=row.url,
        version=row.version,
        content_hash=row.content_hash,
        next_check_at=row.next_check_at,
        listed_updated_at=row.listed_updated_at,
        updated_at=row.updated_at,
        first_seen_at=row.first_seen_at,
        etag=row.etag,
        last_modified=row.last_modified,
        check_count=row.check_count,
    )


def _lock_key(content_hash: str) -> int:
    return int.from_bytes(hashlib.sha256(content_hash.encode()).digest()[:8], "big", signed=True)
