from __future__ import annotations

import pytest

from scraper.extract import extract
from scraper.extract._meta import strip_site_name


def _page(head: str, body: str = "") -> str:
    body = body or "<article><p>The body of the article, with a sentence or two.</p></article>"
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_title_from_og_title() -> None:
    head = '<meta property="og:title" content="Forum opens"><title>Forum opens | Site</title>'
    assert extract(_page(head)).title == "Forum opens"


def test_title_from_h1_confirmed_by_title_tag() -> None:
    body = "<h1>Forum opens in Busan</h1><p>The forum opened today, as planned.</p>"
    assert extract(_page("<title>Forum opens in Busan - NEAR</title>", body)).title == (
        "Forum opens in Busan"
    )


def test_unconfirmed_h1_loses_to_the_title_tag() -> None:
    body = "<h1>Site Logo</h1><p>The forum opened today, as planned.</p>"
    assert extract(_page("<title>Forum opens - NEAR</title>", body)).title == "Forum opens"


def test_title_from_h1_alone() -> None:
    assert extract(_page("", "<h1>Only heading</h1><p>Text.</p>")).title == "Only heading"


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Forum opens | NEAR Secretariat", "", "Forum opens"),
        ("Forum opens - NEAR", "", "Forum opens"),
        ("我省代表团出席会议_吉林省人民政府外事办公室", "", "我省代表团出席会议"),
        (
            "NEAR :: Forum opens in Busan with five countries",
            "NEAR",
            "Forum opens in Busan with five countries",
        ),
        (
            "News — Ministers agree on a regional tourism roadmap",
            "",
            "Ministers agree on a regional tourism roadmap",
        ),
        (
            "공지사항 ㅣ 동북아 지방정부 실무위원회 개최 안내",
            "",
            "동북아 지방정부 실무위원회 개최 안내",
        ),
        ("Plain title", "", "Plain title"),
        ("Site | Title", "Site", "Title"),
    ],
)
def test_strip_site_name(title: str, site: str, expected: str) -> None:
    assert strip_site_name(title, site) == expected


def test_title_is_not_repeated_in_text() -> None:
    body = (
        "<article><h1>Forum opens</h1><p>The forum opened today in Busan, as planned.</p></article>"
    )
    article = extract(_page("<title>Forum opens</title>", body))
    assert article.title == "Forum opens"
    assert "Forum opens" not in article.text


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta name="author" content="Kim Minji">', "Kim Minji"),
        ('<meta property="article:author" content="By Ivan Petrov">', "Ivan Petrov"),
        ('<meta name="author" content="https://facebook.com/someone">', None),
        (
            '<script type="application/ld+json">{"@type":"NewsArticle","author":'
            '[{"@type":"Person","name":"A. Tanaka"},{"@type":"Person","name":"B. Sato"}]}</script>',
            "A. Tanaka, B. Sato",
        ),
        ("", None),
    ],
)
def test_author(head: str, expected: str | None) -> None:
    assert extract(_page(head)).author == expected


def test_canonical_made_absolute() -> None:
    head = '<link rel="canonical" href="/news/1.html">'
    article = extract(_page(head), url="https://example.org/news/1.html?utm_source=x")
    assert article.canonical_url == "https://example.org/news/1.html"


def test_canonical_from_og_url() -> None:
    head = '<meta property="og:url" content="https://example.org/a">'
    assert extract(_page(head)).canonical_url == "https://example.org/a"


def test_canonical_falls_back_to_url() -> None:
    assert extract(_page(""), url="https://example.org/b").canonical_url == "https://example.org/b"
    assert extract(_page("")).canonical_url is None


def test_bad_canonical_scheme_ignored() -> None:
    head = '<link rel="canonical" href="javascript:void(0)">'
    assert extract(_page(head), url="https://e.org/c").canonical_url == "https://e.org/c"


def test_broken_jsonld_is_ignored() -> None:
    head = '<script type="application/ld+json">{"@type": "Article", "author": </script>'
    assert extract(_page(head)).author is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('<span itemprop="author"><span itemprop="name">Lee Jiwon</span></span>', "Lee Jiwon"),
        ('<a rel="author" href="/staff/7">Anna Ivanova</a>', "Anna Ivanova"),
        ('<p class="byline">By Sato Hanako</p>', "Sato Hanako"),
        ('<div class="byline">' + "x" * 200 + "</div>", None),
    ],
)
def test_author_from_the_page(body: str, expected: str | None) -> None:
    html = _page("", body + "<article><p>The article text, long enough to count.</p></article>")
    assert extract(html).author == expected
