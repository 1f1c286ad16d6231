"""A site that exists only after its scripts run: every page is the same empty shell,
and ``/static/app.js`` fetches the listing or the article as JSON and writes it into
the page. Plain HTTP finds no link and no text on it.

Articles in Chinese, Korean and English (real-language prose, several paragraphs) so
that extraction and language detection see what they see on real sites::

    with FixtureServer() as server:
        add_script_site(server)
        source = Source(name="spa", url=server.url("/"), render="browser")
"""

from __future__ import annotations

import contextlib
import json

from tests.support.httpserver import FixtureRequestHandler, FixtureServer, Response

SHELL = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Northeast Asia Portal</title>
<script src="/static/app.js" defer></script></head>
<body><div id="app"></div><noscript>Please enable JavaScript to use this site.</noscript>
</body></html>"""

APP_JS = b"""
(async () => {
  const app = document.getElementById("app");
  const path = location.pathname;
  if (path === "/" || path === "/index.html") {
    const list = await (await fetch("/api/list.json")).json();
    const ul = document.createElement("ul");
    for (const item of list.items) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "/news/" + item.id + ".html";
      a.textContent = item.title;
      li.appendChild(a);
      ul.appendChild(li);
    }
    app.appendChild(ul);
    return;
  }
  const id = path.split("/").pop().replace(".html", "");
  const data = await (await fetch("/api/articles/" + id + ".json")).json();
  document.documentElement.lang = data.lang;
  document.title = data.title + " - Northeast Asia Portal";
  const article = document.createElement("article");
  const h1 = document.createElement("h1");
  h1.textContent = data.title;
  article.appendChild(h1);
  for (const text of data.paragraphs) {
    const p = document.createElement("p");
    p.textContent = text;
    article.appendChild(p);
  }
  app.appendChild(article);
})();
"""

ARTICLES: dict[str, dict[str, object]] = {
    "101": {
        "lang": "zh",
        "title": "图们江区域合作会议在珲春召开",
        "paragraphs": [
            "本周，来自中国、俄罗斯、蒙古和韩国的代表齐聚珲春，共同讨论图们江区域的交通、"
            "贸易和环境保护合作。与会者一致认为，加强跨境物流通道建设是推动地区经济发展的关键。",
            "会议期间，各方就港口联运、口岸通关便利化以及旅游线路开发等议题进行了深入交流，"
            "并同意在明年举行下一次部长级会议，进一步落实已经达成的合作共识。",
            "地方政府表示，将继续完善基础设施，欢迎更多企业参与区域合作项目，共同建设开放、"
            "包容、可持续发展的东北亚经济走廊。",
        ],
    },
    "102": {
        "lang": "ko",
        "title": "두만강 지역 협력 포럼 개최",
        "paragraphs": [
            "이번 주 훈춘에서 열린 두만강 지역 협력 포럼에는 한국, 중국, 러시아, 몽골의 "
            "대표단이 참석해 교통과 무역, 환경 보호 분야의 협력 방안을 논의했다.",
            "참석자들은 국경을 넘는 물류 통로를 확충하는 것이 지역 경제 발전의 핵심이라는 데 "
            "의견을 모았으며, 항만 연계 운송과 통관 절차 간소화에 대해서도 폭넓게 의견을 나눴다.",
            "각국 대표단은 내년에 장관급 회의를 다시 열어 이번에 합의한 협력 사업을 구체적으로 "
            "추진하기로 하고, 관광 노선 개발에도 힘을 모으기로 했다.",
        ],
    },
    "103": {
        "lang": "en",
        "title": "Tumen River partners agree on new transport corridor",
        "paragraphs": [
            "Delegations from China, Russia, Mongolia and the Republic of Korea met in Hunchun "
            "this week to discuss cooperation on transport, trade and the protection of the "
            "environment along the Tumen River.",
            "The participants agreed that building cross-border logistics corridors is the key "
            "to the economic development of the region, and discussed combined port transport, "
            "simpler customs procedures and new tourist routes in detail.",
            "They will meet again at ministerial level next year to carry out the projects "
            "agreed on, and invited companies from every member country to take part.",
        ],
    },
}


def add_script_site(
    server: FixtureServer, articles: dict[str, dict[str, object]] | None = None
) -> None:
    """Serve the script-built site with ``articles`` (by id; default ``ARTICLES``)."""
    articles = ARTICLES if articles is None else articles
    html = "text/html; charset=utf-8"
    server.route("/", Response(body=SHELL, content_type=html))
    server.route("/static/app.js", Response(body=APP_JS, content_type="text/javascript"))
    items = [{"id": key, "title": value["title"]} for key, value in articles.items()]
    server.route("/api/list.json", _json({"items": items}))
    for key, value in articles.items():
        server.route(f"/news/{key}.html", Response(body=SHELL, content_type=html))
        server.route(f"/api/articles/{key}.json", _json(value))


def _json(value: object) -> Response:
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return Response(body=body, content_type="application/json; charset=utf-8")


def hanging(handler: FixtureRequestHandler) -> None:
    """A response that never comes: the connection stays open, silent, until the
    client gives up (the server thread then sees the hang-up)."""
    handler.connection.settimeout(60)
    with contextlib.suppress(OSError):
        handler.connection.recv(1)
    handler.close_connection = True


# A script that allocates without end.
RUNAWAY = "const hoard = []; for (;;) { hoard.push(new Array(1e6).fill(hoard.length)); }"


def add_bad_pages(server: FixtureServer) -> None:
    """``/hang``: a page whose script never arrives; ``/hog``: a page whose script
    allocates without end."""
    html = "text/html; charset=utf-8"
    server.route(
        "/hang",
        Response(
            body=b"<html><body><script src='/never.js'></script></body></html>", content_type=html
        ),
    )
    server.route("/never.js", hanging)
    server.route(
        "/hog",
        Response(
            body=f"<html><body><script>{RUNAWAY}</script></body></html>".encode(), content_type=html
        ),
    )
