"""Choose the main-content block: text-density scoring of containers, then siblings.

Each paragraph-like element gives its container a score for its length and punctuation
(CJK 。，、 included); the score spreads to ancestors with decay, is weighted by tag and
class/id hints, and is discounted by link density. The best container and those of its
siblings that look like continuations of it form the article.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from ._dom import class_weight, link_chars, link_density, node_text, prose_chars
from ._patterns import SENTENCE_END
from ._script import reading_length
from ._text import count_commas

PARAGRAPH_SELECTOR = "p,pre,td,blockquote,div,section,article,font,span,center,main"
DEEP_TEXT_TAGS = frozenset({"p", "pre", "td", "blockquote"})
MIN_PARAGRAPH_WEIGHT = 25
CONTENT_CAP = 300  # a paragraph's size adds at most 3 to its container
MAX_PARAGRAPHS = 5_000
TOP_CANDIDATES = 8
ANCESTOR_LEVELS = 8
HEADING_LEVELS = 4  # how far above a block its article's <h1> is looked for
ARTICLE_HEADINGS = "article h1"  # two of them: two articles on one page
COVERED = 0.5  # the chosen blocks hold this share of the text outside links: enough
SPREAD = 0.8  # the ancestor taken instead holds this share
# On a declared article, chosen blocks this long (reading_length) are never widened ...
ARTICLE_CHARS = 2_500
PROSE_SPREAD = 2.0  # ... unless the wider block holds this many times their prose

TAG_SCORE = {
    "div": 5,
    "article": 8,
    "main": 5,
    "section": 3,
    "pre": 3,
    "td": 3,
    "blockquote": 3,
    "address": -3,
    "ol": -3,
    "ul": -3,
    "dl": -3,
    "dd": -3,
    "dt": -3,
    "li": -3,
    "form": -3,
    "h1": -5,
    "h2": -5,
    "h3": -5,
    "h4": -5,
    "h5": -5,
    "h6": -5,
    "th": -5,
}


@dataclass
class Candidate:
    node: LexborNode
    score: float
    text_len: int = 0
    final: float = 0.0


def select_blocks(root: LexborNode) -> list[LexborNode]:
    """The elements holding the article, in document order (empty when nothing fits)."""
    candidates = _score_candidates(root)
    if not candidates:
        return []
    ranked = sorted(candidates.values(), key=lambda c: c.score, reverse=True)[:TOP_CANDIDATES]
    for cand in ranked:
        cand.text_len = len(cand.node.text())
        cand.final = cand.score * (1.0 - link_density(cand.node, cand.text_len))
    ranked.sort(key=lambda c: c.final, reverse=True)
    top = _common_ancestor(ranked, candidates) or _promote(ranked[0], candidates)
    return _with_siblings(top, candidates)


def _score_candidates(root: LexborNode) -> dict[int, Candidate]:
    candidates: dict[int, Candidate] = {}
    for count, node in enumerate(root.css(PARAGRAPH_SELECTOR)):
        if count >= MAX_PARAGRAPHS:
            break
        tag = node.tag or ""
        deep = tag in DEEP_TEXT_TAGS
        text = node.text(deep=deep)
        weight = reading_length(text.strip(), CONTENT_CAP)
        if weight < MIN_PARAGRAPH_WEIGHT:
            continue
        if not deep and weight >= 2 * MIN_PARAGRAPH_WEIGHT:
            content = _lines_content(node)  # text of its own, maybe lines cut by <br>
        else:
            content = _content(text, weight)
        _spread(node.parent if deep else node, content, candidates)
    return candidates


def _content(text: str, weight: int) -> float:
    """What one paragraph adds to its container: commas and length (capped)."""
    return 1.0 + count_commas(text) + min(weight / 100.0, CONTENT_CAP / 100.0)


def _lines_content(node: LexborNode) -> float:
    """The content of an element's own text, each line cut by ``<br>`` counted as a
    paragraph: old sites write articles in a <div> or <td> with <br> and no <p>, and
    that text weighs what the same text in paragraphs would."""
    lines: list[str] = []
    current: list[str] = []
    for child in node.iter(include_text=True):
        if child.is_text_node:
            current.append(child.text_content or "")
        elif child.tag == "br":
            lines.append("".join(current))
            current = []
    lines.append("".join(current))
    if len(lines) == 1:
        return _content(lines[0], reading_length(lines[0].strip(), CONTENT_CAP))
    total = 0.0
    rest: list[str] = []  # menu-like lines (no sentence, no comma) weigh as one paragraph
    for line in lines:
        line = line.strip()
        weight = reading_length(line, CONTENT_CAP)
        if weight >= MIN_PARAGRAPH_WEIGHT and (line[-1] in SENTENCE_END or count_commas(line)):
            total += _content(line, weight)
        else:
            rest.append(line)
    joined = " ".join(rest)
    weight = reading_length(joined.strip(), CONTENT_CAP)
    return total + (_content(joined, weight) if weight >= MIN_PARAGRAPH_WEIGHT else 0.0)


def _spread(start: LexborNode | None, content: float, candidates: dict[int, Candidate]) -> None:
    """Add ``content`` to ``start`` and, with decay, to four more ancestors."""
    node = start
    level = 0
    while node is not None and level < 5:
        tag = node.tag
        if tag is None or tag in ("html", "#document", "-document"):
            return
        key = node.mem_id
        cand = candidates.get(key)
        if cand is None:
            cand = Candidate(node, TAG_SCORE.get(tag, 0) + class_weight(node))
            candidates[key] = cand
        divider = 1 if level == 0 else (2 if level == 1 else level * 3)
        cand.score += content / divider
        node = node.parent
        level += 1


def _common_ancestor(ranked: list[Candidate], candidates: dict[int, Candidate]) -> Candidate | None:
    """When the article is split into several similar blocks, their shared ancestor.

    Peers are strong runners-up (three or more share the ancestor, as in readability) or
    blocks with the same class as the winner (an article cut into "chunks").
    """
    top = ranked[0]
    top_class = top.node.attributes.get("class") or ""
    strong = [c for c in ranked[1:6] if c.final >= top.final * 0.75]
    twins = [
        c
        for c in ranked[1:]
        if top_class and c.final >= top.final * 0.2 and c.node.attributes.get("class") == top_class
    ]
    own = _heading_root(top.node)
    strong = [c for c in strong if not _separate(own, c.node)]
    twins = [c for c in twins if not _separate(own, c.node)]
    if len(strong) < 2 and not twins:
        return None
    strong_ids = [_ancestor_ids(c.node) for c in strong]
    twin_ids = [_ancestor_ids(c.node) for c in twins]
    node = top.node.parent
    for _ in range(ANCESTOR_LEVELS):
        if node is None or node.tag in (None, "html", "body"):
            return None
        key = node.mem_id
        if sum(key in ids for ids in strong_ids) >= 2 or (
            twin_ids and all(key in ids for ids in twin_ids)
        ):
            found = candidates.get(key) or Candidate(node, TAG_SCORE.get(node.tag or "", 0))
            candidates[key] = found
            return found
        node = node.parent
    return None


def _heading_root(node: LexborNode) -> LexborNode | None:
    """The nearest element at or above ``node`` that holds an ``<h1>``: its article."""
    current: LexborNode | None = node
    for _ in range(HEADING_LEVELS):
        if current is None or current.tag in (None, "html", "body"):
            return None
        if current.css_first("h1") is not None:
            return current
        current = current.parent
    return None


def _separate(own: LexborNode | None, other: LexborNode) -> bool:
    """True when ``other`` belongs to another article than the one ``own`` heads.

    Infinite scroll appends the next article, with its own ``<h1>``, beside the first;
    two such blocks are two articles, never one article in chunks.
    """
    if own is None:
        return False
    theirs = _heading_root(other)
    return (
        theirs is not None
        and theirs.mem_id != own.mem_id
        and own.mem_id not in {a.mem_id for a in _ancestors(theirs)}
        and theirs.mem_id not in {a.mem_id for a in _ancestors(own)}
    )


def _ancestors(node: LexborNode) -> list[LexborNode]:
    found = []
    current = node.parent
    for _ in range(ANCESTOR_LEVELS):
        if current is None:
            break
        found.append(current)
        current = current.parent
    return found


def _ancestor_ids(node: LexborNode) -> set[int]:
    ids: set[int] = set()
    current = node.parent
    for _ in range(ANCESTOR_LEVELS):
        if current is None:
            break
        ids.add(current.mem_id)
        current = current.parent
    return ids


def _promote(top: Candidate, candidates: dict[int, Candidate]) -> Candidate:
    """Move up to the parent while the top block is an only child or the parent scores close."""
    current = top
    for _ in range(3):
        parent = current.node.parent
        if parent is None or parent.tag in (None, "html", "body"):
            break
        pc = candidates.get(parent.mem_id)
        if pc is None:
            break
        only_child = _element_children(parent) == 1
        if not only_child and pc.score < current.score * 0.95:
            break
        if pc.score < current.score * 0.5:
            break
        pc.text_len = pc.text_len or len(pc.node.text())
        pc.final = pc.score * (1.0 - link_density(pc.node, pc.text_len))
        current = pc
    return current


def _element_children(node: LexborNode) -> int:
    count = 0
    for child in node.iter(include_text=True):
        if child.is_text_node:
            if (child.text_content or "").strip():
                return 99
            continue
        count += 1
        if count > 1:
            return count
    return count


def _with_siblings(top: Candidate, candidates: dict[int, Candidate]) -> list[LexborNode]:
    parent = top.node.parent
    if parent is None or parent.tag in (None, "html"):
        return [top.node]
    threshold = max(10.0, top.score * 0.2)
    top_class = top.node.attributes.get("class") or ""
    own = _heading_root(top.node)
    chosen: list[LexborNode] = []
    for sibling in parent.iter():
        if sibling.mem_id == top.node.mem_id:
            chosen.append(sibling)
            continue
        if _separate(own, sibling):
            continue
        if _sibling_fits(sibling, candidates, threshold, top_class, top.score):
            chosen.append(sibling)
    return chosen


def _sibling_fits(
    node: LexborNode,
    candidates: dict[int, Candidate],
    threshold: float,
    top_class: str,
    top_score: float,
) -> bool:
    cand = candidates.get(node.mem_id)
    bonus = top_score * 0.2 if top_class and node.attributes.get("class") == top_class else 0.0
    if cand is not None and cand.score + bonus >= threshold:
        text_len = len(node.text())
        return link_density(node, text_len) < 0.3
    if node.tag != "p":
        return False
    text = node.text().strip()
    weight = reading_length(text, 81)
    density = link_density(node, len(text))
    if weight > 80 and density < 0.25:
        return True
    return 0 < weight <= 80 and density == 0 and text[-1] in SENTENCE_END


def own_text(node: LexborNode) -> int:
    """Characters of ``node``'s text outside links: what a reader reads there."""
    return max(0, len(node_text(node)) - link_chars(node))


def _article_length(blocks: list[LexborNode], chosen: int, article_chars: float) -> int:
    """Reading length of the blocks' text outside links (``chosen`` characters of it):
    a Chinese article of 1,000 characters is a full one."""
    if chosen >= article_chars or chosen * 2.5 < article_chars:
        return chosen  # long enough, or too short in any script
    texts = [node_text(b) for b in blocks]
    if all(text.isascii() for text in texts):
        return chosen
    extra = sum(reading_length(text) - len(text) for text in texts)
    return chosen + extra


def widen(
    blocks: list[LexborNode], root: LexborNode, article_chars: float = ARTICLE_CHARS
) -> list[LexborNode]:
    """The chosen blocks, or an ancestor when they hold only part of the page's reading.

    A page of several sections (a service page, a forum thread, a listing, docs) spreads
    its text over many blocks; the best one is then a fraction of it. The lowest ancestor
    holding most of the page's text outside links replaces them.
    """
    total = own_text(root)
    if total <= 0 or not blocks:
        return blocks
    chosen = sum(own_text(b) for b in blocks)
    if chosen >= total * COVERED:
        return blocks  # enough of the page
    wider = _spread_ancestor(blocks, root, total)
    if wider is blocks or _article_length(blocks, chosen, article_chars) < article_chars:
        return wider
    # A full article is not widened over the teaser blurbs around it; a page of several
    # sections of prose (a long guide, a service page declared an article) is.
    if _reading(wider) >= PROSE_SPREAD * _reading(blocks):
        return wider
    return blocks


def _reading(blocks: list[LexborNode]) -> int:
    """The prose of ``blocks`` outside links: what widening over them would add to read."""
    return sum(prose_chars(block, links=False) for block in blocks)


def _spread_ancestor(blocks: list[LexborNode], root: LexborNode, total: int) -> list[LexborNode]:
    """The lowest ancestor of ``blocks`` holding ``SPREAD`` of the page's reading."""
    own = _heading_root(blocks[0])
    node = blocks[0].parent
    while node is not None and node.tag not in (None, "html", "body"):
        if own is not None and len(node.css(ARTICLE_HEADINGS)) > 1:
            return blocks  # the next step takes in another article (infinite scroll)
        if own_text(node) >= total * SPREAD:
            return [node]
        node = node.parent
    if own is not None and len(root.css(ARTICLE_HEADINGS)) > 1:
        return blocks
    return [root]
