"""What the fetch stage hands to the rest of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from scraper.encoding import decode_html

if TYPE_CHECKING:
    from scraper.config.types import Source


@dataclass(frozen=True)
class Validators:
    """HTTP cache validators remembered per URL for conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Page:
    """One fetched response body, decoded.

    ``not_modified`` is True for a 304 answer to a conditional GET: ``content`` and ``text``
    are then empty and the caller keeps what it had.

    A page fetched with ``decode=False`` has ``decoded`` False and an empty ``text``:
    charset detection then runs where the page is parsed (in the CPU pool, for an
    article), with ``charset`` (declared by the Content-Type header) as its first clue.
    """

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int
    content_type: str  # media type only, lower case, e.g. "text/html"
    content: bytes  # the decoded-transfer body (gzip undone), charset not applied
    text: str  # the body decoded with ``encoding``
    encoding: str  # codec used for ``text`` (python codec name)
    validators: Validators = Validators()
    not_modified: bool = False
    elapsed: float = 0.0
    charset: str | None = None
    decoded: bool = True


def decode_page(page: Page, override: str | None) -> Page:
    """``page`` with its text decoded (``override`` first, then the HTTP charset, BOM,
    meta, detection), or ``page`` itself when that is done already."""
    if page.decoded:
        return page
    text, encoding = decode_html(page.content, declared=page.charset, override=override)
    return replace(page, text=text, encoding=encoding, decoded=True)


class PageFetcher(Protocol):
    """What the pipeline asks of the fetch stage (:class:`scraper.fetch.Fetcher`): one
    document of a source, politely, as a :class:`Page` (``not_modified`` for a 304).
    Raises a ``FetchError`` for what the site did; ``decode=False`` leaves the charset
    to the caller."""

    async def fetch(
        self,
        url: str,
        source: Source,
        *,
        validators: Validators | None = None,
        decode: bool = True,
    ) -> Page: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class Resource:
    """One response fetched for a page in the browser (a script, an XHR answer), handed
    to the browser as it is: status, headers (transfer-level ones removed) and the body,
    content-encoding undone."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
