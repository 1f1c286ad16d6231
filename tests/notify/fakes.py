"""The in-memory store as an outbox (``tests/support/memory_store.py``, the semantics of
``storage.repository.Store``'s outbox queries: leases, attempts, dead rows), a
controllable clock, and a scripted channel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from scraper.errors import NotifyError
from scraper.notify.types import OutboxEvent
from storage.events import new_event
from tests.support.memory_store import DeliveryRecord, MemoryStore, SourceRecord


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 5, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class FakeOutbox(MemoryStore):
    """The in-memory store (held to the real one by the store contract tests), with a
    way to put an event in its outbox directly and to look at a delivery row."""

    @property
    def rows(self) -> dict[int, DeliveryRecord]:
        return self.deliveries

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
        source_id = None
        if source is not None:
            if source not in self.sources:
                self.sources[source] = SourceRecord(
                    next(self._ids["source"]),
                    source,
                    f"https://{source}.example/",
                    "listing",
                    True,
                    (),
                    None,
                    None,
                )
            source_id = self.sources[source].id
        return self._add_event(
            new_event(
                event_type=event_type,
                occurred_at=occurred_at,
                source_id=source_id,
                source_name=source,
                router=lambda _type: channels,
                article=article,
                extra=extra,
            )
        )

    def row(self, event_id: str, channel: str) -> DeliveryRecord:
        return next(r for r in self.rows.values() if (r.event_id, r.channel) == (event_id, channel))


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
