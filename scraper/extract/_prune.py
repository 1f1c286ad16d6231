"""Inside the chosen block: drop sub-blocks that look like lists of links, widgets or forms."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from ._cards import card_nodes
from ._dom import class_weight, link_density, node_text
from ._script import reading_length
from ._text import count_commas

PRUNE_SELECTOR = "table,ul,ol,dl,div,section,aside,form"
MAX_PRUNE_NODES = 3_000
COUNTED_SELECTOR = "p,img,li,input,select,textarea,button"
# Block elements: a <div> holding none of them is a paragraph written without <p> (old
# editors and CMSs of the region write one <div> per paragraph).
BLOCK_SELECTOR = "div,p,ul,ol,dl,table,section,article,aside,form,h1,h2,h3,h4,h5,h6"
PARAGRAPH_END = frozenset(".!?。！？…")  # a sentence's last character (quotes stripped)
SENTENCE_OWN = 40  # ... with this much text (reading_length) outside its links
CLOSING_QUOTES = "\"'”’」』"


def prune(block: LexborNode) -> bool:
    """Detach low-value descendants of ``block`` (readability's conditional cleaning).

    True when ``block`` is a listing: a run of alike cards holds most of its text. The
    cards are then kept whole (judged one by one, each looks like a list of links).
    """
    nodes = block.css(PRUNE_SELECTOR)
    own_id = block.mem_id
    kept = card_nodes(block, PRUNE_SELECTOR)
    for count, node in enumerate(reversed(nodes)):  # innermost first
        if count >= MAX_PRUNE_NODES:
            break
        if node.mem_id != own_id and node.mem_id not in kept and _is_junk(node):
            node.remove()
    return bool(kept)


def _is_junk(node: LexborNode) -> bool:
    text = node_text(node)
    stripped = text.strip()
    text_len = len(stripped)
    if text_len == 0:
        return not node.css_first("img")
    density = link_density(node, len(text))
    if density < 0.5 and count_commas(text) >= 10:
        return False
    if density < 0.25 and reading_length(text, 300) >= 300:
        return False
    weight = class_weight(node)
    tag = node.tag or ""
    counts = _tag_counts(node)
    paragraphs = counts.get("p", 0)
    images = counts.get("img", 0)
    items = 0 if tag in ("ul", "ol") else counts.get("li", 0) - 100
    inputs = sum(counts.get(t, 0) for t in ("input", "select", "textarea", "button"))
    reading = reading_length(stripped, max(200, 100 * images))  # compared with both
    if images > 1 and paragraphs / images < 0.5 and reading < 100 * images:
        return True
    if items > paragraphs or inputs > paragraphs / 3:
        return True
    if weight < 25 and density > 0.2:
        if tag in ("ul", "ol"):
            return density > 0.5 or _linked_list(node)
        if (
            density <= 0.5
            and reading * (1 - density) >= SENTENCE_OWN
            and _written_paragraph(node, stripped)
        ):
            return False  # a sentence with a link in it, not a box of links
        return density > 0.5 or reading < 200
    return weight >= 25 and density > 0.5


def _written_paragraph(node: LexborNode, text: str) -> bool:
    """A ``<div>`` of inline text that ends a sentence: a paragraph, whatever its links."""
    if node.tag != "div" or not text:
        return False
    if text.rstrip(CLOSING_QUOTES)[-1:] not in PARAGRAPH_END:
        return False
    own = node.mem_id
    return all(found.mem_id == own for found in node.css(BLOCK_SELECTOR))  # css() has node


def _tag_counts(node: LexborNode) -> dict[str, int]:
    """How many of each counted descendant ``node`` holds: one traversal, not four."""
    counts: dict[str, int] = {}
    for found in node.css(COUNTED_SELECTOR):
        tag = found.tag or ""
        counts[tag] = counts.get(tag, 0) + 1
    return counts


def _linked_list(node: LexborNode) -> bool:
    """A list whose items are mostly links (navigation, teasers), not prose with a link."""
    items = len(node.css("li")) or 1
    return len(node.css("a")) >= items * 0.5
