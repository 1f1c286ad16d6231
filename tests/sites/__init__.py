"""Small fixture sites served by ``FixtureServer``: the shapes the product meets in the
wild (a board listing wrapped in chrome, articles in GBK and EUC-KR declared only in
<meta>, a mirror that republishes an article, an RSS feed), used by the end-to-end tests
and by ``make demo``.

Addresses follow the real sites' shapes (see the evidence in sources.yaml): the
secretariat is a query-string board like NEAR's (``/en/page.jsp?mnu_uid=2723`` lists,
``page.jsp?bod_uid=N&cmd=258&mnu_uid=2723`` shows an article, and listing links carry the
listing page and search state as context parameters, which the server ignores), the
mirror addresses articles like CPAFFC (``/index/news/detail/id/N/lang/2.html``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.support.httpserver import FixtureRequestHandler, FixtureServer, Response

BOARD = "/en/page.jsp"
BOARD_LISTING = f"{BOARD}?mnu_uid=2723"
# What a NEAR-style board puts in its article links besides the article's own id.
BOARD_CONTEXT = ("pageNo", "srchBgUid", "srchEnable", "srchKeyword")


def board_article(bod_uid: int) -> str:
    """A board article's own address (parameters in the order normalisation sorts them)."""
    return f"{BOARD}?bod_uid={bod_uid}&cmd=258&mnu_uid=2723"


def board_link(bod_uid: int, page_no: int = 1) -> str:
    """The same article as a listing page links it: relative, with listing context."""
    return f"page.jsp?bod_uid={bod_uid}&cmd=258&mnu_uid=2723&pageNo={page_no}&srchBgUid=-1&srchEnable=0"


def without_board_context(path: str) -> str:
    """``path`` without the context parameters: what the board's server looks at."""
    parts = urlsplit(path)
    kept = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] not in BOARD_CONTEXT]
    return parts.path + ("?" + "&".join(sorted(kept)) if kept else "")


def serve_board(server: FixtureServer) -> None:
    """Answer board addresses whatever context parameters they carry, as the real board
    does: the page for ``bod_uid=N`` is the same from listing page 1 or page 24."""

    def board(handler: FixtureRequestHandler) -> None:
        route = server.lookup(without_board_context(handler.path))
        if isinstance(route, Response):
            handler.send_response_object(route)
        elif route is not None and route is not board:
            route(handler)
        else:
            handler.send_plain(404, b"no such board entry")

    server.route(BOARD, board)


CHROME_HEAD = """<header><a href="#content">Skip to content</a>
<nav><ul><li><a href="/">Home</a></li><li><a href="/about.html">About NEAR</a></li>
<li><a href="/en/page.jsp?mnu_uid=2723">News</a></li><li><a href="/en/page.jsp?mnu_uid=2799">Member Regions</a></li>
<li><a href="/login.do">Login</a></li></ul></nav></header>
<div class="location">Your current location : Home&gt;&gt;News&gt;&gt;news</div>"""

CHROME_FOOT = """<aside class="related"><h3>Suggested Items</h3><ul>
<li><a href="/en/page.jsp?bod_uid=59300&amp;cmd=258&amp;mnu_uid=2723">Older teaser about a forum</a></li></ul></aside>
<div class="share">Share: <a href="#">Facebook</a> <a href="#">Twitter</a> Print</div>
<footer><p>About us | Contact | Sitemap</p>
<p>Copyright © 2025 The Association of North East Asia Regional Governments. All rights reserved.</p></footer>"""

ENGLISH_BODY = [
    "The NEAR Secretariat held its 15th General Assembly in Pohang on 12 September 2025, "
    "bringing together delegates from 78 member regional governments across six countries.",
    "Delegates adopted a joint declaration on expanding cooperation in tourism, logistics and "
    "environmental protection, and agreed to launch a youth exchange programme next spring.",
    "The Secretary General said the assembly showed that regional governments remain the "
    "engine of practical cooperation in Northeast Asia, even when national relations are tense.",
]

CHINESE_BODY = [
    "8月26日，第十四届中国—东北亚博览会在长春开幕。来自日本、韩国、蒙古国、俄罗斯等国家和地区的客商参加了开幕式。",
    "本届博览会以“共享新机遇、共创新未来”为主题，设置了多个展区，集中展示东北亚各国在经贸、科技、文化等领域的合作成果。",
    "吉林省有关负责人表示，将进一步深化与东北亚各国地方政府的务实合作，推动区域经济一体化发展。",
]

KOREAN_BODY = [
    "강원특별자치도는 2023년 12월 13일 동북아지역자치단체연합 실무위원회를 개최하고 회원 지방정부 간 협력 사업을 논의했다.",
    "이번 회의에는 중국, 일본, 몽골, 러시아 등 5개국 20여 개 지방정부 대표단이 참석해 관광과 환경 분야 공동 사업을 점검했다.",
    "도 관계자는 동북아 지방정부 간 교류를 더욱 활성화하여 지역 발전의 새로운 기회를 만들겠다고 밝혔다.",
]


def english_article(title: str, paragraphs: list[str], date: str = "2025-09-12") -> str:
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | NEAR Secretariat</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{date}T09:00:00+09:00"></head>
<body>{CHROME_HEAD}
<main id="content"><article><h1>{title}</h1>
<div class="info">Date {date} | Views 152 | Reading time: 2 min</div>
<div class="view-body">{body}</div>
<div class="file-attach">File attachment: assembly-photo.JPG (1.2 MB)</div>
</article></main>{CHROME_FOOT}</body></html>"""


def chinese_article_gbk() -> bytes:
    body = "".join(f"<p>{p}</p>" for p in CHINESE_BODY)
    page = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>第十四届中国—东北亚博览会开幕_吉林省人民政府</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/news/list.html">新闻</a></div>
<div class="location">当前位置：首页&gt;&gt;新闻&gt;&gt;要闻</div>
<div class="article"><h1>第十四届中国—东北亚博览会开幕</h1>
<div class="info">发布时间：2025年8月26日 来源：吉林日报</div>
<div class="content">{body}</div></div>
<div class="tools">【打印本页】【关闭窗口】</div>
<div class="footer">版权所有：吉林省人民政府办公厅</div></body></html>"""
    return page.encode("gbk")


def korean_article_euckr() -> bytes:
    body = "".join(f"<p>{p}</p>" for p in KOREAN_BODY)
    page = f"""<html lang="ko"><head><meta charset="euc-kr">
<title>동북아 실무위원회 개최 - 강원특별자치도</title></head><body>
<a href="#content" class="skip">본문 바로가기</a>
<div id="gnb"><a href="/">홈</a> <a href="/news/list.html">소식</a></div>
<div id="content"><h2 class="title">동북아 실무위원회 개최</h2>
<div class="date">작성일 2023년 12월 13일</div>
<div class="board-view">{body}</div>
<div class="file">첨부파일 1.JPG</div>
<div class="prev-next">이전글 | 다음글</div></div>
<div id="footer">Copyright 강원특별자치도. All rights reserved.</div></body></html>"""
    return page.encode("euc-kr")


def listing(items: list[tuple[str, str]]) -> str:
    rows = "".join(
        f'<li><a href="{href}">{title}</a> <span class="date">2025-09-12</span></li>\n'
        for href, title in items
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>News | NEAR Secretariat</title></head><body>{CHROME_HEAD}
<main id="content"><h2>News</h2><ul class="board">{rows}</ul>
<div class="paging"><a href="page.jsp?mnu_uid=2723&amp;pageNo=1">1</a></div></main>{CHROME_FOOT}</body></html>"""


@dataclass
class FixtureSites:
    """Two sites on one server: a secretariat (a NEAR-style board under ``/en/``) and a
    mirror (CPAFFC-style addresses under ``/index/news/``) that republishes the
    secretariat's assembly article with other chrome."""

    server: FixtureServer
    articles: dict[str, Response] = field(default_factory=dict)

    LISTING = BOARD_LISTING
    ASSEMBLY = board_article(59381)
    EXPO = board_article(59382)
    COMMITTEE = board_article(59383)
    MIRROR_LISTING = "/index/news/news_list/id/18/lang/2.html"
    MIRROR_COPY = "/index/news/detail/id/10472/lang/2.html"

    def install(self) -> FixtureSites:
        s = self.server
        serve_board(s)
        s.route(
            self.LISTING,
            Response(
                body=listing([
                    (board_link(59381), "NEAR holds 15th General Assembly in Pohang"),
                    (board_link(59382), "第十四届中国—东北亚博览会开幕"),
                    (board_link(59383), "동북아 실무위원회 개최"),
                ]).encode(),
                etag='"list-v1"',
            ),
        )  # fmt: skip
        self.set_article(self.ASSEMBLY, english_article(
            "NEAR holds 15th General Assembly in Pohang", ENGLISH_BODY).encode())  # fmt: skip
        # Declared only in <meta>: the HTTP header carries no charset.
        self.set_article(self.EXPO, chinese_article_gbk(), content_type="text/html")
        self.set_article(self.COMMITTEE, korean_article_euckr(), content_type="text/html")
        s.route(
            self.MIRROR_LISTING,
            Response(body=listing([(self.MIRROR_COPY, "Regional governments meet in Pohang")])
                     .encode()),
        )  # fmt: skip
        s.route(
            self.MIRROR_COPY,
            Response(body=english_article("Regional governments meet in Pohang",
                                          ENGLISH_BODY).encode()),
        )  # fmt: skip
        s.route("/robots.txt", Response(body=b"User-agent: *\nDisallow: /private/\n",
                                        content_type="text/plain"))  # fmt: skip
        return self

    def set_article(
        self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8"
    ) -> None:
        response = Response(body=body, content_type=content_type)
        self.articles[path] = response
        self.server.route(path, response)

    def edit_assembly(self, extra_paragraph: str, *, on_mirror: bool = False) -> None:
        """Add a paragraph to the assembly story, on the secretariat or on the mirror."""
        path, title = (
            (self.MIRROR_COPY, "Regional governments meet in Pohang")
            if on_mirror
            else (self.ASSEMBLY, "NEAR holds 15th General Assembly in Pohang")
        )
        self.set_article(path, english_article(title, [*ENGLISH_BODY, extra_paragraph]).encode())

    def sources_yaml(self, *, jsonl_path: str, webhook_url: str | None = None,
                     interval: str = "1h") -> str:  # fmt: skip
        base = self.server.base_url
        hook = (
            f"""  - type: webhook
    url: {webhook_url}
    secret_env: NEA_TEST_WEBHOOK_SECRET
"""
            if webhook_url
            else ""
        )
        return f"""defaults:
  interval: {interval}
  per_host_delay: 0s
  per_host_concurrency: 4
notifications:
  - type: jsonl
    path: {jsonl_path}
{hook}sources:
  - name: near-news
    url: {base}{self.LISTING}
    kind: listing
    follow: ['/page\\.jsp\\?(?:[^#]*&)?bod_uid=\\d+']
    drop_params: [pageNo, srchBgUid, srchEnable, srchKeyword]
    tags: [secretariat]
  - name: mirror
    url: {base}{self.MIRROR_LISTING}
    kind: listing
    follow: ['/index/news/detail/id/\\d+/lang/2\\.html$']
"""
