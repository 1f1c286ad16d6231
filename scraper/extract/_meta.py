"""Metadata from the document head, JSON-LD and the body: title, author, canonical URL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ._text import normalise

MAX_JSONLD_CHARS = 200_000
MAX_BYLINE_CHARS = 80
MAX_SUBHEADS = 8
MAX_SUBHEAD_CHARS = 300
BYLINE_SELECTOR = "[itemprop=author],a[rel=author],.byline,.author-name,.article-author,.writer"
# Where old board and government pages put a post's title instead of a heading element
# (<td class=title>, <div class="tit">): read like subheads, after h1.
_TITLED = {
    "td": ("title", "subject"),
    "th": ("title",),
    "div": ("title", "tit", "subject"),
    "p": ("tit",),
    "strong": ("tit",),
}
TITLED_SELECTOR = ",".join(f"{tag}.{cls}" for tag, classes in _TITLED.items() for cls in classes)
HEAD_SELECTOR = (
    "meta[content],title,h1,h2,h3,script[type='application/ld+json'],link[rel=canonical][href],"
    "time,[itemprop=datePublished],[itemprop=dateCreated],abbr.published[title],"
    + BYLINE_SELECTOR
    + ","
    + TITLED_SELECTOR
)
_AUTHOR_PREFIX = re.compile(
    r"^(?:by|written by|posted by|author|автор|зохиогч|作者|记者|文|글|작성자|執筆者?)\s*[:：]?\s*",
    re.I,
)


@dataclass
class HeadMeta:
    """Everything read from ``<head>`` and JSON-LD before the body is cleaned."""

    metas: dict[str, str] = field(default_factory=dict)  # property/name/itemprop -> content
    title_tag: str = ""
    h1: list[str] = field(default_factory=list)
    # the first <h2>/<h3> texts: a board's post title when <title> names only the site
    subheads: list[str] = field(default_factory=list)
    titled: list[str] = field(default_factory=list)  # texts of TITLED_SELECTOR elements
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    canonical: str | None = None
    html_lang: str | None = None
    # <time> (its datetime, else its text) and itemprop=datePublished values, page order;
    # ``published`` holds those that say they are the publication date.
    times: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    byline: str | None = None  # itemprop=author, rel=author or a byline element ("" = none)

    def meta(self, *names: str) -> str | None:
        for name in names:
            value = self.metas.get(name)
            if value:
                return value
        return None


def read_head(tree: LexborHTMLParser) -> HeadMeta:
    """Collect metadata from the whole document (before cleaning removes headers).

    One CSS query walks the document once; the nodes are sorted out here.
    """
    head = HeadMeta()
    scripts: list[LexborNode] = []
    for node in tree.css(HEAD_SELECTOR):
        tag = node.tag
        if tag == "meta":
            _add_meta(head, node)
        elif tag == "h1":
            if len(head.h1) < 5 and not _is_logo(node) and (text := heading_text(node)):
                head.h1.append(text)
        elif tag in ("h2", "h3"):
            if len(head.subheads) < MAX_SUBHEADS and (text := normalise(node.text())):
                head.subheads.append(text[:MAX_SUBHEAD_CHARS])
        elif tag == "script":
            scripts.append(node)
        elif _is_titled(node, tag):
            if len(head.titled) < MAX_SUBHEADS and (text := normalise(node.text())):
                head.titled.append(text[:MAX_SUBHEAD_CHARS])
        elif tag == "title":
            head.title_tag = head.title_tag or normalise(node.text())
        elif tag == "link":
            head.canonical = head.canonical or (node.attributes.get("href") or "").strip() or None
        elif tag in ("time", "abbr") or node.attributes.get("itemprop") in _PUBLISHED_ITEMPROPS:
            _add_time(head, node)
        elif head.byline is None:  # only byline elements are left
            head.byline = _byline_text(node)
    head.jsonld = list(_jsonld_objects(scripts))
    html = tree.css_first("html")
    if html is not None:
        lang = html.attributes.get("lang") or html.attributes.get("xml:lang")
        head.html_lang = lang.strip() if lang else None
    return head


def _is_titled(node: LexborNode, tag: str | None) -> bool:
    classes = _TITLED.get(tag or "")
    if classes is None:
        return False
    tokens = (node.attributes.get("class") or "").split()
    return any(cls in tokens for cls in classes)


# Inside a heading, what is not its words: buttons ("Copy item path"), tooltips, the
# <time> a blog puts before the headline, icons; a line break is a space.
_HEADING_EXTRAS = re.compile(
    r"<(button|time|svg|style|script|template)\b.*?</\1\s*>|<br\b[^>]*>", re.I | re.S
)
_HEADING_EXTRA_TAGS = ("<button", "<time", "<svg", "<br", "<style", "<script", "<template")
# A permalink sign after a heading's words (Sphinx's ¶, Markdown renderers' #, §, 🔗).
_PERMALINK = re.compile(r"\s*[¶#§🔗]+$")


def heading_text(node: LexborNode) -> str:
    """A heading's words: without the buttons, times and icons some headings hold, and
    with its line breaks as spaces ("News Product<br>Management")."""
    markup = node.html or ""
    lower = markup.lower()
    if any(tag in lower for tag in _HEADING_EXTRA_TAGS):
        fragment = LexborHTMLParser(_HEADING_EXTRAS.sub(_space_for_br, markup))
        text = normalise(fragment.body.text() if fragment.body is not None else "")
    else:
        text = normalise(node.text())
    return _PERMALINK.sub("", text)


def _space_for_br(match: re.Match[str]) -> str:
    return " " if match.group(0)[:3].lower() == "<br" else ""


def _is_logo(h1: LexborNode) -> bool:
    """An ``<h1>`` that links to the site's home page holds its logo, not the headline."""
    link = h1.css_first("a[href]")
    if link is None:
        return False
    href = (link.attributes.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:")):
        return False
    parts = urlsplit(href)
    return not parts.query and parts.path in ("", "/", "./", "/index.html", "/index.htm",
                                              "/index.php", "/index.do", "/main.do")  # fmt: skip


MAX_TIMES = 5
MAX_TIME_TEXT = 60
# microdata that names a publication: a question's creation is the page's (Q&A sites)
_PUBLISHED_ITEMPROPS = ("datePublished", "dateCreated")


def _add_time(head: HeadMeta, node: LexborNode) -> None:
    attrs = node.attributes
    value = attrs.get("datetime") or attrs.get("content")
    if node.tag == "abbr":  # hAtom's <abbr class="published" title="2008-01-01T12:00:00">
        value = attrs.get("title")
    elif not value:
        text = normalise(node.text())
        value = text if len(text) <= MAX_TIME_TEXT else ""
    if not value:
        return
    if attrs.get("itemprop") in _PUBLISHED_ITEMPROPS or "pubdate" in attrs or node.tag == "abbr":
        if len(head.published) < MAX_TIMES:
            head.published.append(value)
    elif len(head.times) < MAX_TIMES:
        head.times.append(value)


def _add_meta(head: HeadMeta, node: LexborNode) -> None:
    attrs = node.attributes
    key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
    content = attrs.get("content")
    if key and content and key.lower() not in head.metas:
        head.metas[key.lower()] = content.strip()


def _byline_text(node: LexborNode) -> str:
    """The text of a byline element (empty when it is too long to be one)."""
    name = node.css_first("[itemprop=name]")
    text = normalise((name or node).text())
    return text if len(text) <= MAX_BYLINE_CHARS else ""


def _jsonld_objects(scripts: list[LexborNode]) -> Iterator[dict[str, Any]]:
    for script in scripts[:10]:
        raw = script.text()
        if not raw or len(raw) > MAX_JSONLD_CHARS:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        yield from _flatten(data, 0)


def _flatten(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data[:50]:
            yield from _flatten(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _flatten(graph, depth + 1)


def _is_article(obj: dict[str, Any]) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(
        isinstance(k, str) and ("Article" in k or k in ("BlogPosting", "Report")) for k in kinds
    )


def declares_article(head: HeadMeta) -> bool:
    """The page says it is an article (``og:type``, JSON-LD ``Article``/``BlogPosting``)."""
    og_type = (head.meta("og:type") or "").strip().lower()
    return og_type == "article" or any(_is_article(obj) for obj in head.jsonld)


def jsonld_value(head: HeadMeta, key: str) -> Any:
    """``key`` of the first article-like JSON-LD object (else of any object)."""
    ordered = sorted(head.jsonld, key=lambda o: not _is_article(o))
    for obj in ordered:
        value = obj.get(key)
        if value:
            return value
    return None


def find_author(head: HeadMeta) -> str | None:
    value = jsonld_value(head, "author")
    name = _person_name(value)
    if not name:
        name = head.meta("author", "article:author", "byl", "dc.creator", "sailthru.author")
    if not name:
        name = head.byline or None
    if not name or name.startswith(("http://", "https://")):
        return None
    name = _AUTHOR_PREFIX.sub("", normalise(name))
    return name[:200] or None


def _person_name(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        name = value.get("name")
        return name if isinstance(name, str) else None
    if isinstance(value, list):
        names = [n for n in (_person_name(v) for v in value[:5]) if n]
        return ", ".join(names) if names else None
    return None


def find_canonical(head: HeadMeta, url: str | None) -> str | None:
    """``<link rel=canonical>`` or og:url, made absolute against ``url``; else ``url``."""
    for candidate in (head.canonical, head.meta("og:url")):
        if not candidate:
            continue
        absolute = urljoin(url, candidate) if url else candidate
        if urlsplit(absolute).scheme in ("http", "https"):
            return absolute
    return url or None
