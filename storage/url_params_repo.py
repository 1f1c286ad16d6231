"""What the poller learns about a source's article addresses: which query parameters are
listing context (``pageNo``, ``srchBgUid``...) rather than part of an article's identity,
and the stored articles that a new address may turn out to be."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from storage.base import StoreBase
from storage.models import ArticleRow, SourceUrlParamRow

__all__ = ["CONFIRMATIONS", "StoredArticle", "UrlParamQueries"]

# Distinct contents that must agree before a parameter counts as context. One agreeing
# pair could be two different articles with the same text (an error page, a stub); two
# different texts that each ignore the parameter's value are evidence about the site.
CONFIRMATIONS = 2


@dataclass(frozen=True)
class StoredArticle:
    id: int
    url: str


class UrlParamQueries(StoreBase):
    async def context_params(self, source_id: int) -> frozenset[str]:
        """The parameters learned to be context for this source (lower-case names)."""
        async with self.transaction() as session:
            rows = await session.execute(
                select(SourceUrlParamRow.name).where(
                    SourceUrlParamRow.source_id == source_id,
                    (SourceUrlParamRow.via == "canonical")
                    | (SourceUrlParamRow.evidence >= CONFIRMATIONS),
                )
            )
            return frozenset(rows.scalars())

    async def record_context(
        self,
        source_id: int,
        names: Iterable[str],
        *,
        content_hash: str,
        example_url: str,
        via: str,
    ) -> None:
        """Evidence that ``names`` are context: two URLs differing in them gave the
        content ``content_hash`` (``via="content"``), or the page's canonical URL left
        them out (``via="canonical"``, conclusive at once)."""
        wanted = sorted({n.lower() for n in names})
        if not wanted:
            return
        now = self.clock()
        for attempt in range(2):
            try:
                async with self.transaction() as session:
                    rows = await session.execute(
                        select(SourceUrlParamRow).where(
                            SourceUrlParamRow.source_id == source_id,
                            SourceUrlParamRow.name.in_(wanted),
                        )
                    )
                    known = {row.name: row for row in rows.scalars()}
                    for name in wanted:
                        row = known.get(name)
                        if row is None:
                            session.add(SourceUrlParamRow(
                                source_id=source_id, name=name, via=via, evidence=1,
                                last_hash=content_hash, example_url=example_url, updated_at=now,
                            ))  # fmt: skip
                            continue
                        if via == "canonical":
                            row.via = "canonical"
                        if row.last_hash != content_hash:
                            row.evidence += 1
                            row.last_hash = content_hash
                            row.example_url = example_url
                        row.updated_at = now
                return
            except Exception as exc:  # another worker inserted the same name first
                if attempt or not isinstance(exc.__cause__, IntegrityError):
                    raise

    async def same_content(
        self, source_id: int, content_hash: str, *, limit: int = 20
    ) -> list[StoredArticle]:
        """Stored articles of this source whose text hashes to ``content_hash``."""
        async with self.connection() as connection:
            rows = await connection.execute(
                select(ArticleRow.id, ArticleRow.url)
                .where(ArticleRow.source_id == source_id, ArticleRow.content_hash == content_hash)
                .order_by(ArticleRow.id)
                .limit(limit)
            )
            return [StoredArticle(row.id, row.url) for row in rows]

    async def rename_article(self, article_id: int, url: str) -> bool:
        """Give a stored article its identity address (its old one carried context
        parameters); False when another stored article already has that address."""
        try:
            async with self.connection() as connection:
                taken = await connection.execute(
                    select(ArticleRow.id).where(ArticleRow.url == url).limit(1)
                )
                if taken.first() is not None:
                    return False
                result = await connection.execute(
                    update(ArticleRow).where(ArticleRow.id == article_id).values(url=url)
                )
                return bool(result.rowcount)
        except Exception as exc:  # the address was taken between the check and the write
            if isinstance(exc.__cause__, IntegrityError):
                return False
            raise
