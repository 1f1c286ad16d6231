"""Listing pages as the watched sites write them: a Korean board, a Chinese government
column, a Japanese news list, a Russian portal, a WordPress blog; chrome everywhere."""

from __future__ import annotations

from scraper.discover import discover
from scraper.discover._listing import text_weight
from tests.discover.conftest import fixture, make_page, make_source, urls

KOREAN_BOARD = fixture("korean_board.html")

CHINESE_COLUMN = fixture("chinese_column.html")

JAPANESE_NEWS = fixture("japanese_news.html")

RUSSIAN_PORTAL = fixture("russian_portal.html")

WORDPRESS = fixture("wordpress.html")


def test_korean_board() -> None:
    url = "https://www.neargov.org/news/list.do?bbsId=press"
    found = discover(make_page(KOREAN_BOARD, url), make_source(url))
    assert found.kind == "listing"
    assert urls(found) == [
        "https://www.neargov.org/news/view.do?bbsId=press&nttId=12345",
        "https://www.neargov.org/news/view.do?bbsId=press&nttId=12344",
        "https://www.neargov.org/news/view.do?bbsId=press&nttId=12343",
    ]
    assert found.links[0].title == "제27차 동북아 지방정부 실무위원회 울란바토르 개최"
    assert found.links[2].title == "러시아 연해주 대표단 포항 방문, 물류·관광 협력 논의"
    assert found.follow_up == (
        "https://www.neargov.org/rss/news.xml",
        "https://www.neargov.org/news/list.do?bbsId=press&pageIndex=2",
        "https://www.neargov.org/news/list.do?bbsId=press&pageIndex=3",
    )


def test_feed_autodiscovery_only_for_auto() -> None:
    url = "https://www.neargov.org/news/list.do?bbsId=press"
    found = discover(make_page(KOREAN_BOARD, url), make_source(url, kind="listing"))
    assert "https://www.neargov.org/rss/news.xml" not in found.follow_up


def test_chinese_column_in_gb2312() -> None:
    url = "http://www.jl.gov.cn/szf/gzdt/"
    page = make_page(CHINESE_COLUMN.encode("gb18030"), url)
    assert page.encoding == "gb18030"
    found = discover(page, make_source(url))
    assert urls(found) == [
        "http://www.jl.gov.cn/szf/gzdt/202505/t20250506_9012345.html",
        "http://www.jl.gov.cn/szf/gzdt/202505/t20250503_9012001.html",
        "http://news.jl.gov.cn/sz/202504/t20250430_9011111.html",  # same registrable domain
    ]  # gov.cn (another site) is left out
    assert found.links[0].title == "图们江区域国际合作论坛在珲春开幕"
    assert found.follow_up == (
        "http://www.jl.gov.cn/szf/gzdt/index_1.html",
        "http://www.jl.gov.cn/szf/gzdt/index_2.html",
    )


def test_japanese_news_with_link_rel_next() -> None:
    url = "https://www.erina.or.jp/news/"
    found = discover(make_page(JAPANESE_NEWS.encode("shift_jis"), url), make_source(url))
    assert urls(found) == [
        "https://www.erina.or.jp/news/2025/0501.html",
        "https://www.erina.or.jp/news/2025/0418.html",
    ]
    assert found.follow_up == ("https://www.erina.or.jp/news/?page=2",)


def test_russian_portal() -> None:
    url = "https://primorsky.ru/press/news/"
    found = discover(make_page(RUSSIAN_PORTAL.encode("cp1251"), url), make_source(url))
    assert urls(found) == [
        "https://primorsky.ru/press/news/detail.php?ID=88123",
        "https://primorsky.ru/press/news/detail.php?ID=88120",
    ]
    assert found.follow_up == (
        "https://primorsky.ru/press/news/?PAGEN_1=2",
        "https://primorsky.ru/press/news/?PAGEN_1=3",
    )


def test_wordpress_entry_headers_are_not_chrome() -> None:
    url = "https://blog.example.org/"
    found = discover(make_page(WORDPRESS, url), make_source(url))
    assert urls(found) == [
        "https://blog.example.org/2025/05/02/tumen-river-forum-opens/",
        "https://blog.example.org/2025/04/28/ferry-route/",
    ]
    assert found.follow_up == (
        "https://blog.example.org/feed/atom/",
        "https://blog.example.org/page/2/",
    )


def test_follow_decides_and_may_leave_the_site() -> None:
    url = "http://www.jl.gov.cn/szf/gzdt/"
    source = make_source(url, follow=(r"/content_\d+\.htm$", r"t2025050[36]"))
    found = discover(make_page(CHINESE_COLUMN, url), source)
    assert urls(found) == [
        "http://www.jl.gov.cn/szf/gzdt/202505/t20250506_9012345.html",
        "http://www.jl.gov.cn/szf/gzdt/202505/t20250503_9012001.html",
        "http://www.gov.cn/xinwen/2025-04/29/content_7000001.htm",
    ]


def test_ignore_is_searched_in_the_absolute_url() -> None:
    url = "http://www.jl.gov.cn/szf/gzdt/"
    source = make_source(url, ignore=(r"news\.jl\.gov\.cn", r"t20250503"))
    found = discover(make_page(CHINESE_COLUMN, url), source)
    assert urls(found) == ["http://www.jl.gov.cn/szf/gzdt/202505/t20250506_9012345.html"]


def test_link_selector_overrides_the_heuristics() -> None:
    url = "https://www.neargov.org/news/list.do?bbsId=press"
    source = make_source(url, link_selector="#gnb a")
    found = discover(make_page(KOREAN_BOARD, url), source)
    assert urls(found) == [
        "https://www.neargov.org/intro/greeting.do",
        "https://www.neargov.org/news/list.do?bbsId=notice",
        "https://www.neargov.org/board/view.do?nttId=1",
    ]  # the page itself (bbsId=press) is not a link of itself


def test_duplicates_keep_the_first_position_and_the_best_title() -> None:
    html = """<html><body><div class="list">
    <a href="/view/1001"><img src="/t.jpg"></a>
    <a href="/view/1002">Второй материал о сотрудничестве регионов</a>
    <a href="/view/1001?utm_campaign=x">Первый материал о сотрудничестве регионов</a>
    </div></body></html>"""
    url = "https://example.ru/news"
    found = discover(make_page(html, url), make_source(url, follow=(r"/view/",)))
    assert [(link.url, link.title) for link in found.links] == [
        ("https://example.ru/view/1001", "Первый материал о сотрудничестве регионов"),
        ("https://example.ru/view/1002", "Второй материал о сотрудничестве регионов"),
    ]


def test_redirected_listing_counts_as_the_site() -> None:
    html = '<div class="list"><a href="/news/view.php?id=77">몽골 도르노드 대표단 방문</a></div>'
    found = discover(
        make_page(html, "http://old-name.kr/", final_url="https://new-name.kr/news/"),
        make_source("http://old-name.kr/"),
    )
    assert urls(found) == ["https://new-name.kr/news/view.php?id=77"]


def test_trailing_slash_variants_are_one_article() -> None:
    html = """<div class="list"><a href="/news/2025/05/forum/">Forum opens in Hunchun today</a>
    <a href="/news/2025/05/forum">Forum opens in Hunchun today, full report</a></div>"""
    url = "https://example.org/news/"
    found = discover(make_page(html, url), make_source(url))
    assert [(link.url, link.title) for link in found.links] == [
        ("https://example.org/news/2025/05/forum/", "Forum opens in Hunchun today, full report")
    ]


def test_base_href_is_honoured() -> None:
    html = """<html><head><base href="https://cdn.example.kr/board/"></head><body>
    <a href="view.php?id=1234">지방정부 협력 포럼 결과 보고</a></body></html>"""
    url = "https://www.example.kr/board/list.php"
    found = discover(make_page(html, url), make_source(url))
    assert urls(found) == ["https://cdn.example.kr/board/view.php?id=1234"]


def test_pagination_is_bounded() -> None:
    pages = "".join(f'<a href="/list?page={n}">{n}</a>' for n in range(2, 40))
    html = f'<html><body><div class="paging">{pages}</div></body></html>'
    url = "https://example.kr/list"
    found = discover(make_page(html, url), make_source(url))
    assert found.follow_up == tuple(f"https://example.kr/list?page={n}" for n in range(2, 7))


def test_text_weight_is_cjk_aware() -> None:
    assert text_weight("图们江论坛") == 10
    assert text_weight("Forum") == 5
    assert text_weight("동북아 포럼") == 11


def test_not_modified_page_has_no_links() -> None:
    from dataclasses import replace

    url = "https://example.kr/list"
    page = replace(make_page("", url), not_modified=True, status=304)
    found = discover(page, make_source(url, kind="feed"))
    assert found.kind == "feed"
    assert found.links == ()


def test_kind_page_is_the_page_itself() -> None:
    url = "https://example.kr/about/index.html"
    found = discover(make_page("<p>x</p>", url), make_source(url, kind="page"))
    assert urls(found) == ["https://example.kr/about/"]
