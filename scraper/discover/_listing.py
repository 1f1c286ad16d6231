"""Article links on an HTML listing page, pagination, and feed autodiscovery.

Without ``link_selector`` or ``follow``, a link is an article when it is on the source's
site, outside the page chrome (nav, menus, footer, breadcrumbs, login, share bars...),
its URL looks like an article (ids, dates, ``view``/``article``/``detail``/``news``,
``.html``...) and not like a list, tag, login or file, and its anchor text is long
enough for a headline (CJK characters count double).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.config.types import Source
from scraper.discover._common import Collector, LinkFilter, absolute, dedupe_urls
from scraper.discover.types import Discovery, Link
from scraper.fetch.types import Page
from scraper.urls import normalize_url, url_key

MAX_PAGINATION = 5
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
               "application/x-rss+xml")  # fmt: skip

_CHROME_WORDS = (
    r"nav|navi|navbar|navigation|menu|menubar|gnb|lnb|snb|tnb|breadcrumbs?|location|"
    r"footer|foot|copyright|login|logout|member|sitemap|site-?map|share|sns|social|skip|"
    r"util|utility|quick|family|familysite|lang|language|top-?menu|global"
)
_WEAK_WORDS = r"header|head|aside|sidebar|side|banner|ad|ads|advert"
_CHROME = re.compile(rf"(?:^|[\s_-])(?:{_CHROME_WORDS})(?:$|[\s_\d-])", re.I)
_WEAK = re.compile(rf"(?:^|[\s_-])(?:{_WEAK_WORDS})(?:$|[\s_\d-])", re.I)
_PAGING = re.compile(r"pag(?:e|ing|er|ination)|pg|paginate|page-?nav|pnum", re.I)
_CHROME_TAGS = frozenset({"nav", "footer", "menu"})
_WEAK_TAGS = frozenset({"header", "aside"})
_CONTENT_TAGS = frozenset({"article", "main"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "select", "option"})

_ARTICLE_URL = re.compile(
    r"(?:\d{4}[/_.-]?\d{1,2}[/_.-]?\d{1,2}|\d{3,}|[?&](?:id|no|idx|seq|num|nttid|bbsid|"
    r"articleid|article_id|aid|newsid|news_id|docid|wr_id|uid|contentid|p)=\w+|"
    r"view|article|detail|content|news|read|show|story|post|entry|press|notice|report|"
    r"\.s?html?$|\.(?:jsp|php|aspx?|do)\?)",
    re.I,
)
_LISTING_URL = re.compile(r"(?:^|/|[_.-])(?:list|lists|index|category|categories|tags?|topics?|"
                          r"archives?|search|page)(?:$|/|[_.?-])", re.I)  # fmt: skip
_ARTICLE_OVERRIDES = re.compile(
    r"view|detail|read|show|article|[?&](?:id|no|idx|seq|nttid|wr_id)=", re.I
)
_NEGATIVE_URL = re.compile(
    r"(?:log-?in|log-?out|sign-?(?:in|up|out)|join|register|member|mypage|search|sitemap|"
    r"/rss|/feed|/atom|print|mailto|download|down\.|fileDown|attach|/tag/|/tags/|/author/|"
    r"privacy|terms|copyright|agreement|javascript|/en/?$|/ko/?$|/zh/?$|/ja/?$|/ru/?$)",
    re.I,
)
_FILE_URL = re.compile(
    r"\.(?:pdf|jpe?g|png|gif|bmp|svg|webp|ico|zip|rar|7z|gz|hwpx?|docx?|xlsx?|pptx?|txt|csv|"
    r"mp3|mp4|avi|wmv|mov|flv|exe|apk|dmg|css|js|json|xml)$",
    re.I,
)
_NEXT_WORDS = frozenset({
    "next", "next page", "next »", "›", "»", ">", ">>", "下一页", "下页", "下一頁", "下頁",
    "次へ", "次のページ", "次", "다음", "다음 페이지", "다음페이지", "далее", "следующая",
    "вперед", "вперёд", "дальше",
})  # fmt: skip
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SPACES = re.compile(r"\s+")
_PAGE_KEY = re.compile(
    r"(?i)page|p|pg|pn|pageno|page_no|pagenum|pageindex|page_index|currentpage|curpage|"
    r"cpage|gotopage|start|offset|pagen_\d+|pager\.offset"
)
_PAGE_NUMBER = re.compile(r"[_-]?\d+(?=\.\w+$|/?$)")


def read_listing(page: Page, source: Source, links: LinkFilter) -> Discovery:
    tree = LexborHTMLParser(page.text)
    base = _base_url(tree, page.final_url)
    here = normalize_url(page.final_url) or page.final_url
    skip = {url_key(u) for u in (here, normalize_url(page.url), normalize_url(source.url)) if u}
    found = Collector()
    pagination = _Pagination(here, links)
    for next_url in link_rel_next(tree, base):
        pagination.add_link_rel_next(next_url)
    chrome = _ChromeMap()
    selected = _selected_anchors(tree, source.link_selector) if source.link_selector else None

    anchors = tree.css("a[href]")
    cut = 0
    for position, anchor in enumerate(anchors):
        url = absolute(anchor.attributes.get("href"), base)
        if url is None or url_key(url) in skip:
            continue
        text = _anchor_text(anchor)
        if pagination.consider(anchor, url, text) or pagination.is_page_of_listing(url):
            continue
        if links.ignored(url):
            continue
        if selected is not None:
            accepted = anchor.mem_id in selected and links.accepts(url)
        elif links.follow:
            accepted = links.followed(url)
        else:
            accepted = (
                links.same_site(url)
                and not chrome.is_chrome(anchor)
                and _looks_like_article(url, text)
            )
        if accepted:
            if len(found) >= source.max_links_per_page and url not in found:
                # Enough: the rest of the page is not read at all (no URL parsing, no
                # Link objects), so a page of 133,000 links costs what the cap costs.
                cut = len(anchors) - position
                break
            found.add(Link(url=url, title=text or None))

    follow_up: list[str] = []
    if source.kind == "auto":
        follow_up += _feed_links(tree, base, links)
    follow_up += pagination.urls()
    return Discovery(kind="listing", links=found.links(), follow_up=dedupe_urls(follow_up), cut=cut)


# Links ---------------------------------------------------------------------------------


def _base_url(tree: LexborHTMLParser, url: str) -> str:
    """``<base href>`` resolved against the page URL, kept as written (normalising would
    drop the trailing slash that relative links depend on)."""
    node = tree.css_first("base[href]")
    href = (node.attributes.get("href") or "").strip() if node is not None else ""
    if not href:
        return url
    resolved = urljoin(url, href)
    return resolved if urlsplit(resolved).scheme in ("http", "https") else url


def _selected_anchors(tree: LexborHTMLParser, selector: str) -> set[int]:
    ids: set[int] = set()
    for node in tree.css(selector):
        if node.tag == "a":
            ids.add(node.mem_id)
        ids.update(a.mem_id for a in node.css("a[href]"))
    return ids


def _anchor_text(anchor: LexborNode) -> str:
    text = _SPACES.sub(" ", anchor.text(deep=True, separator=" ")).strip()
    title = _SPACES.sub(" ", anchor.attributes.get("title") or "").strip()
    if len(title) > len(text) and (not text or text.endswith(("…", "...", "..")) or
                                   title.startswith(text.rstrip("….").strip())):  # fmt: skip
        return title
    return text


def text_weight(text: str) -> int:
    """Headline length: CJK characters count twice (a Chinese headline of 8 characters
    says as much as an English one of 16)."""
    return len(text) + len(_CJK.findall(text))


def _looks_like_article(url: str, text: str) -> bool:
    parts = urlsplit(url)
    tail = parts.path + ("?" + parts.query if parts.query else "")
    if parts.path in ("", "/") and not parts.query:
        return False
    if _FILE_URL.search(parts.path) or _NEGATIVE_URL.search(tail):
        return False
    weight = text_weight(text)
    if weight < 8:
        return False
    article = bool(_ARTICLE_URL.search(tail))
    if _LISTING_URL.search(tail) and not _ARTICLE_OVERRIDES.search(tail):
        return False
    return article or weight >= 30


class _ChromeMap:
    """Whether an element sits in page chrome, memoised per ancestor. Strong markers (nav,
    menus, footer...) always count; weak ones (header, aside, banner) only outside
    ``<article>``/``<main>``, where WordPress-style ``<header class=entry-header>`` lives."""

    def __init__(self) -> None:
        self._memo: dict[int, tuple[bool, bool, bool]] = {}

    def is_chrome(self, node: LexborNode) -> bool:
        strong, weak, content = self._state(node)
        return strong or (weak and not content)

    def _state(self, node: LexborNode | None) -> tuple[bool, bool, bool]:
        chain: list[LexborNode] = []
        state = (False, False, False)
        while node is not None and node.tag not in ("html", "-document", None):
            cached = self._memo.get(node.mem_id)
            if cached is not None:
                state = cached
                break
            chain.append(node)
            node = node.parent
        for element in reversed(chain):
            strong, weak, content = state
            tag = element.tag or ""
            names = " ".join(
                v for v in (element.attributes.get("id"), element.attributes.get("class")) if v
            )
            strong = strong or tag in _CHROME_TAGS or tag in _SKIP_TAGS or (
                bool(names) and _CHROME.search(names) is not None)  # fmt: skip
            weak = weak or tag in _WEAK_TAGS or (bool(names) and _WEAK.search(names) is not None)
            content = content or tag in _CONTENT_TAGS
            state = (strong, weak, content)
            self._memo[element.mem_id] = state
        return state


# Pagination and feeds --------------------------------------------------------------------


class _Pagination:
    """``rel=next`` and numbered page links of this listing, at most ``MAX_PAGINATION``."""

    def __init__(self, here: str, links: LinkFilter) -> None:
        self._here = urlsplit(here)
        self._links = links
        self._next: list[str] = []
        self._numbered: list[tuple[int, str]] = []

    def consider(self, anchor: LexborNode, url: str, text: str) -> bool:
        """Record ``anchor`` if it is a pagination link; True when it was one."""
        rel = (anchor.attributes.get("rel") or "").lower().split()
        label = text.strip().lower()
        if "next" in rel or label in _NEXT_WORDS:
            if self._similar(url):
                self._next.append(url)
            return True
        if label.isdigit() and len(label) <= 4:
            if self._similar(url) and int(label) > 1:
                self._numbered.append((int(label), url))
            return True
        return False

    def add_link_rel_next(self, url: str) -> None:
        if self._similar(url):
            self._next.insert(0, url)

    def urls(self) -> list[str]:
        numbered = [url for _, url in sorted(self._numbered, key=lambda n: n[0])]
        return list(dedupe_urls(self._next + numbered, MAX_PAGINATION))

    def is_page_of_listing(self, url: str) -> bool:
        """Another page of this listing ("more news", ``?page=2``), which is no article."""
        parts = urlsplit(url)
        if parts.netloc != self._here.netloc or not _same_path(parts.path, self._here.path):
            return False
        mine = {k: v for k, v in parse_qsl(self._here.query) if not _PAGE_KEY.fullmatch(k)}
        theirs = {k: v for k, v in parse_qsl(parts.query) if not _PAGE_KEY.fullmatch(k)}
        return mine == theirs

    def _similar(self, url: str) -> bool:
        """Same host, and the same path once page numbers are taken out (``index_2.html``
        is a page of ``/news/``), or a ``/page/N`` below this page."""
        parts = urlsplit(url)
        if parts.netloc != self._here.netloc or self._links.ignored(url):
            return False
        if _same_path(parts.path, self._here.path):
            return parts.query != self._here.query
        if parts.path.startswith(self._here.path.rstrip("/") + "/page"):
            return True
        return _same_path(_unnumbered(parts.path), _unnumbered(self._here.path))


def _same_path(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def _unnumbered(path: str) -> str:
    stripped = _PAGE_NUMBER.sub("", path)
    normalized = normalize_url("http://h" + stripped)
    return urlsplit(normalized).path if normalized else stripped


def _feed_links(tree: LexborHTMLParser, base: str, links: LinkFilter) -> list[str]:
    out: list[str] = []
    for node in tree.css("link[href]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        kind = (node.attributes.get("type") or "").lower().strip()
        if "alternate" in rel and kind in _FEED_TYPES:
            url = absolute(node.attributes.get("href"), base)
            if url is not None and links.same_site(url) and not links.ignored(url):
                out.append(url)
    return out


def link_rel_next(tree: LexborHTMLParser, base: str) -> list[str]:
    out: list[str] = []
    for node in tree.css("link[rel][href]"):
        if "next" in (node.attributes.get("rel") or "").lower().split():
            url = absolute(node.attributes.get("href"), base)
            if url is not None:
                out.append(url)
    return out
