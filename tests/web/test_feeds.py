"""Atom and JSON Feed documents, read by a real feed reader library (feedparser), checked
against JSON Feed 1.1's required fields, and polled with validators for 304 answers."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

import feedparser
import pytest

from storage.repository import ArticleInput
from tests.web.conftest import Reader
from tests.web.corpus import HOSTILE_TITLE, PLAN, T0, route_all

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


async def atom(reader: Reader, query: str = "") -> feedparser.FeedParserDict:
    response = await reader.client.get(f"/feeds/atom.xml{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


async def test_atom_entries_ids_dates_language_author_content(reader: Reader) -> None:
    parsed = await atom(reader)
    entries = {e.link: e for e in parsed.entries}
    assert "https://primorsky.example.org/zh/copy" not in entries  # originals only
    english = entries["https://near.example.org/news/1"]
    assert english.id == f"tag:nea-monitor,2026-11-30:article/{reader.corpus.ids['en']}"
    assert english.title == "Tumen River forum opens in Hunchun (updated)"
    assert english.author == "Press office"
    assert english.title_detail.language == "en"  # xml:lang of the entry
    assert english.content[0].type == "text/plain"
    assert "approved" in english.content[0].value
    assert english.updated_parsed[:4] == (2026, 11, 30, 14)  # the second version's time
    assert english.published_parsed[:3] == (2026, 11, 29)
    chinese = entries["https://cpaffc.example.org/detail/id/2/lang/1.html"]
    assert chinese.content[0].language == "zh"
    assert chinese.title == "图们江区域合作论坛开幕"
    assert chinese.published_parsed[:3] == (2026, 11, 28)  # the publisher's day only
    # Ids do not change from one request to the next.
    again = await atom(reader)
    assert [e.id for e in again.entries] == [e.id for e in parsed.entries]


async def test_atom_keeps_hostile_text_as_text(reader: Reader) -> None:
    parsed = await atom(reader)
    hostile = next(e for e in parsed.entries if e.link == "https://near.example.org/news/evil")
    assert hostile.title == HOSTILE_TITLE  # escaped in the XML, text again once parsed
    assert hostile.title_detail.type == "text/plain"
    assert "\x0b" not in hostile.content[0].value  # XML 1.0 cannot carry it: dropped


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?source=cpaffc", {"zh"}),
        ("?language=ko", {"ko"}),
        ("?topic=expo", {"ja"}),
        ("?q=図書館", set()),
        ("?q=두만강", {"ko"}),
        ("?tag=friendship", {"zh"}),
        ("?tag=friendship&duplicates=1", {"zh"}),
        ("?language=zh&duplicates=1", {"zh", "copy"}),
    ],
)
async def test_feed_filters(reader: Reader, query: str, expected: set[str]) -> None:
    by_id = {v: k for k, v in reader.corpus.ids.items()}
    parsed = await atom(reader, query)
    found = {by_id[int(e.id.rsplit("/", 1)[1])] for e in parsed.entries}
    assert found == expected
    document = (await reader.client.get(f"/feeds/feed.json{query}")).json()
    assert {by_id[int(i["id"].rsplit("/", 1)[1])] for i in document["items"]} == expected


async def test_json_feed_1_1_required_fields(reader: Reader) -> None:
    response = await reader.client.get("/feeds/feed.json?topic=tumen")
    assert response.headers["content-type"].startswith("application/feed+json")
    document = response.json()
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(document["title"], str)
    assert document["title"]
    assert isinstance(document["items"], list)
    assert len(document["items"]) == 5
    assert document["feed_url"].endswith("/feeds/feed.json?topic=tumen")
    for item in document["items"]:
        assert isinstance(item["id"], str)
        assert item["id"]
        assert isinstance(item.get("content_text", item.get("content_html")), str)
        for key in ("date_published", "date_modified"):
            if key in item:
                assert RFC3339.match(item[key]), item[key]
        assert item["url"].startswith("https://")
    korean = next(i for i in document["items"] if i.get("language") == "ko")
    assert korean["title"] == "두만강 협력 회의 개최"
    assert "두만강 지역" in korean["content_text"]


@pytest.mark.parametrize("path", ["/feeds/atom.xml", "/feeds/feed.json"])
async def test_conditional_requests_get_304_until_something_changes(
    reader: Reader, path: str
) -> None:
    first = await reader.client.get(path)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    same = await reader.client.get(path, headers={"If-None-Match": etag})
    assert same.status_code == 304
    assert same.content == b""
    assert same.headers["etag"] == etag
    assert (
        await reader.client.get(path, headers={"If-Modified-Since": last_modified})
    ).status_code == 304
    # Another listing has another ETag.
    other = await reader.client.get(f"{path}?language=ko", headers={"If-None-Match": etag})
    assert other.status_code == 200
    # A new article changes both validators.
    reader.clock.now = T0 + timedelta(days=3)
    text = "A new article about the Tumen River."
    await reader.store.save_article(
        source_id=1, source_name="near-news", plan=PLAN, router=route_all,
        item=ArticleInput(url="https://near.example.org/news/new", title="New", text=text,
                          content_hash=hashlib.sha256(text.encode()).hexdigest()),
    )  # fmt: skip
    changed = await reader.client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    since = await reader.client.get(path, headers={"If-Modified-Since": last_modified})
    assert since.status_code == 200
    parsed_last = datetime.strptime(changed.headers["last-modified"], "%a, %d %b %Y %H:%M:%S GMT")
    assert parsed_last.date() == (T0 + timedelta(days=3)).date()
