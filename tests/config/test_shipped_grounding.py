"""The shipped ``sources.yaml`` reads real sites: each source's comments give real
addresses of its site (found in stored public copies of its pages), and its ``follow``
pattern must fit them — match the example articles, not the site's navigation and
listing pages. The evidence lives in the file itself, next to the source it grounds:

    # example article: <a real article address of the site>
    # not an article: <a real navigation or listing address of the site>
    - name: ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from scraper.config import load_config
from scraper.config.types import Source
from scraper.discover._common import LinkFilter
from scraper.fetch.types import Page
from scraper.identity import IdentityRules
from scraper.urls import normalize_url, same_site

SHIPPED = Path(__file__).resolve().parents[2] / "sources.yaml"
_EVIDENCE = re.compile(r"^\s*#\s*(example article|not an article):\s*(\S+)\s*$")
_ITEM = re.compile(r"^\s*-\s*name:\s*([a-z0-9-]+)\s*$")


@dataclass
class Evidence:
    articles: list[str] = field(default_factory=list)
    not_articles: list[str] = field(default_factory=list)


def shipped_evidence(text: str) -> dict[str, Evidence]:
    """Evidence comments, by the name of the source item that follows them."""
    found: dict[str, Evidence] = {}
    pending = Evidence()
    for line in text.splitlines():
        if match := _EVIDENCE.match(line):
            kind, url = match.groups()
            (pending.articles if kind == "example article" else pending.not_articles).append(url)
        elif match := _ITEM.match(line):
            found[match.group(1)] = pending
            pending = Evidence()
    return found


SOURCES = load_config(SHIPPED).sources
EVIDENCE = shipped_evidence(SHIPPED.read_text(encoding="utf-8"))


def _filter(source: Source) -> LinkFilter:
    page = Page(
        url=source.url, final_url=source.url, status=200, content_type="text/html",
        content=b"", text="", encoding="utf-8",
    )  # fmt: skip
    return LinkFilter(source, page)


def _identity(source: Source, url: str) -> str:
    normal = normalize_url(url)
    assert normal is not None, url
    return IdentityRules.of(source.url, source.keep_params, source.drop_params).identity(normal)


def test_every_shipped_source_has_evidence() -> None:
    assert {s.name for s in SOURCES} == set(EVIDENCE)
    for source in SOURCES:
        evidence = EVIDENCE[source.name]
        assert evidence.articles, f"{source.name}: no example article address"
        assert evidence.not_articles, f"{source.name}: no navigation or listing address"
        assert source.follow, f"{source.name}: a shipped source states its article pattern"


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_follow_matches_the_example_articles(source: Source) -> None:
    links = _filter(source)
    for url in EVIDENCE[source.name].articles:
        assert same_site(url, source.url), f"{url} is not an address of {source.url}"
        normal = normalize_url(url)
        assert normal is not None
        # As discovery sees it (normalised), and as it is stored (its identity).
        assert links.accepts(normal), f"{source.name}: follow does not match {url}"
        assert links.accepts(_identity(source, url)), f"{source.name}: {url} (identity)"


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_follow_rejects_navigation_and_listings(source: Source) -> None:
    links = _filter(source)
    for url in [source.url, *EVIDENCE[source.name].not_articles]:
        normal = normalize_url(url)
        assert normal is not None
        assert not links.accepts(normal), f"{source.name}: follow matches non-article {url}"


def test_board_articles_reached_from_two_listing_pages_have_one_address() -> None:
    """The NEAR board's example articles, as linked from different listing pages and
    search states, reduce to one address per article (``bod_uid``)."""
    near = next(s for s in SOURCES if s.name == "near-secretariat-news")
    page_1 = "http://www.neargov.org/en/page.jsp?pageNo=1&cmd=258&bod_uid=55354&mnu_uid=2723"
    page_24 = (
        "http://www.neargov.org/en/page.jsp?bod_uid=55354&cmd=258&mnu_uid=2723&pageNo=24"
        "&srchBgUid=-1&srchEnable=0"
    )
    assert _identity(near, page_1) == _identity(near, page_24)
    other = page_1.replace("55354", "55355")
    assert _identity(near, other) != _identity(near, page_1)


def test_the_evidence_parser_reads_comments_of_the_item_below_them() -> None:
    text = """sources:
  # example article: https://a.example/news/1.html
  # not an article: https://a.example/news/
  - name: a
    url: https://a.example/news/
  - name: b
    url: https://b.example/
"""
    found = shipped_evidence(text)
    assert found["a"].articles == ["https://a.example/news/1.html"]
    assert found["a"].not_articles == ["https://a.example/news/"]
    assert found["b"] == Evidence()
