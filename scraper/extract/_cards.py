"""Repeated sibling structures (a listing's cards) found inside the chosen block.

A listing, a shop's category page or a news front is a run of sibling elements built
alike: the same tag and class, each a title link with a teaser, a price or a date. Judged
one by one, each card looks like a list of links (short, mostly linked) and pruning drops
it. Judged as one unit, a run that holds most of the block's text is the block's content.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from ._dom import class_family, node_text

# Elements that are cards or hold them: what a grid's items are built of.
CARD_SELECTOR = "div,section,article,li,tr,dl"
MIN_CARDS = 4  # fewer alike siblings are columns or a menu's top items, not a list
# A card is a title with a teaser, a price or a date; longer units are sections, or a
# mega-menu's top items each holding a column of links.
CARD_CHARS = 1_000
CARD_SPREAD = 0.5  # cards built alike: their sizes vary by under half their mean
LINKED_CARDS = 0.8  # this share of the units hold a link (a card leads to its page)
CARD_SHARE = 0.5  # the run holds this share of the block's text: it is the block's content
MAX_CARD_NODES = 5_000  # elements looked at per block


def card_nodes(block: LexborNode, selector: str) -> set[int]:
    """``mem_id`` of the cards of ``block``, of their ``selector`` descendants and of the
    elements between them and ``block``.

    A card run is ``MIN_CARDS`` or more siblings sharing tag and class (digits ignored:
    ``item-1``, ``item-2``) that together hold ``CARD_SHARE`` of the block's text; the
    largest such run is the listing. Its cards are judged as one unit, not pruned alone.
    """
    runs: dict[tuple[int, str, str], list[LexborNode]] = {}
    for count, node in enumerate(block.css(CARD_SELECTOR)):
        if count >= MAX_CARD_NODES:
            break
        parent = node.parent
        if parent is None:
            continue
        key = (parent.mem_id, node.tag or "", class_family(node))
        runs.setdefault(key, []).append(node)
    total = len(node_text(block))
    if total <= 0:
        return set()
    best: list[LexborNode] = []
    best_chars = 0
    for units in runs.values():
        if len(units) < MIN_CARDS:
            continue
        sizes = [len(node_text(unit)) for unit in units]
        if sum(sizes) > best_chars and _cards(units, sizes):
            best, best_chars = units, sum(sizes)
    if best_chars < total * CARD_SHARE:
        return set()
    kept = {unit.mem_id for unit in best}
    holder = best[0].parent  # the elements holding the run hold the listing: never junk
    while holder is not None and holder.mem_id != block.mem_id:
        kept.add(holder.mem_id)
        holder = holder.parent
    for unit in best:
        kept.update(inner.mem_id for inner in unit.css(selector))
    return kept


def _cards(units: list[LexborNode], sizes: list[int]) -> bool:
    """Alike siblings that read as cards: short, of similar size, and each leading somewhere.

    A mega-menu's top items differ widely in size (one column of links, then ten); an
    article cut into chunks is long and mostly unlinked.
    """
    mean = sum(sizes) / len(sizes)
    if mean <= 0 or mean > CARD_CHARS:
        return False
    spread = (sum((size - mean) ** 2 for size in sizes) / len(sizes)) ** 0.5
    if spread > mean * CARD_SPREAD:
        return False
    linked = sum(unit.css_first("a") is not None for unit in units)
    return linked >= len(units) * LINKED_CARDS
