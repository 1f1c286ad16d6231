"""Query parameters of the read side, parsed once for every route: the article filters,
the page size and the opaque keyset cursor. A bad value is a ``BadRequest`` (400), an
unknown source or topic a 404; nothing reaches the database unchecked."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from scraper.config.types import Config
from scraper.errors import BadRequest
from storage.read_repo import ArticleFilter, PageKey

FILTER_NAMES = ("source", "tag", "topic", "language", "q", "duplicates")
MAX_QUERY_CHARS = 200
MAX_NAME_CHARS = 100
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})?$")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class Listing:
    """One listing request: what to show, how many, from where."""

    where: ArticleFilter
    limit: int
    after: PageKey | None
    topic: str | None = None  # the topic's name as asked (terms are in ``where``)


def parse_listing(
    params: Mapping[str, str], config: Config, *, default_limit: int, max_limit: int
) -> Listing:
    topic = _text(params, "topic", MAX_NAME_CHARS)
    terms = None
    if topic is not None:
        terms = topic_terms(config, topic)
    language = _text(params, "language", 20)
    if language is not None:
        language = language.lower()
        if not _LANGUAGE.match(language):
            raise BadRequest(f"language {language!r}: use an ISO 639-1 code such as zh or ko")
    where = ArticleFilter(
        source=_text(params, "source", MAX_NAME_CHARS),
        tag=_text(params, "tag", MAX_NAME_CHARS),
        topic_terms=terms,
        language=language,
        query=_text(params, "q", MAX_QUERY_CHARS),
        duplicates=_flag(params, "duplicates"),
    )
    return Listing(
        where=where,
        limit=_limit(params, default_limit, max_limit),
        after=decode_cursor(params["cursor"]) if params.get("cursor") else None,
        topic=topic,
    )


def topic_terms(config: Config, name: str) -> tuple[str, ...]:
    for topic in config.topics:
        if topic.name == name:
            return topic.terms
    known = ", ".join(t.name for t in config.topics) or "none configured"
    raise BadRequest(f"no topic named {name!r} (topics: {known})", status=404)


def _text(params: Mapping[str, str], name: str, max_chars: int) -> str | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    if len(value) > max_chars:
        raise BadRequest(f"{name}: at most {max_chars} characters")
    if any(ord(c) < 32 for c in value):
        raise BadRequest(f"{name}: control characters are not allowed")
    return value


def _flag(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise BadRequest(f"{name}: use 1 or 0")


def _limit(params: Mapping[str, str], default: int, maximum: int) -> int:
    raw = params.get("limit", "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise BadRequest(f"limit: a whole number from 1 to {maximum}")
    return int(raw)


def encode_cursor(key: PageKey) -> str:
    """An opaque cursor: the last item's (first_seen_at, id), base64url JSON."""
    raw = json.dumps([key.first_seen_at.isoformat(), key.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> PageKey:
    try:
        if len(cursor) > 200:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, article_id = json.loads(raw)
        when = datetime.fromisoformat(moment)
        if not isinstance(article_id, int) or isinstance(article_id, bool):
            raise ValueError
        if when.tzinfo is None or not 0 < article_id < 2**63:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("cursor: not a cursor this server gave out") from None
    return PageKey(when.astimezone(UTC), article_id)


def positive_id(value: str, what: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 2**63:
        raise BadRequest(f"{what} {value!r} is not a number", status=404)
    return int(value)
