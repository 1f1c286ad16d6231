"""The extraction pipeline: parse, read metadata, clean, choose the block, build the text."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.encoding import looks_binary

from . import _embedded, _language, _meta, _product, _published, _titles
from ._dom import SCRIPT_TAGS, clean, parse, remove_by_hints, select
from ._prune import prune
from ._published import DATE_TEXT_CHARS
from ._scoring import ARTICLE_CHARS, select_blocks, widen
from ._script import reading_length
from ._text import Paragraph, clean_paragraphs, paragraphs
from .types import Article

SHORT_TEXT = 500  # a block with less text (reading_length) is checked against the fallbacks
FALLBACK_GAIN = 4.0  # a fallback replaces the text when it is this many times longer
FALLBACK_MIN_GAIN = 100  # ... and this many characters longer
LISTING_KEPT = 0.3  # pruning that keeps less of the block than this means the links are it


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
    # before cleaning: dates live in chrome
    page_text = _page_text(tree) if _published.wants_page_text(head, declared) else ""
    declared_article = _meta.declares_article(head)
    # Comments under a declared article are not its text; on a forum or a discussion
    # page (nothing declared) the repeated comment units are the page.
    root = clean(
        tree,
        tuple(remove_selectors),
        by_hints=not content_selector,
        comments=not declared_article,
        keep=content_selector,
    )
    # A shop's product page: customers' reviews are not its text, and its <main> bounds
    # the widening (mega-menus around it can hold more text than the product).
    product = not declared_article and _product.declares_product(head)
    if product and root is not None and not content_selector:
        _product.remove_reviews(root)
    # A long block is left unwidened only where the page says it is an article (teaser
    # blurbs sit around news articles); service, product and docs pages keep all sections.
    article_chars = ARTICLE_CHARS if declared_article else math.inf
    pars = _body_paragraphs(
        root,
        content_selector,
        lambda: _reread(html, remove_selectors, product=product),
        article_chars,
        product=product,
    )
    text = "\n\n".join(clean_paragraphs(pars, title))
    if _short(pars) and not content_selector:
        text = _longer(text, _without_hints(html, remove_selectors, title, product=product))
        embedded = _embedded.embedded_text(html, _meta.jsonld_value(head, "articleBody"))
        text = _longer(text, "\n\n".join(clean_paragraphs(_as_paragraphs(embedded), title)))
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
        published_at=_published.choose(
            head, declared, url, pars, page_text, language, (title, *head.h1)
        ),
        language=language,
        canonical_url=_meta.find_canonical(head, url),
    )


def _short(pars: list[Paragraph]) -> bool:
    """Less than SHORT_TEXT of reading in ``pars`` (counted until it is reached)."""
    total = 0
    for par in pars:
        total += reading_length(par.text, SHORT_TEXT)
        if total >= SHORT_TEXT:
            return False
    return True


def _longer(text: str, other: str) -> str:
    """``other`` when it holds much more than ``text`` (a fallback must earn its place),
    in reading length: 40 Chinese characters are no less than 100 Latin ones."""
    length = reading_length(text)
    enough = max(FALLBACK_GAIN * length, length + FALLBACK_MIN_GAIN)
    return other if reading_length(other) >= enough else text


def _without_hints(
    html: str, remove_selectors: Sequence[str], title: str, *, product: bool = False
) -> str:
    """The page read again with class/id hints ignored: a short result may mean they
    removed the content (each hinted element small, together the page)."""
    root = _reread(html, remove_selectors, by_hints=False, product=product)
    reread = lambda: _reread(html, remove_selectors, by_hints=False, product=product)  # noqa: E731
    pars = _body_paragraphs(root, None, reread, product=product)
    return "\n\n".join(clean_paragraphs(pars, title))


def _reread(
    html: str, remove_selectors: Sequence[str], *, by_hints: bool = True, product: bool = False
) -> LexborNode | None:
    """A fresh parse of the page, cleaned (the first tree has been pruned); a product
    page's reviews removed again."""
    tree = parse(html)
    if tree is None:
        return None
    tree.strip_tags(list(SCRIPT_TAGS))
    root = clean(tree, tuple(remove_selectors), by_hints=by_hints)
    if product and root is not None:
        _product.remove_reviews(root)
    return root


def _as_paragraphs(text: str) -> list[Paragraph]:
    return [Paragraph(line, 0, "p") for line in text.split("\n\n") if line]


def _page_text(tree: LexborHTMLParser) -> str:
    body = tree.body
    if body is None:
        return ""
    return body.text(separator=" ")


def _body_paragraphs(
    root: LexborNode | None,
    content_selector: str | None,
    reread: Callable[[], LexborNode | None] | None = None,
    article_chars: float = ARTICLE_CHARS,
    *,
    product: bool = False,
) -> list[Paragraph]:
    if root is None:
        return []
    if content_selector:
        chosen = select(root, content_selector)
        if chosen:
            return paragraphs(chosen)
        remove_by_hints(root)  # the selector missed: fall back to scoring a cleaned page
    blocks = _chosen(root, article_chars, product)
    before = sum(len(block.text()) for block in blocks)
    listing = [prune(block) for block in blocks]
    if any(listing):
        # A listing's cards are its content, their title links included.
        return [Paragraph(par.text, 0, par.tag) for par in paragraphs(blocks)]
    if reread is None or sum(len(block.text()) for block in blocks) >= before * LISTING_KEPT:
        return paragraphs(blocks)
    # Pruning took most of the block: its links are its content (a listing, a job board,
    # a shop's grid). The page is read again (rare) and the block kept whole, link lines
    # included (they are not dropped later either).
    fresh = reread()
    if fresh is None:
        return paragraphs(blocks)
    whole = paragraphs(_chosen(fresh, article_chars, product))
    return [Paragraph(par.text, 0, par.tag) for par in whole]


def _chosen(root: LexborNode, article_chars: float, product: bool) -> list[LexborNode]:
    """The scored blocks, widened to the whole content (on a product page, at most to
    its ``<main>``); the root when nothing scores."""
    selected = select_blocks(root)
    scope = _product.main_of(selected, root) if product else root
    return widen(selected, scope, article_chars) or [root]
