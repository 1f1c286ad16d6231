"""Product pages: what a shop's page carries around the product that is not its text.

A page that declares a product (``og:type`` ``product``, JSON-LD ``Product``) and no
article lists customers' reviews, ratings and testimonials under the description: like
readers' comments under an article, they are not the page's text, however much of it
they hold. Such a page's ``<main>`` also bounds the widening of the chosen block: the
mega-menus and card grids around it can hold more text than the product itself.
"""

from __future__ import annotations

import re
from typing import Any

from selectolax.lexbor import LexborNode

from ._dom import hint_string
from ._meta import HeadMeta

PRODUCT_TYPES = frozenset({"Product", "ProductGroup", "IndividualProduct", "ProductModel"})
REVIEW_SELECTOR = (
    "[class*=review i],[id*=review i],[class*=testimonial i],[class*=rating i],[itemprop=review]"
)
REVIEW_HINT = re.compile(r"(?<![a-z])(?:reviews?|testimonials?|ratings?)(?![a-z])")


def declares_product(head: HeadMeta) -> bool:
    """The page says it is a product (``og:type`` ``product…``, JSON-LD ``Product``)."""
    og_type = (head.meta("og:type") or "").strip().lower()
    return og_type.startswith("product") or any(_is_product(obj) for obj in head.jsonld)


def _is_product(obj: dict[str, Any]) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k in PRODUCT_TYPES for k in kinds)


def remove_reviews(root: LexborNode) -> None:
    """Detach customers' reviews and ratings (never an element holding the ``<h1>``)."""
    for node in root.css(REVIEW_SELECTOR):
        if node.attributes.get("itemprop") != "review" and not REVIEW_HINT.search(
            hint_string(node)
        ):
            continue
        if node.css_first("h1") is None:
            node.remove()


def main_of(blocks: list[LexborNode], root: LexborNode) -> LexborNode:
    """The page's ``<main>`` (or ``role="main"``) holding the chosen blocks, else ``root``:
    the widest a product's text may be widened to."""
    node = blocks[0].parent if blocks else None
    while node is not None and node.tag not in (None, "html", "body"):
        if node.tag == "main" or node.attributes.get("role") == "main":
            return node
        node = node.parent
    return root
