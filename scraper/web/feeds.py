"""Atom 1.0 (RFC 4287) and JSON Feed 1.1 documents of a listing, and the validators
(``ETag``, ``Last-Modified``) that let a feed reader poll them with a 304 answer.

Entry ids are tag URIs (RFC 4151) built from what never changes for a stored article:
its id and the day it was first seen. Titles and text come from hostile pages: XML gets
them escaped by ElementTree, with the characters XML 1.0 cannot carry removed first."""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from storage.read_repo import ArticleSummary

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "nea-monitor"
# XML 1.0 allows tab, newline, carriage return and everything from U+0020 up, except
# surrogates and U+FFFE/U+FFFF; a page can hold any of the others.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class FeedInfo:
    title: str
    self_url: str  # this document
    home_url: str  # the web view of the same listing
    feed_id: str


def entry_id(article: ArticleSummary) -> str:
    return f"tag:nea-monitor,{article.first_seen_at:%Y-%m-%d}:article/{article.id}"


def published(article: ArticleSummary) -> datetime | None:
    """The publication instant: the page's own, else its calendar day at midnight in the
    publisher's offset (UTC when unknown); None when the page gave no date at all."""
    if article.published_at is not None:
        return article.published_at
    if article.published_date is None:
        return None
    offset = timezone(timedelta(minutes=article.published_utc_offset or 0))
    return datetime.combine(article.published_date, article.published_time or datetime.min.time(),
                            tzinfo=offset)  # fmt: skip


def validators(
    kind: str, listing_key: str, items: Sequence[ArticleSummary]
) -> tuple[str, datetime | None]:
    """(ETag, Last-Modified) of a feed: the ETag changes with the items, their versions
    and the listing asked for; Last-Modified is the newest change among the items."""
    digest = hashlib.sha256(f"{kind}\n{listing_key}".encode())
    for a in items:
        digest.update(f"\n{a.id}:{a.version}:{a.updated_at.isoformat()}:{a.duplicate_of}".encode())
    last = max((a.updated_at for a in items), default=None)
    return f'W/"{digest.hexdigest()[:32]}"', last


def not_modified(headers: Any, etag: str, last_modified: datetime | None) -> bool:
    """Whether the client's copy is current (RFC 9110: If-None-Match wins when given)."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        return "*" in tags or any(_weak(t) == _weak(etag) for t in tags)
    since = headers.get("if-modified-since")
    if since is None or last_modified is None:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= moment


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _weak(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def atom(info: FeedInfo, items: Sequence[ArticleSummary], updated: datetime) -> bytes:
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = clean(text)
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "id", info.feed_id)
    sub(feed, "title", info.title)
    sub(feed, "updated", _iso(updated))
    sub(feed, "link", rel="self", type="application/atom+xml", href=info.self_url)
    sub(feed, "link", rel="alternate", type="text/html", href=info.home_url)
    sub(sub(feed, "author"), "name", GENERATOR)
    sub(feed, "generator", GENERATOR)
    for article in items:
        entry = sub(feed, "entry")
        if article.language:
            entry.set("{http://www.w3.org/XML/1998/namespace}lang", clean(article.language))
        sub(entry, "id", entry_id(article))
        sub(entry, "title", article.title or article.url, type="text")
        sub(entry, "link", rel="alternate", href=clean(article.url))
        sub(entry, "updated", _iso(article.updated_at))
        when = published(article)
        if when is not None:
            sub(entry, "published", _iso(when))
        if article.author:
            sub(sub(entry, "author"), "name", article.author)
        sub(entry, "category", term=clean(article.source), label=f"source: {clean(article.source)}")
        sub(entry, "content", article.text, type="text")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def json_feed(info: FeedInfo, items: Sequence[ArticleSummary]) -> bytes:
    document: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": info.title,
        "home_page_url": info.home_url,
        "feed_url": info.self_url,
        "authors": [{"name": GENERATOR}],
        "items": [_json_item(a) for a in items],
    }
    return json.dumps(document, ensure_ascii=False).encode()


def _json_item(article: ArticleSummary) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": entry_id(article),
        "url": article.url,
        "title": article.title or article.url,
        "content_text": article.text,
        "date_modified": _iso(article.updated_at),
        "tags": [article.source],
    }
    when = published(article)
    if when is not None:
        item["date_published"] = _iso(when)
    if article.language:
        item["language"] = article.language
    if article.author:
        item["authors"] = [{"name": article.author}]
    return item
