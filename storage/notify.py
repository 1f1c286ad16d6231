"""PostgreSQL ``NOTIFY``: the one statement the ``postgres`` notification channel runs,
kept here with the rest of the SQL."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.base import translated_errors

NOTIFY_CHANNEL = "nea_events"


async def notify(engine: AsyncEngine, payload: str, channel: str = NOTIFY_CHANNEL) -> None:
    """``NOTIFY channel, 'payload'`` in its own transaction (delivered at its commit).
    Raises ``StorageError``."""
    async with translated_errors("pg_notify failed"), engine.begin() as connection:
        await connection.execute(
            text("SELECT pg_notify(:channel, :payload)"), {"channel": channel, "payload": payload}
        )
