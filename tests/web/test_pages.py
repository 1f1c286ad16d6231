"""The web view as HTML: listings with filters, an article with its versions and diff,
sources failing first with undeliverable notifications; hostile content inert; the read
token. (The rendered DOM in a real browser: test_browser.py.)"""

from __future__ import annotations

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from scraper.web import create_app
from storage.engine import open_existing
from tests.web.conftest import Reader
from tests.web.corpus import CONFIG, HOSTILE_AUTHOR, HOSTILE_TITLE

EVENT_ATTRIBUTES_OR_BAD_URLS = ("on",)


async def page(reader: Reader, path: str) -> HTMLParser:
    response = await reader.client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return HTMLParser(response.text)


def assert_inert(tree: HTMLParser) -> None:
    """Nothing in the page can run: no script, no plug-in or frame, no event handler, no
    link or source that is not http(s) or the site's own path."""
    assert tree.css("script, iframe, object, embed, svg, img, base") == []
    for node in tree.css("*"):
        for name, value in node.attributes.items():
            assert not name.lower().startswith("on"), (node.tag, name)
            if name in ("href", "src", "action", "formaction"):
                target = (value or "").strip().lower()
                assert target.startswith(("http://", "https://", "/", "?")), (node.tag, value)


async def test_index_lists_newest_originals_with_language(reader: Reader) -> None:
    tree = await page(reader, "/")
    items = tree.css("li.article")
    ids = [int(li.css_first("h2 a").attributes["href"].rsplit("/", 1)[1]) for li in items]
    assert ids[0] == reader.corpus.ids["hostile"]
    assert reader.corpus.ids["copy"] not in ids
    langs = {li.css_first("h2 a").text(): li.attributes.get("lang") for li in items}
    assert langs["두만강 협력 회의 개최"] == "ko"
    assert langs["Туманная: сотрудничество регионов"] == "ru"
    feed = tree.css_first('link[type="application/atom+xml"]').attributes["href"]
    assert feed == "/feeds/atom.xml"
    assert_inert(tree)


async def test_index_filters_search_and_next_page(reader: Reader) -> None:
    tree = await page(reader, "/?topic=tumen&limit=2")
    assert len(tree.css("li.article")) == 2
    assert tree.css_first('select[name="topic"] option[selected]').attributes["value"] == "tumen"
    next_link = tree.css_first('a[rel="next"]').attributes["href"]
    assert "topic=tumen" in next_link
    assert "cursor=" in next_link
    rest = await page(reader, next_link)
    assert len(rest.css("li.article")) == 2
    searched = await page(reader, "/?q=%E5%9B%BE%E4%BB%AC%E6%B1%9F")  # 图们江
    assert [a.text() for a in searched.css("li.article h2 a")] == ["图们江区域合作论坛开幕"]
    assert searched.css_first('input[name="q"]').attributes["value"] == "图们江"
    empty = await page(reader, "/?language=mn")
    assert "No articles match these filters" in empty.text()


async def test_article_page_metadata_versions_and_diff(reader: Reader) -> None:
    tree = await page(reader, f"/articles/{reader.corpus.ids['en']}")
    assert tree.css_first("html").attributes["lang"] == "en"
    assert tree.css_first("h1").text() == "Tumen River forum opens in Hunchun (updated)"
    original = tree.css_first('dl.meta a[href^="https://near.example.org"]')
    assert original.attributes["href"] == "https://near.example.org/news/1"
    assert [li.text().split("·")[0].strip() for li in tree.css(".versions li")] == [
        "version 1", "version 2",
    ]  # fmt: skip
    assert [d.text() for d in tree.css(".diff del")] == ["discussed"]
    assert [i.text() for i in tree.css(".diff p.changed ins")] == ["approved"]
    assert tree.css_first(".diff p.add").text() == "A new paragraph."
    assert tree.css_first(".title-change ins").text().endswith("(updated)")
    chinese = await page(reader, f"/articles/{reader.corpus.ids['zh']}")
    assert chinese.css_first("html").attributes["lang"] == "zh"
    assert chinese.css_first("header").attributes["lang"] == "en"
    assert "One version so far" in chinese.text()


async def test_sources_page_failing_first_and_dead_notifications(reader: Reader) -> None:
    tree = await page(reader, "/sources")
    rows = tree.css("table.sources tbody tr")
    assert rows[0].attributes["class"] == "failing"
    assert "broken-site" in rows[0].text()
    assert rows[0].css_first("td.error").text() == "HTTP 503 <b>x</b>"  # as text
    dead = tree.css("table.dead tbody tr")
    assert len(dead) == 1
    assert "HTTP 410 Gone" in dead[0].text()
    assert "webhook-0" in dead[0].text()
    assert_inert(tree)


async def test_hostile_content_is_inert(reader: Reader) -> None:
    hostile = reader.corpus.ids["hostile"]
    for path in ("/", f"/articles/{hostile}", "/?q=pwned", "/?duplicates=1"):
        assert_inert(await page(reader, path))
    tree = await page(reader, f"/articles/{hostile}")
    assert tree.css_first("h1").text() == HOSTILE_TITLE  # shown as text
    assert HOSTILE_AUTHOR in tree.text()
    # A javascript: canonical URL is shown, never linked.
    assert "javascript:document" in tree.css_first("dl.meta").text()
    assert not [a for a in tree.css("a") if "javascript" in a.attributes.get("href", "")]
    response = await reader.client.get(f"/articles/{hostile}")
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src" not in csp  # no script source allowed at all
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "status"),
    [("/articles/0", 404), ("/articles/abc", 404), ("/articles/99999", 404),
     ("/?limit=1000", 400), ("/?cursor=%00", 400), ("/nowhere", 404),
     ("/articles/1?diff=x", 404), ("/?topic=%3Cscript%3E", 404)],
)  # fmt: skip
async def test_bad_requests_are_plain_text(reader: Reader, path: str, status: int) -> None:
    response = await reader.client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/plain")
    # Echoed input stays inert: plain text that a browser may not sniff as HTML.
    assert response.headers["x-content-type-options"] == "nosniff"
    assert len(response.text.splitlines()) == 1


async def test_read_token(reader: Reader, db_url: str) -> None:
    engine = open_existing(db_url, read_only=True)
    app = create_app(engine, lambda: CONFIG, token="s3cret-token")
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for path in ("/", "/api/articles", "/feeds/atom.xml", "/openapi.json"):
                denied = await client.get(path)
                assert denied.status_code == 401, path
                assert denied.headers["www-authenticate"].startswith("Bearer")
            wrong = await client.get("/api/articles", headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            assert (await client.get("/api/articles?token=s3cret-tokeN")).status_code == 401
            bearer = {"Authorization": "Bearer s3cret-token"}
            assert (await client.get("/api/articles", headers=bearer)).status_code == 200
            feed = await client.get("/feeds/feed.json?token=s3cret-token&language=ko")
            assert feed.status_code == 200
            assert "token" not in feed.json()["feed_url"]  # the secret is not echoed
            # A browser that came with ?token= gets a cookie for the view's own links.
            assert "HttpOnly" in feed.headers["set-cookie"]
            assert (await client.get("/sources")).status_code == 200
    finally:
        await engine.dispose()
