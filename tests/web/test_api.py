"""The JSON API over a stored corpus: listings with every filter, keyset pages, one
article with its versions, a version, a diff, source health, the OpenAPI document."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from storage.repository import ArticleInput, SourceSpec
from tests.web.conftest import Reader
from tests.web.corpus import PLAN, T0, route_all


async def titles(reader: Reader, query: str = "") -> list[str]:
    response = await reader.client.get(f"/api/articles{query}")
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def test_newest_first_originals_only(reader: Reader) -> None:
    body = (await reader.client.get("/api/articles")).json()
    ids = [item["id"] for item in body["items"]]
    assert reader.corpus.ids["copy"] not in ids  # a duplicate is left out by default
    assert ids[0] == reader.corpus.ids["hostile"]  # the newest first
    assert ids[-1] == reader.corpus.ids["en"]  # the oldest last
    assert body["next_cursor"] is None
    with_copies = (await reader.client.get("/api/articles?duplicates=1")).json()["items"]
    copy = next(i for i in with_copies if i["id"] == reader.corpus.ids["copy"])
    assert copy["duplicate_of"] == reader.corpus.ids["zh"]


async def test_filters(reader: Reader) -> None:
    assert await titles(reader, "?source=cpaffc") == ["图们江区域合作论坛开幕"]
    assert await titles(reader, "?language=ko") == ["두만강 협력 회의 개최"]
    assert sorted(await titles(reader, "?tag=province")) == sorted(
        ["두만강 협력 회의 개최", "北東アジア経済博覧会が開幕", "Туманная: сотрудничество регионов"]
    )
    assert await titles(reader, "?tag=nobody-has-it") == []
    assert await titles(reader, "?q=Hunchun%20delegates") == [
        "Tumen River forum opens in Hunchun (updated)"
    ]
    assert await titles(reader, "?q=图们江") == ["图们江区域合作论坛开幕"]
    # A topic matches any of its terms, in any of the five languages.
    tumen = await titles(reader, "?topic=tumen")
    assert len(tumen) == 5, tumen
    assert await titles(reader, "?topic=expo") == ["北東アジア経済博覧会が開幕"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?limit=0", 400), ("?limit=100000", 400), ("?limit=abc", 400),
        ("?cursor=not-a-cursor", 400), ("?language=%3Cscript%3E", 400),
        ("?duplicates=maybe", 400), ("?q=" + "x" * 500, 400),
        ("?topic=unknown", 404), ("?source=nowhere", 404),
    ],
)  # fmt: skip
async def test_bad_parameters_are_plain_4xx(reader: Reader, query: str, status: int) -> None:
    response = await reader.client.get(f"/api/articles{query}")
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/plain")
    assert "Traceback" not in response.text
    assert len(response.text.splitlines()) == 1


async def test_keyset_pages_over_ties(reader: Reader) -> None:
    """Thirty articles first seen at the same instant page without loss or repetition,
    whatever the page size, and a page key outlives new articles arriving meanwhile."""
    source_id = (
        await reader.store.sync_sources([SourceSpec("ties", "https://t.example/", "auto")])
    )["ties"]
    reader.clock.now = T0 + timedelta(days=1)
    for n in range(30):
        text = f"Tied article number {n}."
        await reader.store.save_article(
            source_id=source_id, source_name="ties", plan=PLAN, router=route_all,
            item=ArticleInput(url=f"https://t.example/{n}", title=f"tie {n}", text=text,
                              content_hash=hashlib.sha256(text.encode()).hexdigest()),
        )  # fmt: skip
    expected = [f"tie {n}" for n in reversed(range(30))]
    for size in (1, 7, 10, 29, 30):
        seen, cursor, pages = [], None, 0
        while True:
            query = f"?source=ties&limit={size}" + (f"&cursor={cursor}" if cursor else "")
            body = (await reader.client.get(f"/api/articles{query}")).json()
            seen += [item["title"] for item in body["items"]]
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
            if pages == 1 and size == 7:  # a newer article arriving must not shift pages
                reader.clock.now = T0 + timedelta(days=2)
                text = "Arrived while paging."
                await reader.store.save_article(
                    source_id=source_id, source_name="ties", plan=PLAN, router=route_all,
                    item=ArticleInput(url="https://t.example/late", title="late", text=text,
                                      content_hash=hashlib.sha256(text.encode()).hexdigest()),
                )  # fmt: skip
        assert [t for t in seen if t != "late"] == expected, size
        assert pages == -(-len(seen) // size)


async def test_article_versions_and_diff(reader: Reader) -> None:
    article_id = reader.corpus.ids["en"]
    body = (await reader.client.get(f"/api/articles/{article_id}")).json()
    assert body["version"] == 2
    assert "approved" in body["text"]
    assert [v["version"] for v in body["versions"]] == [1, 2]
    assert body["author"] is None or isinstance(body["author"], str)
    first = (await reader.client.get(f"/api/articles/{article_id}/versions/1")).json()
    assert "discussed" in first["text"]
    assert first["title"] == "Tumen River forum opens in Hunchun"
    diff = (await reader.client.get(f"/api/articles/{article_id}/versions/2/diff")).json()
    assert diff["previous_version"] == 1
    assert "-The Tumen River area plan was discussed." in diff["diff"]
    assert "+The Tumen River area plan was approved." in diff["diff"]
    assert "+A new paragraph." in diff["diff"]
    origin = (await reader.client.get(f"/api/articles/{article_id}/versions/1/diff")).json()
    assert origin["previous_version"] is None
    assert "+Delegates" in origin["diff"]
    missing_paths = [
        f"/api/articles/{article_id}/versions/3", "/api/articles/999999", "/api/articles/abc",
        f"/api/articles/{article_id}/versions/0/diff",
    ]  # fmt: skip
    for missing in missing_paths:
        assert (await reader.client.get(missing)).status_code == 404, missing


async def test_sources_failing_first(reader: Reader) -> None:
    items = (await reader.client.get("/api/sources")).json()["items"]
    assert items[0]["name"] == "broken-site"
    assert items[0]["failing"] is True
    assert items[0]["consecutive_failures"] == 3
    assert items[0]["last_error"] == "HTTP 503 <b>x</b>"
    near = next(i for i in items if i["name"] == "near-news")
    assert near["articles"] == 2
    assert near["tags"] == ["secretariat"]
    assert not near["failing"]


async def test_openapi_describes_every_api_and_feed_route(reader: Reader) -> None:
    schema = (await reader.client.get("/openapi.json")).json()
    assert schema["openapi"].startswith("3.")
    routes = {
        route.path  # type: ignore[attr-defined]
        for route in reader.client._transport.app.routes  # type: ignore[attr-defined]
        if route.path.startswith(("/api/", "/feeds/"))  # type: ignore[attr-defined]
    }
    assert routes <= set(schema["paths"]), routes - set(schema["paths"])


async def test_the_app_never_writes(reader: Reader) -> None:
    """Whatever is asked, nothing in the database changes (and the engine refuses writes)."""
    before = (await reader.client.get("/api/articles?duplicates=1&limit=200")).json()
    for path in (
        "/",
        "/sources",
        "/feeds/atom.xml",
        "/api/sources",
        f"/articles/{reader.corpus.ids['en']}",
    ):
        assert (await reader.client.get(path)).status_code == 200
    assert (await reader.client.post("/api/articles")).status_code == 405
    after = (await reader.client.get("/api/articles?duplicates=1&limit=200")).json()
    assert before == after
