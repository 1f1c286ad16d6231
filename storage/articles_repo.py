"""Article rows: which URLs are stored, which are due for a re-check, and the write
path (``storage.article_writes``) wrapped in transactions, with a retry for the race of
two workers inserting the same URL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from scraper.errors import StorageError
from storage.article_types import ArticleInput, ArticleWrite, CheckPlan, Outcome, SaveResult
from storage.article_writes import write_batch
from storage.base import StoreBase
from storage.check_plans import PLAN_UPDATE, plan_values
from storage.events import Router
from storage.models import ArticleRow

__all__ = [
    "ArticleInput",
    "ArticleQueries",
    "ArticleState",
    "ArticleWrite",
    "CheckPlan",
    "Outcome",
    "SaveResult",
]


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


class ArticleQueries(StoreBase):
    async def known_and_due(
        self, source_id: int, urls: Sequence[str], *, limit: int
    ) -> tuple[dict[str, ArticleState], list[ArticleState]]:
        """What a poll needs to know of its links, in one round trip: the stored articles
        among ``urls`` (by URL), and up to ``limit`` of the source's articles due for a
        re-check, soonest first."""
        async with self.reading() as connection:
            known = await _known(connection, urls)
            return known, await _due(connection, source_id, limit, self.clock())

    async def mark_checked(self, article_id: int, plan: CheckPlan) -> None:
        """A re-check found nothing new (304, or the same text): schedule the next one."""
        async with self.connection() as connection:
            await connection.execute(PLAN_UPDATE, [plan_values(article_id, plan, self.clock())])

    async def save_article(
        self,
        *,
        source_id: int,
        source_name: str,
        item: ArticleInput,
        plan: CheckPlan,
        router: Router,
        near_duplicates: bool = False,
        page_watch: bool = False,
    ) -> SaveResult:
        """Store one article (see ``save_articles``)."""
        write = ArticleWrite(source_id, source_name, item, plan, router, page_watch)
        (result,) = await self.save_articles([write], near_duplicates=near_duplicates)
        return result

    async def save_articles(
        self, writes: Sequence[ArticleWrite], *, near_duplicates: bool = False
    ) -> list[SaveResult]:
        """Store new articles and new versions, each with its version row and the outbox
        events that announce it, all in one transaction; one result per write. With
        ``near_duplicates``, a new text that the index offers as a candidate for a stored
        one and that passes verification on both texts is its near duplicate
        (:mod:`scraper.dedup_verify`); without, only exact copies are."""
        for attempt in range(3):
            try:
                async with self.connection() as connection:
                    return await write_batch(
                        connection, writes, now=self.clock(), near_duplicates=near_duplicates,
                        is_postgres=self.is_postgres,
                    )  # fmt: skip
            except StorageError as exc:
                # Another worker inserted one of the URLs between our read and our insert:
                # run again, which now takes the update path for it.
                if not isinstance(exc.__cause__, IntegrityError) or attempt == 2:
                    raise
        raise AssertionError("unreachable")


_STATE_COLUMNS = (
    ArticleRow.id, ArticleRow.url, ArticleRow.version, ArticleRow.content_hash,
    ArticleRow.next_check_at, ArticleRow.listed_updated_at, ArticleRow.updated_at,
    ArticleRow.first_seen_at, ArticleRow.etag, ArticleRow.last_modified, ArticleRow.check_count,
)  # fmt: skip


async def _known(connection: AsyncConnection, urls: Sequence[str]) -> dict[str, ArticleState]:
    found: dict[str, ArticleState] = {}
    unique = list(dict.fromkeys(urls))
    for start in range(0, len(unique), 500):  # keep IN lists of bounded size
        chunk = unique[start : start + 500]
        rows = await connection.execute(select(*_STATE_COLUMNS).where(ArticleRow.url.in_(chunk)))
        found.update({row.url: _state(row) for row in rows})
    return found


async def _due(
    connection: AsyncConnection, source_id: int, limit: int, now: datetime
) -> list[ArticleState]:
    rows = await connection.execute(
        select(*_STATE_COLUMNS)
        .where(
            ArticleRow.source_id == source_id,
            ArticleRow.next_check_at.is_not(None),
            ArticleRow.next_check_at <= now,
        )
        .order_by(ArticleRow.next_check_at)
        .limit(limit)
    )
    return [_state(row) for row in rows]


def _state(row: Row[*tuple[Any, ...]]) -> ArticleState:
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
