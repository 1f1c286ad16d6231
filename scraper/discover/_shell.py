"""Does an HTML page look like an empty shell that its scripts fill in (a single-page
app, a board that loads its list by XHR)? Self-diagnosis asks this of a listing page
that gave no link, to suggest ``render: browser``."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

# Below this many characters of text outside scripts, a page with scripts shows its
# reader nothing until they run: no listing, article or even navigation worth the name.
SHELL_TEXT = 200
_NOT_SHOWN = "script, style, noscript, template"


def looks_scripted(html: str) -> bool:
    """True when the page has scripts and almost no text of its own."""
    tree = LexborHTMLParser(html)
    if tree.css_first("script") is None:
        return False
    body = tree.body
    if body is None:
        return True
    for node in body.css(_NOT_SHOWN):
        node.decompose()
    return len(" ".join(body.text(separator=" ").split())) < SHELL_TEXT
