"""Outbox rows: the event payloads of DESIGN.md and one delivery row per channel that
wants the event. Always called inside the transaction that writes the change itself."""

from __future__ import annotations

import difflib
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ArticleRow, DeliveryRow, EventRow

# Given an event type, the names of the channels that should receive it.
Router = Callable[[str], Sequence[str]]

EXCERPT_CHARS = 280


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def article_summary(article: ArticleRow) -> dict[str, Any]:
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "published_at": iso(article.published_at),
        "language": article.language,
        "content_hash": article.content_hash,
        "version": article.version,
        "excerpt": excerpt(article.text),
    }


def change_summary(old_text: str, new_text: str, old_title: str, new_title: str) -> dict[str, Any]:
    """Lines (paragraphs) added and removed between two versions, and what was added."""
    old_lines = [line for line in old_text.split("\n") if line.strip()]
    new_lines = [line for line in new_text.split("\n") if line.strip()]
    added: list[str] = []
    removed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        a=old_lines, b=new_lines, autojunk=False
    ).get_opcodes():
        if tag in ("replace", "delete"):
            removed += i2 - i1
        if tag in ("replace", "insert"):
            added.extend(new_lines[j1:j2])
    summary: dict[str, Any] = {
        "lines_added": len(added),
        "lines_removed": removed,
        "excerpt": excerpt(" ".join(added)),
    }
    if old_title != new_title:
        summary["title_changed"] = {"from": old_title, "to": new_title}
    return summary


async def add_event(
    session: AsyncSession,
    *,
    event_type: str,
    occurred_at: datetime,
    source_id: int | None,
    source_name: str | None,
    router: Router,
    article: ArticleRow | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """Insert one event and its pending deliveries; returns the event id."""
    event_id = str(uuid.uuid4())
    payload: dict[str, Any] = {
        "id": event_id,
        "type": event_type,
        "occurred_at": iso(occurred_at),
        "source": source_name,
    }
    if article is not None:
        payload["article"] = article_summary(article)
    payload.update(extra or {})
    session.add(
        EventRow(
            id=event_id,
            type=event_type,
            article_id=article.id if article is not None else None,
            source_id=source_id,
            payload=payload,
            created_at=occurred_at,
        )
    )
    await session.flush()  # the deliveries reference it
    for channel in dict.fromkeys(router(event_type)):
        session.add(
            DeliveryRow(
                event_id=event_id,
                channel=channel,
                status="pending",
                attempts=0,
                next_attempt_at=occurred_at,
            )
        )
    return event_id
