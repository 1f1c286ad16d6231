"""Outbox rows: the event payloads of docs/reference/events.md and one delivery row per
channel that wants the event. Always called inside the transaction that writes the change itself."""

from __future__ import annotations

import difflib
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DeliveryRow, EventRow
from storage.records import iso

# Given an event type, the names of the channels that should receive it.
Router = Callable[[str], Sequence[str]]


@runtime_checkable
class TopicRouter(Protocol):
    """A router that knows the configured topics (scraper.notify.routing.SourceRouter):
    which topics an article matches, and which channels want an event about an article
    matching them. A plain ``Router`` knows no topics: its articles match none."""

    def __call__(self, event_type: str, topics: Sequence[str] = (), /) -> Sequence[str]: ...

    def topics_of(self, normalized: str) -> list[str]:
        """The topics matched by an article's title and text as normalized by
        ``scraper.topics.document``."""
        ...


def topics_of(router: Router, normalized: str) -> list[str]:
    return router.topics_of(normalized) if isinstance(router, TopicRouter) else []


EXCERPT_CHARS = 280


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def article_payload(
    *,
    id: int,
    url: str,
    title: str,
    published_at: datetime | None,
    published_date: date | None,
    language: str | None,
    content_hash: str,
    version: int,
    text: str,
) -> dict[str, Any]:
    """The ``article`` object of an event payload (docs/reference/events.md)."""
    return {
        "id": id,
        "url": url,
        "title": title,
        "published_at": iso(published_at),
        "published_date": iso(published_date),
        "language": language,
        "content_hash": content_hash,
        "version": version,
        "excerpt": excerpt(text),
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


def new_event(
    *,
    event_type: str,
    occurred_at: datetime,
    source_id: int | None,
    source_name: str | None,
    router: Router,
    article_id: int | None = None,
    article: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    topics: Sequence[str] = (),
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The row of one event and the rows of its pending deliveries, one per channel that
    wants it, ready for a multi-row insert. An article event's payload lists the
    ``topics`` its article matches, and channels are chosen knowing them."""
    event_id = str(uuid.uuid4())
    payload: dict[str, Any] = {
        "id": event_id,
        "type": event_type,
        "occurred_at": iso(occurred_at),
        "source": source_name,
    }
    if article is not None:
        payload["article"] = article
        payload["topics"] = list(topics)
    payload.update(extra or {})
    event = {
        "id": event_id,
        "type": event_type,
        "article_id": article_id,
        "source_id": source_id,
        "payload": payload,
        "created_at": occurred_at,
    }
    deliveries = [
        {
            "event_id": event_id,
            "channel": channel,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": occurred_at,
        }
        for channel in dict.fromkeys(
            router(event_type, topics) if isinstance(router, TopicRouter) else router(event_type)
        )
    ]
    return event, deliveries


async def add_event(
    session: AsyncSession,
    *,
    event_type: str,
    occurred_at: datetime,
    source_id: int | None,
    source_name: str | None,
    router: Router,
    extra: dict[str, Any] | None = None,
) -> str:
    """Insert one event that is about a source, not an article, and its pending
    deliveries; returns the event id. (Article events are written by
    ``storage.article_writes`` together with the article.)"""
    event, deliveries = new_event(
        event_type=event_type, occurred_at=occurred_at, source_id=source_id,
        source_name=source_name, router=router, extra=extra,
    )  # fmt: skip
    await session.execute(insert(EventRow), [event])
    if deliveries:
        await session.execute(insert(DeliveryRow), deliveries)
    return str(event["id"])
