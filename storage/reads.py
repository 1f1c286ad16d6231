"""Read-only queries for the operator commands (``scraper articles``, ``scraper status``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from storage.base import StoreBase
from storage.models import ArticleRow, DeliveryRow, SourceRow


@dataclass(frozen=True)
class ArticleListing:
    id: int
    source: str
    url: str
    title: str
    published_at: datetime | None
    published_date: date | None  # the publisher's calendar day
    language: str | None
    version: int
    duplicate_of: int | None
    first_seen_at: datetime
    updated_at: datetime
    content_hash: str
    text: str


@dataclass(frozen=True)
class ArticleText:
    id: int
    url: str
    text: str
    duplicate_of: int | None


@dataclass(frozen=True)
class SourceHealth:
    name: str
    url: str
    kind: str
    enabled: bool
    last_run_at: datetime | None
    last_status: str | None
    last_error: str | None
    consecutive_failures: int
    failing: bool
    next_run_at: datetime | None
    last_success_at: datetime | None
    articles: int


@dataclass(frozen=True)
class DeadDelivery:
    id: int
    event_id: str
    channel: str
    attempts: int
    last_error: str | None


class ReadQueries(StoreBase):
    async def article_texts(self, ids: list[int]) -> dict[int, ArticleText]:
        """The current text of the stored articles ``ids`` (for ``scraper dedup explain``)."""
        query = select(
            ArticleRow.id, ArticleRow.url, ArticleRow.text, ArticleRow.duplicate_of
        ).where(ArticleRow.id.in_(ids))
        async with self.transaction() as session:
            return {
                row.id: ArticleText(row.id, row.url, row.text, row.duplicate_of)
                for row in await session.execute(query)
            }

    async def list_articles(
        self, *, source: str | None = None, since: datetime | None = None, limit: int = 100
    ) -> list[ArticleListing]:
        query = (
            select(ArticleRow, SourceRow.name)
            .join(SourceRow, SourceRow.id == ArticleRow.source_id)
            .order_by(ArticleRow.first_seen_at.desc(), ArticleRow.id.desc())
            .limit(limit)
        )
        if source is not None:
            query = query.where(SourceRow.name == source)
        if since is not None:
            query = query.where(ArticleRow.updated_at >= since)
        async with self.transaction() as session:
            rows = await session.execute(query)
            return [
                ArticleListing(
                    id=a.id,
                    source=name,
                    url=a.url,
                    title=a.title,
                    published_at=a.published_at,
                    published_date=a.published_date,
                    language=a.language,
                    version=a.version,
                    duplicate_of=a.duplicate_of,
                    first_seen_at=a.first_seen_at,
                    updated_at=a.updated_at,
                    content_hash=a.content_hash,
                    text=a.text,
                )
                for a, name in rows
            ]

    async def source_health(self) -> list[SourceHealth]:
        counts = (
            select(ArticleRow.source_id, func.count().label("n"))
            .group_by(ArticleRow.source_id)
            .subquery()
        )
        async with self.transaction() as session:
            rows = await session.execute(
                select(SourceRow, counts.c.n)
                .outerjoin(counts, counts.c.source_id == SourceRow.id)
                .order_by(SourceRow.name)
            )
            return [
                SourceHealth(
                    name=s.name,
                    url=s.url,
                    kind=s.kind,
                    enabled=s.enabled,
                    last_run_at=s.last_run_at,
                    last_status=s.last_status,
                    last_error=s.last_error,
                    consecutive_failures=s.consecutive_failures,
                    failing=s.failing,
                    next_run_at=s.next_run_at,
                    last_success_at=s.last_success_at,
                    articles=int(n or 0),
                )
                for s, n in rows
            ]

    async def delivery_counts(self) -> dict[tuple[str, str], int]:
        """(channel, status) → number of deliveries."""
        async with self.transaction() as session:
            rows = await session.execute(
                select(DeliveryRow.channel, DeliveryRow.status, func.count()).group_by(
                    DeliveryRow.channel, DeliveryRow.status
                )
            )
            return {(channel, status): int(count) for channel, status, count in rows}

    async def source_names(self) -> list[str]:
        """Every source the database knows, sorted (a removed source keeps its row)."""
        async with self.transaction() as session:
            return list(await session.scalars(select(SourceRow.name).order_by(SourceRow.name)))

    async def dead_deliveries(self, limit: int = 50) -> list[DeadDelivery]:
        async with self.transaction() as session:
            rows = await session.scalars(
                select(DeliveryRow)
                .where(DeliveryRow.status == "dead")
                .order_by(DeliveryRow.id.desc())
                .limit(limit)
            )
            return [
                DeadDelivery(r.id, r.event_id, r.channel, r.attempts, r.last_error) for r in rows
            ]
