"""The extraction pipeline: parse, read metadata, clean, choose the block, build the text."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser, LexborNode

from . import _dates, _embedded, _language, _meta
from ._dom import SCRIPT_TAGS, clean, parse, remove_by_hints
from ._prune import prune
from ._scoring import select_blocks, widen
from ._text import Paragraph, clean_paragraphs, paragraphs
from .types import Article

DATE_TEXT_CHARS = 30_000  # how much of the page text is searched for a written date
META_LINE_CHARS = 80  # block paragraphs this short are searched for a date first
BINARY_SAMPLE_CHARS = 4_096
SHORT_TEXT = 500  # a block with less text is checked against the fallbacks
FALLBACK_GAIN = 4.0  # a fallback replaces the text when it is this many times longer
FALLBACK_MIN_GAIN = 100  # ... and this many characters longer
LISTING_KEPT = 0.3  # pruning that keeps less of the block than this means the links are it
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")  # controls HTML never holds


def extract_str(
    html: str,
    url: str | None,
    content_selector: str | None,
    remove_selectors: Sequence[str],
    language: str | None,
) -> Article:
    tree = None if looks_binary(html) else parse(html)
    if tree is None:
        return Article(canonical_url=url or None)
    head = _meta.read_head(tree)
    title = _meta.find_title(head)
    declared = _declared_date(head)
    tree.strip_tags(list(SCRIPT_TAGS))  # after JSON-LD is read; never text
    page_text = "" if declared else _page_text(tree)  # before cleaning: dates live in chrome
    root = clean(tree, tuple(remove_selectors), by_hints=not content_selector)
    pars = _body_paragraphs(root, content_selector, lambda: _reread(html, remove_selectors))
    text = "\n\n".join(clean_paragraphs(pars, title))
    if sum(len(par.text) for par in pars) < SHORT_TEXT and not content_selector:
        text = _longer(text, _without_hints(html, remove_selectors, title))
        embedded = _embedded.embedded_text(html, _meta.jsonld_value(head, "articleBody"))
        text = _longer(text, "\n\n".join(clean_paragraphs(_as_paragraphs(embedded), title)))
    if not text and root is not None:
        page_text = page_text or root.text(separator=" ")[:DATE_TEXT_CHARS]
    return Article(
        title=title,
        text=text,
        author=_meta.find_author(head),
        published_at=declared or _written_date(url, pars, page_text),
        language=_language.choose(
            [language, head.html_lang, head.meta("content-language", "og:locale")],
            text or page_text,
        ),
        canonical_url=_meta.find_canonical(head, url),
    )


def _longer(text: str, other: str) -> str:
    """``other`` when it holds much more than ``text`` (a fallback must earn its place)."""
    enough = max(FALLBACK_GAIN * len(text), len(text) + FALLBACK_MIN_GAIN)
    return other if len(other) >= enough else text


def _without_hints(html: str, remove_selectors: Sequence[str], title: str) -> str:
    """The page read again with class/id hints ignored: a short result may mean they
    removed the content (each hinted element small, together the page)."""
    root = _reread(html, remove_selectors, by_hints=False)
    reread = lambda: _reread(html, remove_selectors, by_hints=False)  # noqa: E731
    return "\n\n".join(clean_paragraphs(_body_paragraphs(root, None, reread), title))


def _reread(
    html: str, remove_selectors: Sequence[str], *, by_hints: bool = True
) -> LexborNode | None:
    """A fresh parse of the page, cleaned (the first tree has been pruned)."""
    tree = parse(html)
    if tree is None:
        return None
    tree.strip_tags(list(SCRIPT_TAGS))
    return clean(tree, tuple(remove_selectors), by_hints=by_hints)


def _as_paragraphs(text: str) -> list[Paragraph]:
    return [Paragraph(line, 0, "p") for line in text.split("\n\n") if line]


def looks_binary(html: str) -> bool:
    """True for decoded bytes that are not text (images, archives, a wrong decoder)."""
    sample = html[:BINARY_SAMPLE_CHARS]
    return len(_NOT_TEXT.findall(sample)) > len(sample) * 0.05


def _page_text(tree: LexborHTMLParser) -> str:
    body = tree.body
    if body is None:
        return ""
    return body.text(separator=" ")[:DATE_TEXT_CHARS]


def _body_paragraphs(
    root: LexborNode | None,
    content_selector: str | None,
    reread: Callable[[], LexborNode | None] | None = None,
) -> list[Paragraph]:
    if root is None:
        return []
    if content_selector:
        chosen = _select(root, content_selector)
        if chosen:
            return paragraphs(chosen)
        remove_by_hints(root)  # the selector missed: fall back to scoring a cleaned page
    blocks = widen(select_blocks(root), root) or [root]
    before = sum(len(block.text()) for block in blocks)
    for block in blocks:
        prune(block)
    if reread is None or sum(len(block.text()) for block in blocks) >= before * LISTING_KEPT:
        return paragraphs(blocks)
    # Pruning took most of the block: its links are its content (a listing, a job board,
    # a shop's grid). The page is read again (rare) and the block kept whole, link lines
    # included (they are not dropped later either).
    fresh = reread()
    if fresh is None:
        return paragraphs(blocks)
    whole = paragraphs(widen(select_blocks(fresh), fresh) or [fresh])
    return [Paragraph(par.text, 0, par.tag) for par in whole]


def _select(root: LexborNode, selector: str) -> list[LexborNode]:
    try:
        return list(root.css(selector))
    except Exception:  # an operator's invalid selector falls back to scoring
        return []


def _declared_date(head: _meta.HeadMeta) -> datetime | None:
    """The date the page declares: meta tags, then JSON-LD, then ``<time datetime>``."""
    declared = _dates.first_date(head.meta(key) for key in _dates.META_KEYS)
    if declared is not None:
        return declared
    for key in ("datePublished", "dateCreated", "uploadDate", "dateModified"):
        value = _meta.jsonld_value(head, key)
        if isinstance(value, str) and (parsed := _dates.parse_date(value)) is not None:
            return parsed
    return _dates.first_date(head.times)


def _written_date(url: str | None, pars: list[Paragraph], page_text: str) -> datetime | None:
    """A date written near the article or on the page, or the one in the URL."""
    head_pars = pars[:40]
    meta_lines = "\n".join(p.text for p in head_pars if len(p.text) <= META_LINE_CHARS)
    block_text = "\n".join(p.text for p in head_pars)[:DATE_TEXT_CHARS]
    written = (
        _dates.find_labelled_date(page_text)
        or _dates.find_date_in_text(meta_lines)  # "2023.12.13 | Views 5" lines of the block
        or _dates.find_date_in_text(page_text)
        or _dates.find_date_in_text(block_text)
    )
    from_url = _dates.date_from_url(url)
    if from_url is None:
        return written
    # The URL names the day; a date written on the page for that same day adds the time.
    if written is not None and written.date() == from_url.date():
        return written
    return from_url
