"""Topic matching, and the one text normalization that search and topics share.

A term matches where its normalized form occurs anywhere in the normalized title or text:
no word boundaries (Chinese and Japanese have none, and a Korean word carries its
particles), case- and width-insensitive. The search index (``storage/search_repo.py``)
stores text normalized by the same function, so a topic, a topic filter in SQL and a
search all agree on what matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the config package validates terms with ``normalize``: no cycle
    from scraper.config.types import Topic

# Dropped: control characters (PostgreSQL text cannot even hold NUL), invisible format
# characters that pages put inside words (soft hyphen, zero-width space and joiners, BOM)
# and private-use characters (the search index uses one as a marker of its own).
_DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f\xad\u200b-\u200f\u2060-\u2064\ufeff\ue000-\uf8ff]")


def normalize(text: str) -> str:
    """NFKC, case folding (NFKC again: folding can leave a non-normalized string), runs of
    white space as one space. Full-width ``ＴＵＭＥＮ`` and ``tumen`` come out the same, as
    do half-width ``ｶﾀｶﾅ`` and ``カタカナ``, ``Straße`` and ``STRASSE``. (It runs on every
    stored article: the costly steps are skipped when they would change nothing.)"""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not unicodedata.is_normalized("NFKC", folded):
        folded = unicodedata.normalize("NFKC", folded)
    flat = " ".join(folded.split())
    if not flat.isprintable():  # rare: something to drop, perhaps (or just a format char)
        flat = " ".join(_DROPPED.sub("", flat).split())
    return flat


def document(title: str, text: str) -> str:
    """The normalized text that topics and search look in: title, then body (a line
    break between them, so that no term runs from the title into the text)."""
    return normalize(title) + "\n" + normalize(text)


def normalized_terms(terms: Iterable[str]) -> tuple[str, ...]:
    """The terms as matched: normalized, empty ones dropped, repeats once."""
    return tuple(dict.fromkeys(t for t in (normalize(term) for term in terms) if t))


class TopicMatcher:
    """The configured topics, normalized once; ``match`` names those an article matches."""

    def __init__(self, topics: Sequence[Topic]) -> None:
        self._topics = [(topic.name, normalized_terms(topic.terms)) for topic in topics]

    def __bool__(self) -> bool:
        return bool(self._topics)

    def match(self, title: str, text: str) -> list[str]:
        """Names of the topics whose terms occur in the article, in configuration order."""
        return self.match_document(document(title, text)) if self._topics else []

    def match_document(self, normalized: str) -> list[str]:
        """``match`` for a title and text already normalized by ``document``."""
        return [name for name, terms in self._topics if any(t in normalized for t in terms)]
