"""Parsing with work caps, and removal of elements that are site chrome by construction."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ._patterns import (
    CHROME_TAGS,
    COMMENT_HINT,
    DROP_SELECTOR,
    DROP_TAGS,
    EMBED_HINT,
    LEGAL_HINT,
    NEGATIVE_HINT,
    POSITIVE_HINT,
    TERMINAL_HINT,
)
from ._script import reading_length

SCRIPT_TAGS = ("script", "style", "noscript", "template")
MAX_HTML_CHARS = 4_000_000  # larger documents are cut; article text is near the start
MAX_HINT_NODES = 20_000  # class/id hint checks per page
MODAL_ROLES = frozenset({"dialog", "alertdialog"})
MODAL_TITLE_CHARS = 120  # a dialog's opening text, where its title sits
PANEL_ROLES = frozenset({"tabpanel", "region"})  # hidden until a reader opens them
# Chrome-by-construction tags that may be repeated units of content (a quote in each
# <figure>, a <header> on each card); <footer> is the page's or a post's foot, never that.
UNIT_TAGS = frozenset({"figure", "aside", "header"})
HINT_CACHE = 65_536  # class/id strings whose verdicts are remembered
MOST_OF_PAGE = 0.6  # a chrome-looking element with this share of the page text is kept
FAIR_SHARE = 0.25  # ... and with this share when it is not mostly links
MIXED_SHARE = 0.15  # ... or this share when a content hint goes with the chrome one
# Shares say "large" only for a block of some size: on a short page a copyright footer or
# a menu is a large share of little text, and keeping it buries a one-paragraph notice.
# Sizes here are reading lengths (``_script``: a CJK character counts 2.5).
LARGE_BLOCK_CHARS = 500
# Paragraphs of this length read as prose; a chrome-hinted element holding this much of it
# (and few links) is a section of the page, not a menu or a widget.
PROSE_PARAGRAPH_CHARS = 100
PROSE_BLOCK_CHARS = 1_500
PROSE_LINK_DENSITY = 0.25
LINK_LEVELS = 6  # how far up a paragraph's enclosing link is looked for
HEADED_PARAGRAPHS = 3  # ... and one holding an <h1> with this many paragraphs
# On a page of several <article> elements (a listing), a <header> or <footer> inside one
# of them is that card's title and teaser or its date, not the site's.
LISTING_ARTICLES = 4
CARD_PARTS = frozenset({"header", "footer"})
CARD_DEPTH = 8
# Elements whose class/id is checked; inline elements go with their container.
HINTED_SELECTOR = ":is(div,section,article,ul,ol,dl,table,p,li,span):is([class],[id])"


MAX_DEPTH = 1_000  # deeper markup is flattened: tree building is quadratic in depth
DEPTH_CHECK_TAGS = 15_000  # fewer tags cannot nest deep enough to cost the parser much
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>")
_ANY_TAG = re.compile(r"<[^>]*>")
_DIGITS = re.compile(r"\d+")
_DIGIT_TABLE = str.maketrans("", "", "0123456789")
_SLUG_GAPS = re.compile(r"\W+")  # what a heading's slug replaces with "-"
HEADING_SELECTOR = "h1,h2,h3,h4,h5,h6"
NOSCRIPT_PAGE_CHARS = 2_000
_NOSCRIPT = re.compile(r"<noscript\b[^>]*>(.*?)</noscript>", re.IGNORECASE | re.DOTALL)
_PAGE_MARKUP = re.compile(r"<(?:p|div|article|main|section|h[1-6])\b", re.IGNORECASE)
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
    if len(html) > DEPTH_CHECK_TAGS and html.count("<") > DEPTH_CHECK_TAGS:
        html = limit_depth(html)
    if "<noscript" in html:
        html = unwrap_noscript(html)
    return LexborHTMLParser(html)


def unwrap_noscript(html: str) -> str:
    """Drop the tags of a ``<noscript>`` that holds a page's worth of markup.

    Scripted sites (Discourse, some SPAs) serve the readable page inside ``<noscript>``;
    the parser keeps it as raw text, so it would be thrown away with the scripts. Small
    noscripts (tracking pixels, "enable JavaScript") stay as they are.
    """

    def big(match: re.Match[str]) -> bool:
        inner = match.group(1)
        return len(inner) >= NOSCRIPT_PAGE_CHARS and _PAGE_MARKUP.search(inner) is not None

    # Most pages have only small noscripts: finding that out is half the cost of
    # rebuilding the page unchanged.
    if not any(big(match) for match in _NOSCRIPT.finditer(html)):
        return html
    return _NOSCRIPT.sub(lambda match: match.group(1) if big(match) else match.group(0), html)


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
    attrs = node.attributes  # one dict: ``node.attrs.get`` raises and catches per miss
    cls = attrs.get("class") or ""
    ident = attrs.get("id") or ""
    return f"{cls} {ident}".lower() if cls or ident else ""


def class_weight(node: LexborNode) -> int:
    """+25 for a content-like class/id, -25 for a chrome-like one (both: 0)."""
    hints = hint_string(node)
    return _hint_weight(hints) if hints else 0


@lru_cache(maxsize=HINT_CACHE)
def _hint_weight(hints: str) -> int:
    # Pages and sites repeat their class strings: each is matched once per process.
    weight = 0
    if POSITIVE_HINT.search(hints):
        weight += 25
    if NEGATIVE_HINT.search(hints):
        weight -= 25
    return weight


@lru_cache(maxsize=HINT_CACHE)
def _chrome_hint(hints: str) -> bool:
    """A class/id that says chrome (and is not a quoted embed)."""
    return NEGATIVE_HINT.search(hints) is not None and EMBED_HINT.search(hints) is None


def node_text(node: LexborNode) -> str:
    """All the text under ``node``, as ``node.text()`` gives it, read by lexbor's own
    ``textContent`` (no buffer built on the Python side: about a quarter faster)."""
    return node.text_lexbor()


def link_chars(node: LexborNode) -> int:
    """Characters of text inside the links (``<a>``) of ``node``, itself included."""
    return sum(len(a.text_lexbor()) for a in node.css("a"))


def link_density(node: LexborNode, text_len: int | None = None) -> float:
    """Share of the text of ``node`` that sits inside links."""
    total = text_len if text_len is not None else len(node_text(node))
    if total <= 0:
        return 0.0
    return min(1.0, link_chars(node) / total)


def remove_all(root: LexborNode, selector: str) -> None:
    """Detach every element matching ``selector`` (invalid selectors are ignored)."""
    try:
        nodes = root.css(selector)
    except Exception:  # selectolax raises several types for bad selectors
        return
    for node in nodes:
        node.remove()


def clean(
    tree: LexborHTMLParser,
    remove_selectors: tuple[str, ...] = (),
    *,
    by_hints: bool = True,
    comments: bool = False,
    keep: str | None = None,
) -> LexborNode | None:
    """Remove chrome from the document; return its body (or root) for scoring.

    Operator ``remove_selectors`` and the never-text tags go unconditionally. Chrome by
    construction (``<header>``, ``<aside>``, ``[hidden]`` ...) and by class/id hint goes
    only when it does not hold a large part of the page: sites wrap whole articles in a
    ``<header>``, stream them into a hidden ``<div>`` or give them a class with a chrome
    word (``date-posts``, ``__next``). ``<figure>``/``<aside>``/``<header>`` elements
    repeated with one class are judged together; the ``<footer>`` element always goes.
    ``keep`` (an operator's ``content_selector``): what it matches, and the elements
    around that, are never removed as chrome.
    ``comments=True`` keeps repeated comment units
    like forum posts (on a page that does not declare itself an article).
    ``by_hints=False`` keeps hinted elements (for an operator's ``content_selector``);
    call ``remove_by_hints`` later if needed.
    """
    tree.strip_tags(list(DROP_TAGS))
    root = tree.body or tree.root
    if root is None:
        return None
    for selector in remove_selectors:
        remove_all(root, selector)
    body_len = max(1, len(node_text(root)))
    listing = len(root.css("article")) >= LISTING_ARTICLES
    chrome = root.css(f"{CHROME_TAGS},{DROP_SELECTOR}")
    kept = _repeated_units(chrome, body_len)
    if keep:
        kept |= _with_ancestors(select(root, keep))
    for node in chrome:
        if node.attrs.get("role") in PANEL_ROLES:
            continue  # a closed tab or accordion panel: hidden for layout, not chrome
        if listing and node.tag in CARD_PARTS and _within(node, "article", CARD_DEPTH):
            continue  # a card's own header or footer (title, teaser, date), not the site's
        if node.mem_id in kept:
            continue
        if node.tag == "footer" or _modal(node) or not _holds_content(node, "", body_len):
            node.remove()
    if by_hints:
        # shares of what is left: hidden menus can outweigh the page
        remove_by_hints(root, comments=comments)
    return root


def select(root: LexborNode, selector: str) -> list[LexborNode]:
    """The elements an operator's CSS selector matches; none for an invalid selector
    (the caller falls back to scoring)."""
    try:
        return list(root.css(selector))
    except Exception:
        return []


def _with_ancestors(nodes: list[LexborNode]) -> set[int]:
    ids: set[int] = set()
    for node in nodes:
        current: LexborNode | None = node
        while current is not None and current.mem_id not in ids:
            ids.add(current.mem_id)
            current = current.parent
    return ids


def _modal(node: LexborNode) -> bool:
    """A consent or legal dialog laid over the page (cookie settings, privacy policy,
    terms of use): however much text it holds, it is not the page. Other dialogs (a size
    guide, a product's details) are judged like any chrome."""
    attrs = node.attributes
    if node.tag != "dialog" and attrs.get("role") not in MODAL_ROLES:
        return False
    # its name: the label, class/id, and the opening words (where its title sits)
    opening = node_text(node)[:MODAL_TITLE_CHARS]
    label = " ".join((attrs.get("aria-label") or "", hint_string(node), opening)).lower()
    return LEGAL_HINT.search(label) is not None


def _repeated_units(nodes: list[LexborNode], body_len: int) -> set[int]:
    """Chrome-by-construction elements of one tag and class that repeat and together hold
    a fair share of the page: quotes in ``<figure>``s, cards' ``<header>``s."""
    groups: dict[tuple[str, str], list[tuple[LexborNode, int]]] = {}
    for node in nodes:
        if node.tag in UNIT_TAGS:
            key = (node.tag, class_family(node))
            groups.setdefault(key, []).append((node, len(node_text(node))))
    kept: set[int] = set()
    for members in groups.values():
        if len(members) > 2 and sum(n for _, n in members) >= body_len * FAIR_SHARE:
            kept.update(node.mem_id for node, _ in members)
    return kept


def class_family(node: LexborNode) -> str:
    """``node``'s class with digits removed: the one name of numbered siblings
    (``item-1``, ``item-2``; ``post post-2143857``)."""
    return (node.attributes.get("class") or "").translate(_DIGIT_TABLE)


def _within(node: LexborNode, tag: str, levels: int) -> bool:
    """``node`` sits inside a ``tag`` element at most ``levels`` levels up: a card's
    header inside its ``<article>``, a paragraph inside a link (a whole teaser as one
    ``<a>``)."""
    parent = node.parent
    for _ in range(levels):
        if parent is None:
            return False
        if parent.tag == tag:
            return True
        parent = parent.parent
    return False


def remove_by_hints(root: LexborNode, *, comments: bool = False) -> None:
    """Detach elements whose class/id says chrome, unless they hold a large part of the page.

    Elements sharing one class string are judged together: forum posts or listing cards
    each carry a chrome-looking hook ("js-quickEditTarget", "reply") and each is small, but
    together they are the page.
    """
    body_len = max(1, len(node_text(root)))
    hinted: list[tuple[LexborNode, str, int, str]] = []
    group_chars: dict[str, int] = {}
    group_size: dict[str, int] = {}
    for count, node in enumerate(root.css(HINTED_SELECTOR)):
        if count >= MAX_HINT_NODES:
            break
        hints = hint_string(node)
        if not hints or not _chrome_hint(hints) or node.tag in ("html", "body"):
            continue
        if _heading_anchor(node):  # its id is its heading's words: judge its class alone
            hints = (node.attributes.get("class") or "").lower()
            if not hints or not _chrome_hint(hints):
                continue
        text_len = len(node_text(node))
        group = _DIGITS.sub("", hints)  # "post post-2143857": one group for all cards
        hinted.append((node, hints, text_len, group))
        group_chars[group] = group_chars.get(group, 0) + text_len
        group_size[group] = group_size.get(group, 0) + 1
    for node, hints, text_len, group in hinted:
        if _terminal(hints):
            node.remove()
        elif (
            group_size[group] > 2
            and group_chars[group] >= body_len * FAIR_SHARE
            # readers' comments repeat too, after an article; elsewhere they are the page
            and (comments or COMMENT_HINT.search(hints) is None)
        ):
            continue  # a repeated unit (posts, cards) holding a fair share of the page
        elif not _holds_content(node, hints, body_len, text_len):
            node.remove()


def _heading_anchor(node: LexborNode) -> bool:
    """The element's ``id`` is the slug of its own first heading (documentation generators
    give every section one: "management-command-line-utilities"): words of the page,
    not a hook naming chrome."""
    ident = (node.attributes.get("id") or "").lower()
    if "-" not in ident:
        return False
    heading = node.css_first(HEADING_SELECTOR)
    if heading is None:
        return False
    slug = _SLUG_GAPS.sub("-", node_text(heading).lower()).strip("-_")
    return bool(slug) and (slug == ident or slug.startswith(ident))


def _prose_block(node: LexborNode, hints: str, text_len: int) -> bool:
    """An element holding paragraphs of prose with few links: an article body or a page
    section whose wrapper merely carries a chrome word ("with-sidebar-layout"). Readers'
    comments read as prose too and are left to the shares."""
    if COMMENT_HINT.search(hints) is not None:
        return False
    return (
        prose_chars(node) >= PROSE_BLOCK_CHARS and link_density(node, text_len) < PROSE_LINK_DENSITY
    )


def prose_chars(node: LexborNode, *, links: bool = True) -> int:
    """Characters in the paragraphs (``<p>``) of ``node`` long enough to read as prose;
    ``links=False`` counts only their text outside links (a teaser's blurb is a link)."""
    prose = 0
    for par in node.css("p"):
        text = node_text(par).strip()
        chars = reading_length(text)
        if chars >= PROSE_PARAGRAPH_CHARS and not links:
            if _within(par, "a", LINK_LEVELS):
                chars = 0
            else:  # links' share of the paragraph, in the paragraph's own reading weight
                chars -= chars * link_chars(par) // max(1, len(text))
        if chars >= PROSE_PARAGRAPH_CHARS:
            prose += chars
    return prose


def _terminal(hints: str) -> bool:
    """A footer/copyright/breadcrumb class that no article wrapper would carry."""
    return TERMINAL_HINT.search(hints) is not None and POSITIVE_HINT.search(hints) is None


def _holds_content(node: LexborNode, hints: str, body_len: int, text_len: int = -1) -> bool:
    """True when an element that looks like chrome is in fact a large part of the page.

    A hint is a vote, not a verdict: most of the page is never removed on its own (a
    listing's cards are links, so link density does not decide there); a fair share is
    kept when it reads like prose or a content hint goes with the chrome one
    ("article-header", "search main"); mixed hints also keep paragraphs.
    """
    mixed = POSITIVE_HINT.search(hints) is not None or node.tag in ("article", "main")
    if mixed and len(node.css("p")) >= 3:
        return True
    if text_len < 0:
        text_len = len(node_text(node))
    if text_len < LARGE_BLOCK_CHARS and reading_length(node_text(node)) < LARGE_BLOCK_CHARS:
        return False
    share = text_len / body_len
    if share >= (FAIR_SHARE if mixed else MOST_OF_PAGE):
        return True
    if node.css_first("h1") is not None and len(node.css("p")) >= HEADED_PARAGRAPHS:
        return True  # the page's heading with paragraphs under it: its main part
    if hints and _prose_block(node, hints, text_len):
        return True  # the hint weighs shares; it never deletes a page's prose on its own
    if share < (MIXED_SHARE if mixed else FAIR_SHARE):
        return False
    return link_density(node, text_len) < 0.4
