"""Inside the chosen block: drop sub-blocks that look like lists of links, widgets or forms."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from ._dom import class_weight, link_density
from ._patterns import COMMAS

PRUNE_SELECTOR = "table,ul,ol,dl,div,section,aside,form"
MAX_PRUNE_NODES = 3_000


def prune(block: LexborNode) -> None:
    """Detach low-value descendants of ``block`` (readability's conditional cleaning)."""
    nodes = block.css(PRUNE_SELECTOR)
    for count, node in enumerate(reversed(nodes)):  # innermost first
        if count >= MAX_PRUNE_NODES:
            return
        if _is_junk(node):
            node.remove()


def _is_junk(node: LexborNode) -> bool:
    weight = class_weight(node)
    if weight < 0:
        return True
    text = node.text()
    text_len = len(text.strip())
    if text_len == 0:
        return not node.css_first("img")
    if len(COMMAS.findall(text)) >= 10:
        return False
    tag = node.tag or ""
    paragraphs = len(node.css("p"))
    images = len(node.css("img"))
    items = len(node.css("li")) - 100
    inputs = len(node.css("input,select,textarea,button"))
    density = link_density(node, len(text))
    if tag in ("ul", "ol"):
        items = 0  # a list is expected to have items
    if images > 1 and paragraphs / images < 0.5:
        return True
    if items > paragraphs:
        return True
    if inputs > paragraphs / 3:
        return True
    if weight < 25 and density > 0.2 and text_len > 0:
        return density > 0.5 or text_len < 200 or tag in ("ul", "ol", "table")
    return weight >= 25 and density > 0.5
