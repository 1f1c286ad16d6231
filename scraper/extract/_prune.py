"""Inside the chosen block: drop sub-blocks that look like lists of links, widgets or forms."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from ._dom import class_weight, link_density
from ._patterns import COMMAS
from ._scoring import text_weight

PRUNE_SELECTOR = "table,ul,ol,dl,div,section,aside,form"
MAX_PRUNE_NODES = 3_000


def prune(block: LexborNode) -> None:
    """Detach low-value descendants of ``block`` (readability's conditional cleaning)."""
    nodes = block.css(PRUNE_SELECTOR)
    own_id = block.mem_id
    for count, node in enumerate(reversed(nodes)):  # innermost first
        if count >= MAX_PRUNE_NODES:
            return
        if node.mem_id != own_id and _is_junk(node):
            node.remove()


def _is_junk(node: LexborNode) -> bool:
    text = node.text()
    text_len = len(text.strip())
    if text_len == 0:
        return not node.css_first("img")
    density = link_density(node, len(text))
    if density < 0.5 and len(COMMAS.findall(text)) >= 10:
        return False
    if density < 0.25 and text_weight(text) >= 300:
        return False
    weight = class_weight(node)
    tag = node.tag or ""
    paragraphs = len(node.css("p"))
    images = len(node.css("img"))
    items = 0 if tag in ("ul", "ol") else len(node.css("li")) - 100
    inputs = len(node.css("input,select,textarea,button"))
    if images > 1 and paragraphs / images < 0.5 and text_len < 100 * images:
        return True
    if items > paragraphs or inputs > paragraphs / 3:
        return True
    if weight < 25 and density > 0.2:
        if tag in ("ul", "ol"):
            return density > 0.5 or _linked_list(node)
        return density > 0.5 or text_len < 200
    return weight >= 25 and density > 0.5


def _linked_list(node: LexborNode) -> bool:
    """A list whose items are mostly links (navigation, teasers), not prose with a link."""
    items = len(node.css("li")) or 1
    return len(node.css("a")) >= items * 0.5
