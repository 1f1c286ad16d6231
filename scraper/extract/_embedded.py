"""The article a page embeds as data: JSON-LD ``articleBody``, Next.js page payloads.

Script-rendered sites ship the article in a ``<script>`` and draw it in the browser; the
markup then holds chrome only. These readers turn such payloads back into paragraphs.
They are a fallback: ``_core`` uses their text only when the markup gives much less.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from ._script import reading_length
from ._text import normalise, paragraphs

MAX_PAYLOAD_CHARS = 3_000_000  # larger payloads are not read
MAX_STRINGS = 20_000  # JSON strings looked at in one payload
MIN_PROSE_CHARS = 40  # a string shorter than this (reading_length) is a label, not prose
MIN_HTML_CHARS = 200  # an HTML string at least this long may be the article body

_NEXT_DATA = re.compile(
    r"<script[^>]*\bid=[\"']__NEXT_DATA__[\"'][^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL
)
# self.__next_f.push([1,"<a JSON string literal>"]): the React Server Components stream.
_NEXT_F = re.compile(r"self\.__next_f\.push\(\[\d+,\s*(\"(?:[^\"\\]|\\.)*\")\]\)", re.DOTALL)
_JSON_STRING = re.compile(r"\"((?:[^\"\\]|\\.){40,})\"", re.DOTALL)
_HTML_TAG = re.compile(r"<(?:p|h[1-6]|li|br|div|blockquote)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"[.!?。！？](?:\s|$)|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{8}")
# Tokens of code, class lists, paths and URLs, never of prose.
_CODE_TOKEN = re.compile(r"[{}<>=_\\]|^\$|^https?:|/\w|\w-\w+-|:\w")


def embedded_text(html: str, article_body: object) -> str:
    """The longest article the page embeds as data (paragraphs joined by blank lines)."""
    found = [_from_body(article_body)]
    if "__NEXT_DATA__" in html:
        found.append(_from_next_data(html))
    if "self.__next_f" in html:
        found.append(_from_flight(html))
    return max(found, key=len)


def _from_body(value: object) -> str:
    """JSON-LD ``articleBody``: plain text, or HTML on some sites."""
    if isinstance(value, list):
        value = "\n".join(v for v in value if isinstance(v, str))
    if not isinstance(value, str) or not value.strip():
        return ""
    if _HTML_TAG.search(value):
        return _html_text(value)
    return "\n\n".join(p for line in value.splitlines() if (p := normalise(line)))


def _from_next_data(html: str) -> str:
    match = _NEXT_DATA.search(html)
    if match is None or len(match.group(1)) > MAX_PAYLOAD_CHARS:
        return ""
    try:
        data = json.loads(match.group(1))
    except (ValueError, RecursionError):
        return ""
    return _article_of(list(_strings(data, 0)))


def _from_flight(html: str) -> str:
    chunks: list[str] = []
    size = 0
    for match in _NEXT_F.finditer(html):
        try:
            chunk = json.loads(match.group(1))
        except ValueError:
            continue
        if isinstance(chunk, str):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_PAYLOAD_CHARS:
                break
    payload = "".join(chunks)
    strings: list[str] = []
    for match in _JSON_STRING.finditer(payload):
        if len(strings) >= MAX_STRINGS:
            break
        try:
            strings.append(json.loads(f'"{match.group(1)}"'))
        except ValueError:
            continue
    return _article_of(strings)


def _strings(data: Any, depth: int) -> Iterator[str]:
    """Every string in a JSON document, in document order (bounded depth)."""
    if depth > 40:
        return
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value, depth + 1)
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item, depth + 1)


def _article_of(strings: list[str]) -> str:
    """The body among a payload's strings: its longest HTML string, or its prose strings."""
    html_bodies = [s for s in strings if len(s) >= MIN_HTML_CHARS and _HTML_TAG.search(s)]
    from_html = _html_text(max(html_bodies, key=len)) if html_bodies else ""
    prose: list[str] = []
    seen: set[str] = set()
    for raw in strings[:MAX_STRINGS]:
        text = normalise(raw)
        if text in seen or not _is_prose(text):
            continue
        seen.add(text)
        prose.append(text)
    from_prose = "\n\n".join(prose)
    return from_html if len(from_html) >= len(from_prose) else from_prose


def _is_prose(text: str) -> bool:
    if reading_length(text, MIN_PROSE_CHARS) < MIN_PROSE_CHARS or _SENTENCE.search(text) is None:
        return False
    if _HTML_TAG.search(text):
        return False
    tokens = text.split()
    code = sum(1 for token in tokens if _CODE_TOKEN.search(token))
    return code <= len(tokens) * 0.1


def _html_text(fragment: str) -> str:
    tree = LexborHTMLParser(fragment)
    root = tree.body or tree.root
    if root is None:
        return ""
    return "\n\n".join(par.text for par in paragraphs([root]))
