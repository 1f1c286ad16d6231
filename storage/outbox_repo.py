"""The delivery side of the outbox: claiming due deliveries (several dispatchers may run
at once: rows are leased with SKIP LOCKED), and recording each attempt's outcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update

from storage.base import StoreBase
from storage.models import DeliveryRow, EventRow, SourceRow


@dataclass(frozen=True)
class OutboxDelivery:
    id: int
    event_id: str
    channel: str
    attempts: int
    event_type: str
    payload: dict[str, Any]
    source_name: str | None


def _held(delivery_id: int, owner: str) -> tuple[ColumnElement[bool], ...]:
    """A pending delivery still leased by ``owner``. A worker whose lease expired mid-send
    and was taken over records nothing: the new holder sends again (at least once)."""
    return (
        DeliveryRow.id == delivery_id,
        DeliveryRow.status == "pending",
        DeliveryRow.lease_owner == owner,
    )


class OutboxQueries(StoreBase):
    async def claim_deliveries(
        self, *, owner: str, now: datetime, limit: int, lease_seconds: float = 60.0
    ) -> list[OutboxDelivery]:
        async with self.transaction() as session:
            due = self.for_update(
                select(DeliveryRow)
                .where(
                    DeliveryRow.status == "pending",
                    or_(DeliveryRow.next_attempt_at.is_(None), DeliveryRow.next_attempt_at <= now),
                    or_(DeliveryRow.lease_expires_at.is_(None), DeliveryRow.lease_expires_at < now),
                )
                .order_by(DeliveryRow.id)
                .limit(limit),
                skip_locked=True,
            )
            rows = list(await session.scalars(due))
            if not rows:
                return []
            expires = now + timedelta(seconds=lease_seconds)
            for row in rows:
                row.lease_owner, row.lease_expires_at = owner, expires
            events = await session.execute(
                select(EventRow, SourceRow.name)
                .outerjoin(SourceRow, SourceRow.id == EventRow.source_id)
                .where(EventRow.id.in_({row.event_id for row in rows}))
            )
            by_id = {event.id: (event, name) for event, name in events}
            return [
                OutboxDelivery(
                    id=row.id,
                    event_id=row.event_id,
                    channel=row.channel,
                    attempts=row.attempts,
                    event_type=by_id[row.event_id][0].type,
                    payload=dict(by_id[row.event_id][0].payload),
                    source_name=by_id[row.event_id][1],
                )
                for row in rows
            ]

    async def delivery_succeeded(self, delivery_id: int, *, owner: str, now: datetime) -> None:
        async with self.transaction() as session:
            await session.execute(
                update(DeliveryRow)
                .where(*_held(delivery_id, owner))
                .values(
                    status="delivered",
                    attempts=DeliveryRow.attempts + 1,
                    delivered_at=now,
                    last_error=None,
                    lease_owner=None,
                    lease_expires_at=None,
                )
            )

    async def delivery_failed(
        self,
        delivery_id: int,
        *,
        owner: str,
        error: str,
        now: datetime,
        next_attempt_at: datetime | None,
    ) -> None:
        """Record a failed attempt; ``next_attempt_at=None`` gives up (status ``dead``)."""
        async with self.transaction() as session:
            await session.execute(
                update(DeliveryRow)
                .where(*_held(delivery_id, owner))
                .values(
                    status="pending" if next_attempt_at is not None else "dead",
                    attempts=DeliveryRow.attempts + 1,
                    next_attempt_at=next_attempt_at,
                    last_error=error[:2000],
                    lease_owner=None,
                    lease_expires_at=None,
                )
            )

    async def postpone_deliveries(
        self, delivery_ids: Sequence[int], *, owner: str, until: datetime
    ) -> None:
        """Release leased rows untouched (no attempt counted), due again at ``until``:
        digest rows waiting for their period, the rest of a batch after a failure."""
        if not delivery_ids:
            return
        async with self.transaction() as session:
            await session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.id.in_(list(delivery_ids)),
                    DeliveryRow.status == "pending",
                    DeliveryRow.lease_owner == owner,
                )
                .values(next_attempt_at=until, lease_owner=None, lease_expires_at=None)
            )

    async def retry_dead(self, *, channel: str | None = None, now: datetime) -> int:
        """Put dead deliveries back in the queue (``scraper retry``)."""
        query = update(DeliveryRow).where(DeliveryRow.status == "dead")
        if channel is not None:
            query = query.where(DeliveryRow.channel == channel)
        async with self.transaction() as session:
            result = await session.execute(
                query.values(status="pending", attempts=0, next_attempt_at=now)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    async def clear_leases(self) -> None:
        """Forget every lease. Only for a database that one daemon alone can use (SQLite,
        under its file lock): any lease found at start-up belonged to a dead process."""
        async with self.transaction() as session:
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.lease_owner.is_not(None))
                .values(lease_owner=None, lease_expires_at=None)
            )
            await session.execute(
                update(SourceRow)
                .where(SourceRow.lease_owner.is_not(None))
                .values(lease_owner=None, lease_expires_at=None)
            )
