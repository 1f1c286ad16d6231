"""What an operator (or a changed ``recheck:``) does to the schedule of stored work:
forcing a re-check of stored articles, clearing a source's failure back-off, and planning
stored articles again when their source's re-check schedule changed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import Update, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.base import StoreBase
from storage.models import ArticleRow, SourceRow

# (first seen, re-checks done, schedule, now) -> the next re-check, None for no more.
Planner = Callable[[datetime, int, tuple[float, ...], datetime], datetime | None]

_BATCH = 1000


class OverrideQueries(StoreBase):
    async def force_recheck(self, source: str | None = None) -> int:
        """Make the stored articles of ``source`` (every source when None) due for a
        re-check now, so the source's next poll fetches them again, whether or not their
        schedule had run out. Watched pages (``kind: page``) are fetched at every poll
        anyway and are left alone. Returns how many articles were scheduled."""
        listing_sources = select(SourceRow.id).where(SourceRow.kind != "page")
        if source is not None:
            listing_sources = listing_sources.where(SourceRow.name == source)
        async with self.connection() as connection:
            result = await connection.execute(
                update(ArticleRow)
                .where(ArticleRow.source_id.in_(listing_sources.scalar_subquery()))
                .values(next_check_at=self.clock())
            )
            return int(getattr(result, "rowcount", 0) or 0)

    async def reset_backoff(self, source: str) -> bool:
        """Forget ``source``'s failures in a row, so it is polled at its next chance rather
        than after a back-off of up to a day. A source announced as failing stays so until
        a poll succeeds (which announces source.recovered). False: no such source."""
        async with self.connection() as connection:
            result = await connection.execute(
                update(SourceRow)
                .where(SourceRow.name == source)
                .values(consecutive_failures=0, next_run_at=self.clock())
            )
            return bool(getattr(result, "rowcount", 0))

    async def apply_recheck_schedules(
        self, schedules: Mapping[str, Sequence[float]], plan: Planner
    ) -> dict[str, int]:
        """Record each source's ``recheck:`` offsets; where they differ from those its
        stored articles were planned with, plan those articles again with ``plan``.
        Returns source name -> articles planned again (sources whose schedule changed).

        Replanned: articles with a re-check pending, and those whose old schedule had run
        out (a longer schedule brings them back). Left alone: articles taken off the
        schedule for good (a 404/410, not an article) and watched pages."""
        replanned: dict[str, int] = {}
        async with self.connection() as connection:
            rows = (
                await connection.execute(
                    select(SourceRow.id, SourceRow.name, SourceRow.kind, SourceRow.recheck_after)
                    .where(SourceRow.name.in_(list(schedules)))
                )
            ).all()  # fmt: skip
        # Sources without stored articles to plan again (new ones: 10,000 at the first
        # start) only record their schedule: in one statement, not a transaction each.
        record: list[dict[str, object]] = []
        for source_id, name, kind, stored in rows:
            wanted = [float(offset) for offset in schedules[name]]
            if stored == wanted:
                continue
            if stored is None or kind == "page":
                record.append({"_id": source_id, "_wanted": wanted})
                continue
            async with self.connection() as connection:
                replanned[name] = await self._replan(
                    connection, source_id, len(stored), tuple(wanted), plan
                )
                await connection.execute(_RECORD, [{"_id": source_id, "_wanted": wanted}])
        for start in range(0, len(record), _BATCH):
            async with self.connection() as connection:
                await connection.execute(_RECORD, record[start : start + _BATCH])
        return replanned

    async def _replan(
        self,
        connection: AsyncConnection,
        source_id: int,
        old_length: int,
        schedule: tuple[float, ...],
        plan: Planner,
    ) -> int:
        now = self.clock()
        # check_count counts the first save: the pending re-check is number check_count - 1.
        on_schedule = or_(
            ArticleRow.next_check_at.is_not(None), ArticleRow.check_count - 1 >= old_length
        )
        done, last_id = 0, 0
        while True:
            batch = (
                await connection.execute(
                    select(ArticleRow.id, ArticleRow.first_seen_at, ArticleRow.check_count)
                    .where(ArticleRow.source_id == source_id, ArticleRow.id > last_id, on_schedule)
                    .order_by(ArticleRow.id)
                    .limit(_BATCH)
                )
            ).all()  # fmt: skip
            if not batch:
                return done
            values = [
                {"_id": id_, "_next": plan(first_seen, max(count - 1, 0), schedule, now)}
                for id_, first_seen, count in batch
            ]
            await connection.execute(_REPLAN, values)
            done += len(batch)
            last_id = batch[-1][0]


_RECORD: Update = (
    update(SourceRow)
    .where(SourceRow.id == bindparam("_id"))
    .values(recheck_after=bindparam("_wanted", type_=SourceRow.recheck_after.type))
)
_REPLAN: Update = (
    update(ArticleRow)
    .where(ArticleRow.id == bindparam("_id"))
    .values(next_check_at=bindparam("_next"))
)
