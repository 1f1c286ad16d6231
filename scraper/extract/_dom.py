"""Parsing with work caps, and removal of elements that are site chrome by construction."""

from __future__ import annotations

import re
from itertools import accumulate

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ._patterns import (
    DROP_SELECTOR,
    DROP_TAGS,
    EMBED_HINT,
    NEGATIVE_HINT,
    POSITIVE_HINT,
    TERMINAL_HINT,
)

SCRIPT_TAGS = ("script", "style", "noscript", "template")
MAX_HTML_CHARS = 4_000_000  # larger documents are cut; article text is near the start
MAX_HINT_NODES = 20_000  # class/id hint checks per page
# Elements whose class/id is checked; inline elements go with their container.
HINTED_SELECTOR = ":is(div,section,article,ul,ol,dl,table,p,li,span):is([class],[id])"


MAX_DEPTH = 1_000  # deeper markup is flattened: tree building is quadratic in depth
DEPTH_CHECK_TAGS = 15_000  # fewer tags cannot nest deep enough to cost the parser much
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>")
_ANY_TAG = re.compile(r"<[^>]*>")
# Elements that never nest (void) or that the parser closes implicitly.
_FLAT = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr", "p", "li", "td", "tr", "th", "dt", "dd", "option"}
)
# An opening or closing tag of an element that nests (the flat ones are skipped).
_NESTING_TAG = re.compile(
    r"<(/?)(?!(?:" + "|".join(sorted(_FLAT)) + r")[\s/>])[a-zA-Z]", re.IGNORECASE
)


def parse(html: str) -> LexborHTMLParser | None:
    """Parse ``html`` (cut to ``MAX_HTML_CHARS``); ``None`` when there is nothing to parse."""
    if not html or not html.strip():
        return None
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
    if "\x00" in html:
        html = html.replace("\x00", "")
    if html.count("<") > DEPTH_CHECK_TAGS:
        html = limit_depth(html)
    return LexborHTMLParser(html)


def limit_depth(html: str, max_depth: int = MAX_DEPTH) -> str:
    """Replace the tags past ``max_depth`` levels of nesting with spaces (text is kept).

    The depth is first summed over opening (+1) and closing (-1) tags of nesting
    elements, mostly in C (``re.findall``, ``accumulate``); only a deep page is walked.
    """
    steps = [1 - 2 * len(slash) for slash in _NESTING_TAG.findall(html)]
    if not steps or max(accumulate(steps)) <= max_depth:
        return html
    depth = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in _FLAT:
            continue
        depth += -1 if closing else 1
        if depth > max_depth:
            start = match.start()
            return html[:start] + _ANY_TAG.sub(" ", html[start:])
    return html


def hint_string(node: LexborNode) -> str:
    """The lower-cased ``class`` and ``id`` of ``node``, for hint matching."""
    attrs = node.attrs
    cls = attrs.get("class") or ""
    ident = attrs.get("id") or ""
    return f"{cls} {ident}".lower() if cls or ident else ""


def class_weight(node: LexborNode) -> int:
    """+25 for a content-like class/id, -25 for a chrome-like one (both: 0)."""
    hints = hint_string(node)
    if not hints:
        return 0
    weight = 0
    if POSITIVE_HINT.search(hints):
        weight += 25
    if NEGATIVE_HINT.search(hints):
        weight -= 25
    return weight


def link_density(node: LexborNode, text_len: int | None = None) -> float:
    """Share of the text of ``node`` that sits inside links."""
    total = text_len if text_len is not None else len(node.text())
    if total <= 0:
        return 0.0
    linked = sum(len(a.text()) for a in node.css("a"))
    return min(1.0, linked / total)


def remove_all(root: LexborNode, selector: str) -> None:
    """Detach every element matching ``selector`` (invalid selectors are ignored)."""
    try:
        nodes = root.css(selector)
    except Exception:  # selectolax raises several types for bad selectors
        return
    for node in nodes:
        node.remove()


def clean(
    tree: LexborHTMLParser, remove_selectors: tuple[str, ...] = (), *, by_hints: bool = True
) -> LexborNode | None:
    """Remove chrome from the document; return its body (or root) for scoring.

    ``by_hints=False`` keeps elements whose class/id merely looks like chrome (for an
    operator's ``content_selector``); call ``remove_by_hints`` later if needed.
    """
    tree.strip_tags(list(DROP_TAGS))
    root = tree.body or tree.root
    if root is None:
        return None
    for selector in remove_selectors:
        remove_all(root, selector)
    remove_all(root, DROP_SELECTOR)
    if by_hints:
        remove_by_hints(root)
    return root


def remove_by_hints(root: LexborNode) -> None:
    """Detach elements whose class/id says chrome, unless they hold most of the page."""
    body_len = 0
    verdicts: dict[str, bool] = {}  # pages repeat class names: match each once
    for count, node in enumerate(root.css(HINTED_SELECTOR)):
        if count >= MAX_HINT_NODES:
            return
        hints = hint_string(node)
        negative = verdicts.get(hints)
        if negative is None:
            negative = verdicts[hints] = (
                NEGATIVE_HINT.search(hints) is not None and EMBED_HINT.search(hints) is None
            )
        if not negative:
            continue
        if node.tag in ("html", "body"):
            continue
        if not body_len:
            body_len = max(1, len(root.text()))
        if not _terminal(hints) and _holds_content(node, hints, body_len):
            continue
        node.remove()


def _terminal(hints: str) -> bool:
    """A footer/copyright/breadcrumb class that no article wrapper would carry."""
    return TERMINAL_HINT.search(hints) is not None and POSITIVE_HINT.search(hints) is None


def _holds_content(node: LexborNode, hints: str, body_len: int) -> bool:
    """True when a chrome-hinted element is in fact a large, prose-like part of the page.

    Mixed hints ("article-header", "entry-content-read-more") keep an element that has
    paragraphs or a fair share of the page; chrome-only hints need most of the page.
    """
    mixed = POSITIVE_HINT.search(hints) is not None or node.tag in ("article", "main")
    if mixed and len(node.css("p")) >= 3:
        return True
    text_len = len(node.text())
    share = text_len / body_len
    if share < (0.15 if mixed else 0.5):
        return False
    return link_density(node, text_len) < 0.4
