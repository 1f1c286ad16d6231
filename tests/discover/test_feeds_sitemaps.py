"""RSS, Atom, RDF, sitemaps, sitemap indexes, news sitemaps, and hostile XML."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scraper.discover import discover, sniff_kind
from scraper.errors import UnsupportedContentType
from tests.discover.conftest import fixture, make_page, make_source, urls

RSS = fixture("rss_euckr.xml")

ATOM = fixture("atom.xml")

RDF = fixture("rdf.xml")

SITEMAP_INDEX = fixture("sitemap_index.xml")

NEWS_SITEMAP = fixture("news_sitemap.xml")

BILLION_LAUGHS = fixture("billion_laughs.xml.tmpl")

EXTERNAL_ENTITY = fixture("external_entity.xml")


def test_rss_in_legacy_encoding_with_doctype() -> None:
    url = "https://www.gwd.go.kr/rss/news.xml"
    page = make_page(RSS.encode("euc-kr"), url, "application/rss+xml")
    found = discover(page, make_source(url))
    assert found.kind == "feed"
    assert urls(found) == [
        "https://www.gwd.go.kr/news/view?id=501",
        "https://www.gwd.go.kr/news/view?id=500",
        "https://www.gwd.go.kr/news/view?id=499",
    ]
    assert found.links[0].title == "강원도, 동북아 지방정부 협력 포럼 참가"
    assert found.links[0].published_at == datetime(2025, 5, 6, 0, 30, tzinfo=UTC)


def test_atom_dates_and_alternate_links() -> None:
    url = "https://www.erina.or.jp/feed.atom"
    found = discover(make_page(ATOM, url, "application/atom+xml"), make_source(url))
    assert urls(found) == [
        "https://www.erina.or.jp/news/2025/0501.html",
        "https://www.erina.or.jp/news/2025/0418.html",
    ]
    first = found.links[0]
    assert first.published_at == datetime(2025, 5, 1, 1, 0, tzinfo=UTC)
    assert first.updated_at == datetime(2025, 5, 2, 8, 0, tzinfo=UTC)


def test_rdf_feed() -> None:
    url = "https://www.example.jp/rss.rdf"
    found = discover(make_page(RDF, url, "application/xml"), make_source(url))
    assert found.kind == "feed"
    assert urls(found) == ["https://www.example.jp/topics/123.html"]


def test_feed_follow_admits_other_sites() -> None:
    url = "https://www.gwd.go.kr/rss/news.xml"
    source = make_source(url, follow=(r"/news/view\?id=50[01]", r"other\.example\.com"))
    found = discover(make_page(RSS.encode("euc-kr"), url), source)
    assert urls(found) == [
        "https://www.gwd.go.kr/news/view?id=501",
        "https://www.gwd.go.kr/news/view?id=500",
        "https://other.example.com/a/1",
    ]


def test_sitemap_index_children_newest_first_same_site() -> None:
    url = "https://www.example.cn/sitemap.xml"
    found = discover(make_page(SITEMAP_INDEX, url, "application/xml"), make_source(url))
    assert found.kind == "sitemap"
    assert found.links == ()
    assert found.follow_up == (
        "https://www.example.cn/sitemap-news.xml",
        "https://www.example.cn/sitemap-2024.xml",
        "https://www.example.cn/sitemap-pages.xml",
    )


def test_news_sitemap() -> None:
    url = "https://www.example.cn/sitemap-news.xml"
    found = discover(make_page(NEWS_SITEMAP, url, "text/xml"), make_source(url))
    assert urls(found) == [
        "https://www.example.cn/news/2025-05/06/c_1130001.htm",
        "https://www.example.cn/news/2025-05/05/c_1130000.htm",
    ]
    news = found.links[0]
    assert news.title == "东北亚合作论坛开幕"
    assert news.published_at == datetime(2025, 5, 6, 0, 0, tzinfo=UTC)
    assert found.links[1].updated_at == datetime(2025, 5, 5, tzinfo=UTC)


def test_declared_kind_wins_over_sniffing() -> None:
    url = "https://www.example.cn/sitemap-news.xml"
    found = discover(make_page(NEWS_SITEMAP, url, "text/xml"), make_source(url, kind="sitemap"))
    assert found.kind == "sitemap"


@pytest.mark.parametrize("root", ["rss", "urlset"])
def test_billion_laughs_is_refused(root: str) -> None:
    url = "https://www.example.cn/x.xml"
    page = make_page(BILLION_LAUGHS.format(root=root), url, "application/xml")
    with pytest.raises(UnsupportedContentType, match="entity"):
        discover(page, make_source(url))


def test_external_entity_is_refused() -> None:
    url = "https://www.example.cn/x.xml"
    with pytest.raises(UnsupportedContentType, match="entity"):
        discover(make_page(EXTERNAL_ENTITY, url, "application/xml"), make_source(url))


def test_broken_sitemap_is_a_clear_error() -> None:
    url = "https://www.example.cn/sitemap.xml"
    page = make_page("<urlset><url><loc>x</url>", url, "application/xml")
    with pytest.raises(UnsupportedContentType, match="unreadable sitemap"):
        discover(page, make_source(url))


@pytest.mark.parametrize(
    ("body", "content_type", "kind"),
    [
        (RSS, "text/xml", "feed"),
        (ATOM, "application/xml", "feed"),
        (RDF, "text/xml", "feed"),
        (SITEMAP_INDEX, "application/xml", "sitemap"),
        (NEWS_SITEMAP, "text/html", "sitemap"),
        ("<!-- c --><!DOCTYPE html><html><body>x</body></html>", "text/html", "listing"),
        ("<rss><channel></channel></rss>", "", "feed"),
        ("not xml at all", "application/rss+xml", "feed"),
    ],
)
def test_sniff_kind(body: str, content_type: str, kind: str) -> None:
    assert sniff_kind(make_page(body, "https://x/", content_type)) == kind
