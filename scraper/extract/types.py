"""The extraction result (the Python API contract in DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Article:
    title: str = ""
    text: str = ""  # clean body without the title; paragraphs separated by blank lines
    author: str | None = None
    published_at: datetime | None = None  # timezone-aware UTC when known
    language: str | None = None  # ISO 639-1
    canonical_url: str | None = None
    # Set (to the exception's type and message) when extraction raised inside: the empty
    # text is then a bug to count and log, not a page without an article.
    error: str | None = None
