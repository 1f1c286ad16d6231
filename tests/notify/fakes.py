"""An in-memory outbox with the semantics of ``storage.repository.Store``'s outbox
queries (leases, attempts, dead rows), a controllable clock, and a scripted channel."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from scraper.errors import NotifyError
from scraper.notify.types import OutboxEvent


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 5, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass(frozen=True)
class FakeDelivery:
    id: int
    event_id: str
    channel: str
    attempts: int
    event_type: str
    payload: dict[str, Any]
    source_name: str | None


@dataclass
class Row:
    id: int
    event_id: str
    channel: str
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    last_error: str | None = None
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None


@dataclass
class FakeOutbox:
    events: dict[str, tuple[str, dict[str, Any], str | None]] = field(default_factory=dict)
    rows: dict[int, Row] = field(default_factory=dict)

    def add_event(
        self,
        event_type: str,
        channels: Sequence[str],
        *,
        source: str | None = "near-news",
        occurred_at: datetime,
        article: dict[str, Any] | None = None,
        **extra: Any,
    ) -> str:
        event_id = str(uuid.uuid4())
        payload: dict[str, Any] = {
            "id": event_id,
            "type": event_type,
            "occurred_at": occurred_at.isoformat().replace("+00:00", "Z"),
            "source": source,
        }
        if article is not None:
            payload["article"] = article
        payload.update(extra)
        self.events[event_id] = (event_type, payload, source)
        for channel in channels:
            row_id = len(self.rows) + 1
            self.rows[row_id] = Row(row_id, event_id, channel, next_attempt_at=occurred_at)
        return event_id

    def row(self, event_id: str, channel: str) -> Row:
        return next(r for r in self.rows.values() if (r.event_id, r.channel) == (event_id, channel))

    # The OutboxStore protocol ---------------------------------------------------------

    async def claim_deliveries(
        self, *, owner: str, now: datetime, limit: int, lease_seconds: float = 60.0
    ) -> list[FakeDelivery]:
        due = [
            r
            for r in sorted(self.rows.values(), key=lambda r: r.id)
            if r.status == "pending"
            and (r.next_attempt_at is None or r.next_attempt_at <= now)
            and (r.lease_expires_at is None or r.lease_expires_at < now)
        ][:limit]
        claimed = []
        for r in due:
            r.lease_owner, r.lease_expires_at = owner, now + timedelta(seconds=lease_seconds)
            event_type, payload, source = self.events[r.event_id]
            claimed.append(
                FakeDelivery(r.id, r.event_id, r.channel, r.attempts, event_type, payload, source)
            )
        return claimed

    async def delivery_succeeded(self, delivery_id: int, *, owner: str, now: datetime) -> None:
        r = self.rows[delivery_id]
        if r.status == "pending":
            r.status, r.attempts, r.delivered_at = "delivered", r.attempts + 1, now
            r.last_error = None
            r.lease_owner = r.lease_expires_at = None

    async def delivery_failed(
        self,
        delivery_id: int,
        *,
        owner: str,
        error: str,
        now: datetime,
        next_attempt_at: datetime | None,
    ) -> None:
        r = self.rows[delivery_id]
        if r.status == "pending":
            r.status = "pending" if next_attempt_at is not None else "dead"
            r.attempts += 1
            r.next_attempt_at, r.last_error = next_attempt_at, error
            r.lease_owner = r.lease_expires_at = None

    async def postpone_deliveries(
        self, delivery_ids: Sequence[int], *, owner: str, until: datetime
    ) -> None:
        for delivery_id in delivery_ids:
            r = self.rows[delivery_id]
            if r.status == "pending" and r.lease_owner == owner:
                r.next_attempt_at = until
                r.lease_owner = r.lease_expires_at = None

    async def retry_dead(self, *, channel: str | None = None, now: datetime) -> int:
        count = 0
        for r in self.rows.values():
            if r.status == "dead" and channel in (None, r.channel):
                r.status, r.attempts, r.next_attempt_at = "pending", 0, now
                count += 1
        return count


class ScriptedChannel:
    """Fails the first ``failures`` sends (or always, with ``failures=-1``)."""

    def __init__(self, name: str, failures: int = 0, digest_seconds: float = 0.0) -> None:
        self.name = name
        self.failures = failures
        self.digest_seconds = digest_seconds
        self.sent: list[OutboxEvent] = []
        self.digests: list[list[OutboxEvent]] = []
        self.calls = 0

    def _maybe_fail(self) -> None:
        self.calls += 1
        if self.failures < 0 or self.calls <= self.failures:
            raise NotifyError(f"scripted failure {self.calls}", channel=self.name)

    async def send(self, event: OutboxEvent) -> None:
        self._maybe_fail()
        self.sent.append(event)

    async def send_digest(self, events: Sequence[OutboxEvent]) -> None:
        self._maybe_fail()
        self.digests.append(list(events))


def article(n: int = 1, **overrides: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "id": n,
        "url": f"https://example.org/news/{n}.html",
        "title": f"Article {n}",
        "published_at": "2026-05-01T08:00:00Z",
        "language": "en",
        "content_hash": "0" * 64,
        "version": 1,
        "excerpt": f"Excerpt of article {n}.",
    }
    value.update(overrides)
    return value
