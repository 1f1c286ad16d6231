"""The extraction result (the Python API contract: docs/explanation/extraction.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Article:
    title: str = ""
    text: str = ""  # clean body without the title; paragraphs separated by blank lines
    author: str | None = None
    # The publication date as the publisher wrote it: a ``date`` (the day only), a naive
    # ``datetime`` (a local time, offset unknown) or an aware one in the publisher's offset.
    # ``published_at.isoformat()`` is ISO 8601 in each case; never today's date by default.
    published_at: date | None = None
    language: str | None = None  # ISO 639-1
    canonical_url: str | None = None
    # The document's <title> as written, site name included: what ``learn_site_names``
    # learns a site's title affixes from.
    page_title: str = ""
    # Set (to the exception's type and message) when extraction raised inside: the empty
    # text is then a bug to count and log, not a page without an article.
    error: str | None = None
