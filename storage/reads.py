"""Read-only queries for the operator commands (``scraper articles``, ``scraper status``,
``scraper dedup explain``) on the store's engine."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from storage.base import StoreBase
from storage.models import ArticleRow
from storage.records import ArticleListing, ArticleText, DeadDelivery, SourceHealth

__all__ = ["ArticleListing", "ArticleText", "DeadDelivery", "ReadQueries", "SourceHealth"]


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

    # The operator's reads, written once in storage.operator_reads.

    async def list_articles(
        self, *, source: str | None = None, since: datetime | None = None, limit: int = 100
    ) -> list[ArticleListing]:
        async with self.operator_reads() as reads:
            return await reads.list_articles(source=source, since=since, limit=limit)

    async def source_health(self) -> list[SourceHealth]:
        async with self.operator_reads() as reads:
            return await reads.source_health()

    async def delivery_counts(self) -> dict[tuple[str, str], int]:
        """(channel, status) → number of deliveries."""
        async with self.operator_reads() as reads:
            return await reads.delivery_counts()

    async def source_names(self) -> list[str]:
        """Every source the database knows, sorted (a removed source keeps its row)."""
        async with self.operator_reads() as reads:
            return await reads.source_names()

    async def dead_deliveries(self, limit: int = 50) -> list[DeadDelivery]:
        async with self.operator_reads() as reads:
            return await reads.dead_deliveries(limit)
