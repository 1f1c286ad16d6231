"""The extraction pipeline: parse, read metadata, clean, choose the block, build the text."""

from __future__ import annotations

from collections.abc import Sequence

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.encoding import looks_binary

from . import _language, _meta, _published, _titles
from ._dom import SCRIPT_TAGS, clean, parse, remove_by_hints
from ._prune import prune
from ._published import DATE_TEXT_CHARS
from ._scoring import select_blocks
from ._text import Paragraph, clean_paragraphs, paragraphs
from .types import Article


def extract_str(
    html: str,
    url: str | None,
    content_selector: str | None,
    remove_selectors: Sequence[str],
    language: str | None,
    site_names: Sequence[str] = (),
) -> Article:
    tree = None if looks_binary(html) else parse(html)
    if tree is None:
        return Article(canonical_url=url or None)
    head = _meta.read_head(tree)
    title = _titles.find_title(head, url, site_names)
    declared = _published.declared_date(head, html, url)
    tree.strip_tags(list(SCRIPT_TAGS))  # after JSON-LD is read; never text
    page_text = "" if declared else _page_text(tree)  # before cleaning: dates live in chrome
    root = clean(tree, tuple(remove_selectors), by_hints=not content_selector)
    pars = _body_paragraphs(root, content_selector)
    text = "\n\n".join(clean_paragraphs(pars, title))
    if not text and root is not None:
        page_text = page_text or root.text(separator=" ")
    language = _language.choose(
        [language, head.html_lang, head.meta("content-language", "og:locale")],
        text or page_text[:DATE_TEXT_CHARS],
    )
    return Article(
        title=title,
        page_title=head.title_tag,
        text=text,
        author=_meta.find_author(head),
        published_at=declared or _published.written_date(url, pars, page_text, language, head.h1),
        language=language,
        canonical_url=_meta.find_canonical(head, url),
    )


def _page_text(tree: LexborHTMLParser) -> str:
    body = tree.body
    if body is None:
        return ""
    return body.text(separator=" ")


def _body_paragraphs(root: LexborNode | None, content_selector: str | None) -> list[Paragraph]:
    if root is None:
        return []
    if content_selector:
        chosen = _select(root, content_selector)
        if chosen:
            return paragraphs(chosen)
        remove_by_hints(root)  # the selector missed: fall back to scoring a cleaned page
    blocks = select_blocks(root)
    if not blocks:
        return paragraphs([root])
    for block in blocks:
        prune(block)
    return paragraphs(blocks)


def _select(root: LexborNode, selector: str) -> list[LexborNode]:
    try:
        return list(root.css(selector))
    except Exception:  # an operator's invalid selector falls back to scoring
        return []
