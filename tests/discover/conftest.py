from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from scraper.config.types import Source
from scraper.discover import Discovery
from scraper.encoding import decode_html
from scraper.fetch.types import Page

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    """A fixture document (stored as UTF-8; tests re-encode it into legacy charsets)."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def make_page(
    body: str | bytes, url: str, content_type: str = "text/html", final_url: str | None = None
) -> Page:
    content = body.encode("utf-8") if isinstance(body, str) else body
    text, encoding = decode_html(content)
    return Page(
        url=url,
        final_url=final_url or url,
        status=200,
        content_type=content_type,
        content=content,
        text=text,
        encoding=encoding,
    )


def make_source(url: str, **changes: object) -> Source:
    return replace(Source(name="site", url=url), **changes)  # type: ignore[arg-type]


def urls(discovery: Discovery) -> list[str]:
    return [link.url for link in discovery.links]
