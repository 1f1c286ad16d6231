from __future__ import annotations

import pytest

from scraper.extract import extract, learn_site_names
from scraper.extract._titles import strip_site_name


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


# Golden titles: each page as a site serves it, the exact title expected.
LOGO = '<h1 class="logo"><a href="/">China Neighborhood Affairs</a></h1>'
ARTICLE = "<article><p>The article's first paragraph, long enough to be the body.</p></article>"


@pytest.mark.parametrize(
    ("head", "body", "url", "expected"),
    [
        # "_" with the site's name in the page's logo heading
        (
            "<title>中俄朝三国边境旅游合作启动_China Neighborhood Affairs</title>",
            LOGO + ARTICLE,
            "https://www.cnaf.example.cn/news/1.html",
            "中俄朝三国边境旅游合作启动",
        ),
        # "_" whose site half is wider than the headline, the logo not a home link
        (
            "<title>图们江论坛开幕_China Neighborhood Affairs</title>",
            "<h1>China Neighborhood Affairs</h1>" + ARTICLE,
            None,
            "图们江论坛开幕",
        ),
        # "|" with og:site_name
        (
            "<title>Forum opens in Busan | NEAR Secretariat</title>"
            '<meta property="og:site_name" content="NEAR Secretariat">',
            ARTICLE,
            None,
            "Forum opens in Busan",
        ),
        # ">" board suffix, the headline confirmed by the page's h1
        (
            "<title>동북아 지방정부 실무위원회 개최 안내 > 사무국 소식</title>",
            "<h1>동북아 지방정부 실무위원회 개최 안내</h1>" + ARTICLE,
            None,
            "동북아 지방정부 실무위원회 개최 안내",
        ),
        # ">" board suffix and no heading to compare with
        (
            "<title>동북아 지방정부 실무위원회 개최 안내 > 사무국 소식</title>",
            ARTICLE,
            None,
            "동북아 지방정부 실무위원회 개최 안내",
        ),
        # JSON-LD headline confirmed by og:title; a subtitle after a colon is kept
        (
            '<meta property="og:title" content="Tumen River: a new corridor opens » Regional News">'
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
            '"Tumen River: a new corridor opens"}</script>',
            ARTICLE,
            None,
            "Tumen River: a new corridor opens",
        ),
    ],
)
def test_golden_titles(head: str, body: str, url: str | None, expected: str) -> None:
    assert extract(_page(head, body), url=url).title == expected


def test_affix_learned_across_a_sites_pages_is_its_name() -> None:
    """The site's half is wider than the headline: one page cannot tell; two can."""
    titles = ["新闻列表_China Neighborhood Affairs", "会议召开_China Neighborhood Affairs"]
    learned = learn_site_names(titles)
    assert learned == ("China Neighborhood Affairs",)
    page = _page("<title>会谈_China Neighborhood Affairs</title>")
    assert extract(page).title == "China Neighborhood Affairs"  # one page: the wider half
    assert extract(page, site_names=learned).title == "会谈"


def test_learned_board_suffixes_are_dropped_from_either_end() -> None:
    titles = ["공지 A > 사무국 소식 > NEAR", "공지 B > 사무국 소식 > NEAR", "NEAR > 소개"]
    learned = learn_site_names(titles)
    assert learned == ("NEAR", "사무국 소식")
    page = _page("<title>실무위원회 개최 > 사무국 소식 > NEAR</title>")
    assert extract(page, site_names=learned).title == "실무위원회 개최"


def test_a_headline_seen_once_is_not_learned() -> None:
    assert learn_site_names(["Forum opens | NEAR", "Forum opens | NEAR Secretariat"]) == ()
    assert learn_site_names(["Forum opens | NEAR", "Forum opens | NEAR"]) == ()


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # bullet and Chinese bar separators; a double em dash without spaces
        ("<title>A brief intro to git • Cory Dransfeldt</title>", ARTICLE, "A brief intro to git"),
        (
            "<title>吉林省召开全省外事工作会议丨吉林日报</title>",
            ARTICLE,
            "吉林省召开全省外事工作会议",
        ),
        ("<title>图们江区域合作论坛开幕——新华网</title>", ARTICLE, "图们江区域合作论坛开幕"),
        # an em dash inside words joins them
        ("<title>Ports—and the roads to them</title>", ARTICLE, "Ports—and the roads to them"),
        # a template that left the headline empty: the heading is the title
        (
            "<title> | Nuts &amp; Volts Magazine</title>",
            "<h1>Electronic Gadgets</h1>" + ARTICLE,
            "Electronic Gadgets",
        ),
        # entities escaped twice by the CMS
        (
            '<meta property="og:title" content="What&amp;#8217;s new in Rason">',
            ARTICLE,
            "What’s new in Rason",
        ),
        # a heading's button, time and permalink sign are not its words; <br> is a space
        (
            "<title>News Product Management | Alliance</title>",
            "<h1><time datetime='2025-12-18'>Dec 18 2025</time> News Product<br>Management"
            "<button>Copy item path</button> ¶</h1>" + ARTICLE,
            "News Product Management",
        ),
    ],
)
def test_golden_titles_separators_and_headings(head: str, body: str, expected: str) -> None:
    assert extract(_page(head, body)).title == expected


def test_a_title_that_names_only_the_site_gives_way_to_the_posts_heading() -> None:
    """A board whose post pages are all titled "News | Secretariat": once the site's other
    pages taught those names, the post's own heading (an <h3> here) is the title."""
    titles = ["News | Secretariat", "About | Secretariat", "News | Activities", "News | Members"]
    learned = learn_site_names(titles)
    assert set(learned) >= {"News", "Secretariat"}
    body = (
        "<h2>News</h2><h3>Highest Number of Members Join the 13th General Assembly</h3>" + ARTICLE
    )
    page = _page("<title>News | Secretariat</title>", body)
    expected = "Highest Number of Members Join the 13th General Assembly"
    assert extract(page, site_names=learned).title == expected
    # one page alone cannot tell: a title that is the site's name is a home page's title
    site = _page('<title>NEAR</title><meta property="og:site_name" content="NEAR">', body)
    assert extract(site).title == "NEAR"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # tight separators between CJK words: section and government names peeled off
        ("珲春市召开边境旅游合作座谈会-新闻中心-珲春市人民政府", "珲春市召开边境旅游合作座谈会"),
        (
            "ロシア沿海地方との経済交流会議を開催しました／鳥取県",
            "ロシア沿海地方との経済交流会議を開催しました",
        ),
        # a hyphen inside a name stays when what follows it is not a short suffix
        (
            "关于举办中国-东北亚博览会对接洽谈活动的通知-通知公告-长春市",
            "关于举办中国-东北亚博览会对接洽谈活动的通知",
        ),
        ("中国-东北亚博览会", "中国-东北亚博览会"),
        ("Jeju-do news", "Jeju-do news"),
    ],
)
def test_tight_cjk_separators(title: str, expected: str) -> None:
    assert strip_site_name(title) == expected


def test_board_post_title_in_a_title_cell() -> None:
    """A board whose <title> is only its board and site names keeps the post's title in a
    <td class="title">, not in a heading element."""
    page = _page(
        "<title>사무국 소식 | 동북아지역자치단체연합</title>",
        '<h2>사무국 소식</h2><table><tr><td class="title">청소년 교류 사업 참가자 모집</td></tr>'
        "<tr><td>참가자는 7월 22일부터 8월 2일까지 블라디보스토크와 춘천에서 홈스테이를 합니다."
        "</td></tr></table>",
    )
    learned = ("사무국 소식", "동북아지역자치단체연합")
    assert extract(page, site_names=learned).title == "청소년 교류 사업 참가자 모집"


def test_title_from_a_title_div_when_the_page_has_no_other() -> None:
    page = _page("", '<div class="tit">관리위원회 회의 결과</div><p>회의가 열렸습니다.</p>')
    assert extract(page).title == "관리위원회 회의 결과"
