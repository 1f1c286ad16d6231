"""PostgreSQL channel: ``NOTIFY nea_events, '<event id>'`` so downstream tools can
``LISTEN nea_events`` and read the event row by id. Only meaningful on PostgreSQL: on any
other database the channel cannot be built (a configuration error, reported once)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from scraper.errors import NotifyError, StorageError
from scraper.notify.types import OutboxEvent
from storage.notify import NOTIFY_CHANNEL, notify

__all__ = ["NOTIFY_CHANNEL", "PgNotifyChannel"]


class PgNotifyChannel:
    def __init__(self, name: str, engine: AsyncEngine | None) -> None:
        if engine is None or engine.dialect.name != "postgresql":
            backend = f"this one is {engine.dialect.name}" if engine else "none was given"
            raise NotifyError(
                f"channel type postgres needs a PostgreSQL database ({backend})",
                channel=name,
            )
        self.name = name
        self._engine = engine

    async def send(self, event: OutboxEvent) -> None:
        try:
            await notify(self._engine, event.id)
        except StorageError as exc:
            raise NotifyError(str(exc), channel=self.name) from exc
