"""What the channels and the dispatcher exchange: one event read from the outbox, and the
one-method interface every channel implements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class OutboxEvent:
    """One event as stored in the outbox. ``payload`` is the JSON document described in
    docs/reference/events.md (``id``, ``type``, ``occurred_at``, ``source``, ``article`` …),
    sent as is."""

    id: str
    type: str
    payload: Mapping[str, Any]
    source: str | None = None

    @property
    def article(self) -> Mapping[str, Any]:
        """The payload's ``article`` object, or an empty mapping for source events."""
        article = self.payload.get("article")
        return article if isinstance(article, Mapping) else {}


@runtime_checkable
class Channel(Protocol):
    """A notification channel. ``send`` either delivers the event or raises
    ``scraper.errors.NotifyError(message, channel=name)``; it never retries itself (the
    dispatcher owns retries, backoff and giving up)."""

    name: str

    async def send(self, event: OutboxEvent) -> None: ...


@runtime_checkable
class DigestChannel(Channel, Protocol):
    """A human channel that can also send several events as one message."""

    digest_seconds: float

    async def send_digest(self, events: Sequence[OutboxEvent]) -> None: ...
