"""Reading a response body within limits, and deciding whether its type is wanted.

The body is read raw (as sent on the wire) and decompressed here, with the output of
each step bounded, so that neither a long body nor a gzip bomb can take more memory than
the cap: both the compressed and the decoded byte counts are checked while streaming.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

from scraper.errors import ResponseTooLarge, UnsupportedContentType

ALLOWED_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "application/rss+xml",
        "application/x-rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
    }
)
# Types that broken servers put on HTML, feeds and (gzipped) sitemaps: read, then sniff.
SNIFFED_TYPES = frozenset(
    {
        "",
        "text/plain",
        "application/octet-stream",
        "binary/octet-stream",
        "application/x-gzip",
        "application/gzip",
        "application/download",
    }
)
_MARKUP_STARTS = (b"<?xml", b"<!doctype", b"<html", b"<rss", b"<feed", b"<rdf", b"<urlset",
                  b"<sitemapindex", b"<head", b"<body", b"<!--", b"<meta", b"<title")  # fmt: skip
GZIP_MAGIC = b"\x1f\x8b"


def media_type(header: str | None) -> tuple[str, str | None]:
    """``text/html; charset=GBK`` → ``("text/html", "GBK")``."""
    if not header:
        return "", None
    kind, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return kind.strip().lower(), charset


def check_type(kind: str, *, url: str, source: str | None) -> None:
    """Refuse, before reading the body, a media type that is neither allowed nor sniffable."""
    if kind in ALLOWED_TYPES or kind in SNIFFED_TYPES or kind.endswith("+xml"):
        return
    raise UnsupportedContentType(f"unsupported content type {kind!r}", url=url, source=source)


def sniff_type(kind: str, body: bytes, *, url: str, source: str | None) -> str:
    """The media type to report: the declared one when allowed, else one sniffed from the
    first bytes of a sniffable body (markup or nothing)."""
    if kind in ALLOWED_TYPES or kind.endswith("+xml"):
        return kind
    start = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<?xml") or start.startswith(
        (b"<rss", b"<feed", b"<urlset", b"<sitemapindex")
    ):
        return "application/xml"
    if start.startswith(_MARKUP_STARTS) or not start:
        return "text/html"
    raise UnsupportedContentType(
        f"content type {kind or 'missing'!r} and the body is not markup", url=url, source=source
    )


class _Inflater:
    """zlib decompression (gzip or deflate, zlib-wrapped or raw) with bounded output."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._raw_fallback = encoding == "deflate"
        wbits = zlib.MAX_WBITS | 32 if encoding == "gzip" else zlib.MAX_WBITS
        self._obj = zlib.decompressobj(wbits)

    def feed(self, data: bytes, room: int) -> bytes:
        """Decompress ``data``, producing at most ``room + 1`` bytes (one more than fits,
        so the caller sees the overflow)."""
        try:
            out = self._obj.decompress(data, room + 1)
        except zlib.error:
            if not self._raw_fallback:
                raise
            self._raw_fallback = False
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._obj.decompress(data, room + 1)
        self._raw_fallback = False
        return out


async def read_limited(
    chunks: AsyncIterator[bytes],
    *,
    content_encoding: str,
    limit: int,
    url: str,
    source: str | None,
) -> bytes:
    """Collect a body from raw wire ``chunks``, undoing ``content_encoding``; raise
    ``ResponseTooLarge`` as soon as the wire bytes or the decoded bytes pass ``limit``."""
    encoding = content_encoding.strip().lower()
    if encoding in ("x-gzip",):
        encoding = "gzip"
    if encoding not in ("", "identity", "gzip", "deflate"):
        raise UnsupportedContentType(
            f"unsupported content encoding {encoding!r}", url=url, source=source
        )
    inflater = _Inflater(encoding) if encoding in ("gzip", "deflate") else None
    wire = 0
    out = bytearray()
    try:
        async for chunk in chunks:
            wire += len(chunk)
            if wire > limit:
                raise ResponseTooLarge(f"body over {limit} bytes", url=url, source=source)
            out += inflater.feed(chunk, limit - len(out)) if inflater else chunk
            if len(out) > limit:
                raise ResponseTooLarge(f"decoded body over {limit} bytes", url=url, source=source)
    except zlib.error as exc:
        raise UnsupportedContentType(
            f"corrupt {encoding} body: {exc}", url=url, source=source
        ) from exc
    return bytes(out)


def gunzip_limited(data: bytes, *, limit: int, url: str, source: str | None) -> bytes:
    """Undo gzip on a body that is itself a .gz file (``sitemap.xml.gz``), within ``limit``."""
    try:
        out = _Inflater("gzip").feed(data, limit)
    except zlib.error as exc:
        raise UnsupportedContentType(f"corrupt gzip file: {exc}", url=url, source=source) from exc
    if len(out) > limit:
        raise ResponseTooLarge(f"gunzipped body over {limit} bytes", url=url, source=source)
    return out
