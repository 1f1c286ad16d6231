"""Main-content extraction: the article body and its metadata from one HTML page.

``extract(html, url=...)`` is the only entry point; it never raises. See
``docs/explanation/extraction.md`` for how it works.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ._core import extract_str
from ._titles import learn_site_names
from .types import Article

__all__ = ["Article", "extract", "learn_site_names"]

_log = logging.getLogger(__name__)


def extract(
    html: str | bytes,
    url: str | None = None,
    *,
    content_selector: str | None = None,
    remove_selectors: Sequence[str] = (),
    language: str | None = None,
    site_names: Sequence[str] = (),
) -> Article:
    """Extract the article in ``html`` (``bytes`` are decoded by their declared charset).

    ``content_selector`` (CSS) replaces block scoring when it matches; ``remove_selectors``
    are removed before scoring; ``language`` is used unless the text contradicts it;
    ``site_names`` are title affixes known to be the site's (``learn_site_names`` finds
    them in the ``page_title`` of several of its pages).
    Never raises: on an internal failure the article has empty text and ``error`` set,
    and a WARNING names the URL.
    """
    try:
        if isinstance(html, bytes | bytearray | memoryview):
            text = _decode(bytes(html))
        else:
            text = html if isinstance(html, str) else ""
        removes = (remove_selectors,) if isinstance(remove_selectors, str) else remove_selectors
        return extract_str(text, url, content_selector, tuple(removes), language, tuple(site_names))
    except Exception as exc:  # the contract: bad input never raises, but a bug is visible
        _log.warning("extraction raised on %s: %s", url or "(no URL)", exc, exc_info=True)
        return Article(canonical_url=url or None, error=f"{type(exc).__name__}: {exc}"[:300])


def _decode(content: bytes) -> str:
    from scraper.encoding import decode_html  # lazy: only bytes input needs it

    text, _codec = decode_html(content)
    return text
