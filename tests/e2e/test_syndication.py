"""Near duplicates end to end: `run --once` reads two local sites over real HTTP, one
publishing articles and weekly template notices, the other reposting some of them with
its own chrome, reflowed paragraphs, full-width digits and one excerpt. Copies link to
their originals; notices cut from one template stay apart."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from scraper.config import load_config
from scraper.once import run_once
from scraper.service import Service
from storage.models import ArticleRow
from tests.dedup.pairs.generate import excerpt, load, widen_digits
from tests.dedup.pairs.notices import TEMPLATES, fill
from tests.support.httpserver import FixtureServer, Response

ORIGIN_PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>{title} - NEAR Secretariat</title></head><body>
<header><nav><a href="/">Home</a> | <a href="/news/list.html">News</a></nav></header>
<main><article><h1>{title}</h1>{body}</article></main>
<footer><p>Copyright 2025 NEAR Secretariat. All rights reserved.</p></footer></body></html>"""

REPOST_PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>{title} | Asia Wire</title></head><body>
<div class="masthead">Asia Wire: regional news every day</div>
<div class="menu"><a href="/">World</a> <a href="/">Asia</a> <a href="/">Business</a></div>
<div id="story"><h2>{title}</h2><p class="source">Source: NEAR Secretariat</p>{body}</div>
<div class="sidebar"><h3>Most read</h3><ul><li><a href="/">Markets close higher</a></li></ul></div>
<div class="foot">(c) Asia Wire. Reproduction prohibited.</div></body></html>"""

LISTING = """<!doctype html><html><head><meta charset="utf-8"><title>News</title></head>
<body><ul>{items}</ul></body></html>"""


def paragraphs_html(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())


def reflowed(text: str) -> str:
    """The same sentences, paragraph breaks elsewhere: after every second sentence."""
    sentences = [s for p in text.split("\n\n") for s in p.replace(". ", ".\n").split("\n")]
    return "\n\n".join(" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2))


ARTICLES = {  # name: (language, title, text)
    "a1": ("en", "NEAR opens its General Assembly", load("en").articles["assembly-1"][1]),
    "a2": ("zh", "东北亚博览会开幕", load("zh").articles["expo-1"][1]),
    "a3": ("ru", "Форум в Хабаровске", load("ru").articles["khab-1"][1]),
    "a4": ("en", "Ministers meet on the Tumen Initiative", load("en").articles["tumen-1"][1]),
}
NOTICES = {
    f"n{k}": (
        lang,
        f"Notice {k}",
        fill(TEMPLATES[lang][1], {s: k for s in ("n", "org", "city", "date")}),
    )
    for k, lang in ((0, "en"), (1, "en"), (2, "en"), (3, "en"))
} | {
    f"z{k}": (
        "zh",
        f"公告 {k}",
        fill(TEMPLATES["zh"][0], {s: k for s in ("n", "org", "city", "date")}),
    )
    for k in range(3)
}
REPOSTS = {  # repost name: (original, transformed text)
    "r1": ("a1", reflowed(ARTICLES["a1"][2])),
    "r2": ("a2", widen_digits(ARTICLES["a2"][2])),
    "r3": ("a3", excerpt(ARTICLES["a3"][2], "ru")),
    "r4": ("n2", NOTICES["n2"][2]),  # a notice reposted as it is
}


def site(
    server: FixtureServer, prefix: str, page: str, items: dict[str, tuple[str, str, str]]
) -> None:
    links = "".join(f'<li><a href="/{prefix}/{name}.html">{name}</a></li>' for name in items)
    server.route(f"/{prefix}/list.html", Response(body=LISTING.format(items=links).encode()))
    for name, (lang, title, text) in items.items():
        body = page.format(lang=lang, title=html.escape(title), body=paragraphs_html(text))
        server.route(f"/{prefix}/{name}.html", Response(body=body.encode()))


@pytest.fixture
def config_path(tmp_path: Path) -> Iterator[Path]:
    with FixtureServer() as origin, FixtureServer() as repost:
        site(origin, "news", ORIGIN_PAGE, ARTICLES | NOTICES)
        pages = ARTICLES | NOTICES
        reposts = {name: (pages[of][0], pages[of][1], text) for name, (of, text) in REPOSTS.items()}
        site(repost, "wire", REPOST_PAGE, reposts)
        path = tmp_path / "sources.yaml"
        path.write_text(f"""defaults:
  interval: 1h
  per_host_delay: 0s
notifications:
  - type: jsonl
    path: {tmp_path / "events.jsonl"}
sources:
  - name: secretariat
    url: {origin.url("/news/list.html")}
    kind: listing
    follow: ["/news/"]
  - name: asia-wire
    url: {repost.url("/wire/list.html")}
    kind: listing
    follow: ["/wire/"]
""")
        yield path


async def test_reposts_link_to_originals_and_notices_stay_apart(
    config_path: Path, db_url: str
) -> None:
    service = await Service.open(load_config(config_path), db_url)
    try:
        reports = await run_once(service, progress=False)
        assert all(r.ok for r in reports), [r.summary() for r in reports]
        async with service.store.transaction() as session:
            rows = {
                a.url.rsplit("/", 1)[-1].removesuffix(".html"): a
                for a in await session.scalars(select(ArticleRow))
            }
    finally:
        await service.aclose()

    assert set(rows) == set(ARTICLES) | set(NOTICES) | set(REPOSTS)
    by_id: dict[int | None, str | None] = {row.id: name for name, row in rows.items()}
    # The two sites are polled concurrently: whichever of a pair came first is the original.
    for repost, (original, _text) in REPOSTS.items():
        pair = {by_id.get(rows[repost].duplicate_of), by_id.get(rows[original].duplicate_of)}
        assert pair in ({original, None}, {repost, None}), (repost, pair)
    linked = {name for name, row in rows.items() if row.duplicate_of is not None}
    assert len(linked) == len(REPOSTS)
    for name in set(NOTICES) | set(ARTICLES):
        if name not in {of for of, _ in REPOSTS.values()}:
            assert rows[name].duplicate_of is None, name
