"""Text of messages for human channels (Apprise): one event, or a digest of several.

A channel's ``template`` is a ``str.format`` string over the fields below; its first line
is the title and the rest the body. An unknown field is left as written rather than
failing the delivery, so an operator's typo costs a slightly odd message, not a lost one.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scraper.notify.types import OutboxEvent

#: Longest digest body in one message; longer digests are sent as several messages.
DIGEST_MAX_CHARS = 3500

#: Default template: title line, then source, link and excerpt.
DEFAULT_TEMPLATE = "{title}\n[{source}] {url}\n\n{excerpt}"

TEMPLATE_FIELDS = ("title", "source", "url", "excerpt", "type", "published_at", "id")

_HEADLINES = {
    "article.new": "New",
    "article.updated": "Updated",
    "article.duplicate": "Duplicate",
    "page.changed": "Page changed",
    "source.failing": "Source failing",
    "source.recovered": "Source recovered",
}


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def event_fields(event: OutboxEvent) -> dict[str, str]:
    """The template fields of one event, every one a string (empty when absent)."""
    payload = event.payload
    article = event.article
    source = str(payload.get("source") or event.source or "")
    if article:
        title = str(article.get("title") or article.get("url") or "(untitled)")
        changes = payload.get("changes")
        excerpt = article.get("excerpt") or ""
        if isinstance(changes, Mapping) and changes.get("excerpt"):
            excerpt = changes["excerpt"]
    else:  # source.failing / source.recovered
        title = f"{_HEADLINES.get(event.type, event.type)}: {source}"
        excerpt = str(payload.get("reason") or payload.get("error") or "")
    return {
        "id": event.id,
        "type": event.type,
        "title": title,
        "source": source,
        "url": str(article.get("url") or ""),
        "excerpt": str(excerpt),
        "published_at": str(article.get("published_at") or ""),
    }


class _Lenient(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str | None, event: OutboxEvent) -> Message:
    """Title and body of one event's message."""
    fields = event_fields(event)
    try:
        text = string.Formatter().vformat(template or DEFAULT_TEMPLATE, (), _Lenient(fields))
    except (ValueError, IndexError, AttributeError, KeyError):
        text = DEFAULT_TEMPLATE.format(**fields)  # a broken template: fall back, not fail
    title, _, body = text.partition("\n")
    return Message(title=title.strip() or fields["title"], body=body.strip())


def render_digest(
    events: Sequence[OutboxEvent], *, max_chars: int = DIGEST_MAX_CHARS
) -> list[Message]:
    """The digest of ``events``: grouped by source, in order, cut into as many messages as
    needed to keep each body under ``max_chars`` (chat services refuse long messages:
    Telegram at 4,096 characters). Usually one message."""
    by_source: dict[str, list[dict[str, str]]] = {}
    for event in events:
        fields = event_fields(event)
        by_source.setdefault(fields["source"] or "-", []).append(fields)
    entries: list[tuple[str, str]] = []  # (source heading, lines of one item)
    for source, items in by_source.items():
        for fields in items:
            tag = "" if fields["type"] == "article.new" else f"[{_tag(fields['type'])}] "
            item = f"- {tag}{fields['title']}"
            if fields["url"]:
                item += f"\n  {fields['url']}"
            entries.append((f"{source} ({len(items)})", item[:max_chars]))
    bodies: list[str] = []
    body, heading = "", None
    for source_heading, item in entries:
        addition = item if source_heading == heading else f"\n{source_heading}\n{item}"
        if body and len(body) + len(addition) + 1 > max_chars:
            bodies.append(body.strip())
            body, heading = "", None
            addition = f"{source_heading}\n{item}"
        body += "\n" + addition
        heading = source_heading
    bodies.append(body.strip())
    count = len(events)
    title = f"nea-monitor: {count} new item{'s' if count != 1 else ''}"
    if len(bodies) == 1:
        return [Message(title=title, body=bodies[0])]
    return [
        Message(title=f"{title} ({n}/{len(bodies)})", body=body)
        for n, body in enumerate(bodies, start=1)
    ]


def _tag(event_type: str) -> str:
    return _HEADLINES.get(event_type, event_type).lower()
