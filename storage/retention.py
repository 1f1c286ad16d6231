"""Retention, opt-in: ``scraper prune`` removes what a long-running deployment no longer
needs, and nothing else.

- Events older than N days whose every delivery is settled (``delivered`` or ``dead``),
  with those deliveries. An event with a ``pending`` delivery is never removed, whatever
  its age: the outbox promise (never lost) outranks retention.
- Article versions fetched more than N days ago, except each article's current version
  (the row whose ``version`` equals ``articles.version``): an article always keeps the
  version it shows. Articles themselves are never removed.

Deletes run in batches of ``batch`` rows, one short transaction each, so a large first
prune does not hold locks for long next to running workers. Indexes serve both steady-state
queries (``ix_events_created_at``, ``ix_article_versions_fetched_at``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.expression import Exists

from storage.base import StoreBase
from storage.models import ArticleRow, ArticleVersionRow, DeliveryRow, EventRow
from storage.types import utcnow

BATCH = 5_000


@dataclass(frozen=True)
class PruneReport:
    events: int = 0
    deliveries: int = 0
    versions: int = 0


async def prune(
    target: StoreBase | AsyncEngine,
    *,
    events_older_than_days: float | None = None,
    versions_older_than_days: float | None = None,
    now: datetime | None = None,
    batch: int = BATCH,
) -> PruneReport:
    """Delete settled events and superseded versions past their age; ``None`` keeps that
    kind for ever. Returns how many rows went."""
    store = target if isinstance(target, StoreBase) else StoreBase(target)
    moment = now or utcnow()
    events = deliveries = versions = 0
    if events_older_than_days is not None:
        cutoff = moment - timedelta(days=_days(events_older_than_days))
        while True:
            gone_events, gone_deliveries = await _prune_events(store, cutoff, batch)
            events, deliveries = events + gone_events, deliveries + gone_deliveries
            if gone_events < batch:
                break
    if versions_older_than_days is not None:
        cutoff = moment - timedelta(days=_days(versions_older_than_days))
        while True:
            gone = await _prune_versions(store, cutoff, batch)
            versions += gone
            if gone < batch:
                break
    return PruneReport(events=events, deliveries=deliveries, versions=versions)


def _days(value: float) -> float:
    if value < 0:
        raise ValueError(f"a retention period cannot be negative: {value} days")
    return value


def _pending(event_id: InstrumentedAttribute[str]) -> Exists:
    return exists().where(DeliveryRow.event_id == event_id, DeliveryRow.status == "pending")


async def _prune_events(store: StoreBase, cutoff: datetime, batch: int) -> tuple[int, int]:
    async with store.transaction() as session:
        ids = list(
            await session.scalars(
                select(EventRow.id)
                .where(EventRow.created_at < cutoff, ~_pending(EventRow.id))
                .limit(batch)
            )
        )
        if not ids:
            return 0, 0
        # A dead delivery put back in the queue meanwhile (``scraper retry``) keeps its
        # row and its event: both statements re-check "pending".
        gone_deliveries = await session.execute(
            delete(DeliveryRow).where(
                DeliveryRow.event_id.in_(ids), DeliveryRow.status != "pending"
            )
        )
        gone_events = await session.execute(
            delete(EventRow).where(EventRow.id.in_(ids), ~_pending(EventRow.id))
        )
        return _count(gone_events), _count(gone_deliveries)


async def _prune_versions(store: StoreBase, cutoff: datetime, batch: int) -> int:
    superseded = and_(
        ArticleVersionRow.fetched_at < cutoff,
        ArticleVersionRow.version
        < select(ArticleRow.version)
        .where(ArticleRow.id == ArticleVersionRow.article_id)
        .scalar_subquery(),
    )
    async with store.transaction() as session:
        ids = list(
            await session.scalars(select(ArticleVersionRow.id).where(superseded).limit(batch))
        )
        if not ids:
            return 0
        result = await session.execute(
            delete(ArticleVersionRow).where(ArticleVersionRow.id.in_(ids), superseded)
        )
        return _count(result)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
