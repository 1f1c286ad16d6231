"""The article's title: the page's headings compared, the site's name taken off.

A page names its article in several places: ``<title>``, ``og:title``, JSON-LD
``headline`` and ``<h1>``. A heading that a title confirms is the cleanest (it carries no
site name); otherwise ``og:title`` or ``<title>`` is split at its separators
(``_ | - – — :: > » ·`` and the full-width and Korean bars) and the site's part is taken
off its ends: a part that names the site (``og:site_name``, JSON-LD publisher, the domain)
or that the caller learned repeats across the site's pages (``site_names``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from ._meta import HeadMeta, jsonld_value
from ._text import normalise

# Separators between a title and a site or section name. Dashes, bullets and slashes only
# between spaces (inside a word they join: "Jeju-do", "24/7"); bars, underscores and the
# Korean bar letter "ㅣ" (never inside a syllable) anywhere. A colon is not one: it divides
# a title from its subtitle far more often than from a site name (it is tried only
# against a known site name).
_SEPARATORS = re.compile(
    r"(\s+(?:[\-–—·•∙⋅~»>›/]|::|<<|>>)\s+|\s*[|｜_ㅣ丨]\s*|\s*(?:::|－|——)\s*)"
)
# A title that starts or ends with a separator had its headline left empty by a template
# ("| Site Name"): what is left is the site's name.
_DANGLING = re.compile(r"^\s*(?:[|｜_ㅣ丨\-–—·•»>:])\s|\s(?:[|｜_ㅣ丨\-–—·•»>:])\s*$")
_COLON = re.compile(r"(\s*:\s+|\s*：\s*)")
# Separators written tight between CJK words ("标题-新闻中心-某市人民政府", "記事／鳥取県"):
# a hyphen between two Han, kana or Hangul characters and the full-width slash. A hyphen
# also joins names ("中国-东北亚博览会"), so these only peel short parts off the end.
_TIGHT = re.compile(
    r"((?<=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3）」』])\s*-\s*"
    r"(?=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3（「『])|\s*／\s*)"
)
MIN_HEADING_CHARS = 4
# A reworded <h1> shares at least half its words (or the title's, if fewer) with the title.
_SHARE = 0.5
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3"
_WORD = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")
_NOT_WORD = re.compile(r"[\W_]+")


def find_title(head: HeadMeta, url: str | None = None, site_names: Sequence[str] = ()) -> str:
    """The article's title from the page's headings; ``site_names`` are affixes the caller
    learned to be the site's own (the same on many of its pages)."""
    og = _unescaped(normalise(head.meta("og:title", "twitter:title") or ""))
    tag = _unescaped(head.title_tag)
    if _DANGLING.search(f" {og} ") and head.h1:
        og = ""
    if _DANGLING.search(f" {tag} ") and head.h1:
        tag = ""
    sites = _site_names(head, url, site_names)
    # Only names learned across the source's pages say a title is all site: on one page,
    # a title that is the declared site name alone is a home or section page's real title.
    learned = {_key(name) for name in site_names}
    headline = _headline(head)
    for heading in (headline, *head.h1):
        if _confirmed(heading, (tag, og), sites):
            # a heading that is the whole title still carries the site's name
            return strip_site_name(heading, sites) if heading in (tag, og) else heading
    for title in (og, tag):
        if title:
            stripped = strip_site_name(title, sites)
            if _key(stripped) in learned:  # "News | Secretariat" on every post of a board
                return _first_heading(head, sites) or stripped
            return _reworded(head.h1, stripped, sites) or stripped
    return headline or (head.h1[0] if head.h1 else "") or _first_heading(head, sites)


def _first_heading(head: HeadMeta, sites: frozenset[str]) -> str:
    """The page's first heading that is not a site or board name: where a title made of
    the source's learned names only (or no title at all) leaves the post's own title
    (boards put it in an h2/h3 or a <td class=title>)."""
    for heading in (*head.h1, *head.titled, *head.subheads):
        if len(heading) >= MIN_HEADING_CHARS and _key(heading) not in sites:
            return heading
    return ""


def _unescaped(title: str) -> str:
    """A title whose entities were escaped twice by its CMS ("What&#8217;s") read once
    more: the page's parser undid only the outer escaping."""
    return html.unescape(title) if "&" in title and ";" in title else title


def _reworded(h1s: Sequence[str], title: str, sites: frozenset[str]) -> str | None:
    """The page's one ``<h1>`` when it words the title differently ("Top 11 SEO
    Strategies" for "11 SEO Strategies to Boost Rankings"): the headline the reader
    sees. Not a heading that shares little with the title (a slogan, a section name)."""
    alone = [h for h in h1s if len(h) >= MIN_HEADING_CHARS and _key(h) not in sites]
    if len(alone) != 1:
        return None
    words, others = _words(alone[0]), _words(title)
    if not words or not others:
        return None
    shared = len(words & others) / min(len(words), len(others))
    return alone[0] if shared >= _SHARE else None


def _words(text: str) -> set[str]:
    """Words, or single characters of scripts written without spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return set(_WORD.findall(folded))


def _headline(head: HeadMeta) -> str:
    value = jsonld_value(head, "headline")
    return normalise(value) if isinstance(value, str) else ""


def _confirmed(heading: str, titles: Iterable[str], sites: frozenset[str]) -> bool:
    """A heading that a title repeats, and that is not the site's own name (a logo)."""
    if len(heading) < MIN_HEADING_CHARS or _key(heading) in sites:
        return False
    return any(_repeats(heading, title) for title in titles if title)


def _repeats(heading: str, title: str) -> bool:
    """``title`` repeats ``heading``, and not as its site part: a heading that is the last
    part of "Headline_Site Name" while a wide first part precedes it is the site's name."""
    if heading not in title and title not in heading:
        return False
    parts = title_parts(title)
    if len(parts) > 1 and parts[-1] == heading:
        return _width(parts[0]) * 2 <= _width(heading)
    return True


def _site_names(head: HeadMeta, url: str | None, learned: Sequence[str]) -> frozenset[str]:
    names = [
        head.meta("og:site_name", "application-name", "apple-mobile-web-app-title") or "",
        _name_of(jsonld_value(head, "publisher")),
        *(_name_of(obj) for obj in head.jsonld if obj.get("@type") == "WebSite"),
        *learned,
    ]
    keys = {_key(name) for name in names if name}
    host = urlsplit(url or "").hostname or ""
    keys |= {label for label in host.split(".") if len(label) >= 4 and label != "www"}
    keys.add(_key(host))
    return frozenset(k for k in keys if k)


def _name_of(value: object) -> str:
    if isinstance(value, dict):
        name = value.get("name")
        return name if isinstance(name, str) else ""
    return value if isinstance(value, str) else ""


def _key(text: str) -> str:
    """A name compared without case, width, spaces or punctuation."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def split_title(title: str, separators: re.Pattern[str] = _SEPARATORS) -> list[str]:
    """``title`` cut at its separators, separators kept: [part, sep, part, sep, part]."""
    return [piece for piece in separators.split(title) if piece != ""]


def title_parts(title: str) -> list[str]:
    """The parts of a title between its separators (what may be a site's affix)."""
    return [p.strip() for p in split_title(title)[::2] if p.strip()]


def strip_site_name(title: str, sites: frozenset[str] | str = frozenset()) -> str:
    """``title`` without the site's name at either end ("News - Site", "站名_标题",
    "제목 > 사무국 소식"). Parts that name a site in ``sites`` go first; without such
    knowledge, the first part is the title unless another is much wider."""
    if isinstance(sites, str):
        sites = frozenset({_key(sites)} if sites else ())
    return _peel_tight(_strip_separated(title, sites), sites)


def _strip_separated(title: str, sites: frozenset[str]) -> str:
    pieces = split_title(title)
    if len(pieces) < 3:
        return _strip_colon_site(title, sites)
    parts = [p.strip() for p in pieces[::2]]
    lo, hi = 0, len(parts) - 1
    while hi > lo and (not parts[hi] or _key(parts[hi]) in sites):  # suffixes: most sites'
        hi -= 1
    while lo < hi and (not parts[lo] or _key(parts[lo]) in sites):
        lo += 1
    if (lo, hi) != (0, len(parts) - 1):
        return "".join(pieces[2 * lo : 2 * hi + 1]).strip()
    first = parts[0]
    widest = max(parts, key=_width)
    # The article title usually comes first; take it unless another part is much wider.
    return first if _width(first) * 2 >= _width(widest) else widest


def _peel_tight(title: str, sites: frozenset[str]) -> str:
    """``title`` without the section and site names written after it with tight CJK
    separators: each last part goes while it names a site or is at most half as wide as
    what precedes it (a board's or a government's name after the headline)."""
    pieces = split_title(title, _TIGHT)
    end = len(pieces)
    while end >= 3:
        part, rest = pieces[end - 1].strip(), "".join(pieces[: end - 2]).strip()
        if not rest or (_key(part) not in sites and _width(part) * 2 > _width(rest)):
            break
        end -= 2
    return "".join(pieces[:end]).strip()


def _strip_colon_site(title: str, sites: frozenset[str]) -> str:
    """ "Site: Title" or "Title: Site" only when that part is a known site name."""
    pieces = split_title(title, _COLON)
    if len(pieces) < 3 or not sites:
        return title
    if _key(pieces[0]) in sites:
        return "".join(pieces[2:]).strip()
    if _key(pieces[-1]) in sites:
        return "".join(pieces[:-2]).strip()
    return title


def _width(text: str) -> int:
    """Display width: a Han, kana or Hangul character says as much as two Latin ones."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def learn_site_names(titles: Iterable[str], min_pages: int = 2) -> tuple[str, ...]:
    """Parts that follow the headline in the titles of at least ``min_pages`` different
    pages of one site (its name, its board's: "공지 > 사무국 소식 > NEAR"), and parts that
    precede it in one page more ("NEAR :: Headline"). A headline belongs to one page only;
    a first part is more often a headline than a later one, so it needs more pages."""
    counts: dict[tuple[str, bool], int] = {}
    names: dict[str, str] = {}
    for title in set(titles):
        parts = title_parts(title)
        if len(parts) < 2:
            continue
        ends = {(_key(p), True) for p in parts[1:]} | {(_key(p), False) for p in parts[:-1]}
        for key, suffix in ends:
            counts[key, suffix] = counts.get((key, suffix), 0) + 1
        for part in parts:
            names.setdefault(_key(part), part)
    wanted = {
        key
        for (key, suffix), n in counts.items()
        if key and n >= (min_pages if suffix else min_pages + 1)
    }
    return tuple(sorted(names[key] for key in wanted))
