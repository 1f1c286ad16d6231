"""The store's lookup reads a bounded number of holders per index key, and a copy of a
template notice still links to its own original when hundreds of newer notices cut from
the same template share most of its keys (real SQLite file and PostgreSQL)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from itertools import product
from typing import Any

import pytest

from scraper.dedup import KEY_BANDS
from storage import article_writes
from storage.article_writes import _Batch
from storage.repository import ArticleWrite, CheckPlan, SourceSpec, Store
from tests.dedup.pairs.generate import reflow, with_chrome
from tests.dedup.pairs.notices import TEMPLATES, fill
from tests.support.texts import article

PLAN = CheckPlan(next_check_at=datetime(2030, 1, 1, tzinfo=UTC))
TEMPLATE = TEMPLATES["en"][1]  # the paragraph-long consultation notice
CHROME = ("City Hall News | Notices | Search", "Share | Print | Back to notices")


def route(_event_type: str) -> tuple[str, ...]:
    return ("log",)


def writes(sid: int, texts: dict[str, str]) -> list[ArticleWrite]:
    return [ArticleWrite(sid, "city", article(url, t), PLAN, route) for url, t in texts.items()]


async def test_a_copy_of_an_old_notice_links_to_it_past_newer_ones(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = (await store.sync_sources([SourceSpec(name="city", url="https://c.org/", kind="auto")]))[
        "city"
    ]
    fillings = [
        fill(TEMPLATE, dict(zip(TEMPLATE.slots, choice, strict=True)))
        for choice in product(*(range(len(v)) for v in TEMPLATE.slots.values()))
    ]
    assert len(fillings) > 4 * article_writes._KEY_HOLDERS  # the frame's keys are common
    # The oldest notice first, then every other filling of the same template.
    notices = {f"https://c.org/n/{i}": text for i, text in enumerate(fillings)}
    ids: dict[str, int] = {}
    urls = list(notices)
    for start in range(0, len(urls), 64):
        chunk = {url: notices[url] for url in urls[start : start + 64]}
        results = await store.save_articles(writes(sid, chunk), near_duplicates=True)
        assert [r.outcome for r in results] == ["new"] * len(chunk)  # all distinct
        ids.update(zip(chunk, (r.article_id for r in results), strict=True))

    read: list[int] = []
    lookup = _Batch._shared_keys

    async def counted(self: Any, values: list[int]) -> Any:
        found = await lookup(self, values)
        read.append(sum(row.shared for row in found))
        return found

    monkeypatch.setattr(_Batch, "_shared_keys", counted)
    copy = with_chrome(reflow(fillings[0], random.Random(3)), CHROME)
    new_notice = fillings[0].replace("2025-14", "2025-77")  # same frame, another number
    results = await store.save_articles(
        writes(sid, {"https://portal.org/1": copy, "https://c.org/n/new": new_notice}),
        near_duplicates=True,
    )
    assert [(r.outcome, r.duplicate_of) for r in results] == [
        ("duplicate", ids["https://c.org/n/0"]),
        ("new", None),
    ]
    # At most the bound per key of the two texts, though the frame's keys have 256 holders.
    assert len(read) == 1
    assert read[0] <= 2 * KEY_BANDS * article_writes._KEY_HOLDERS

    # Without the bound the copy alone reads more than that: the bound is what holds it.
    monkeypatch.setattr(article_writes, "_KEY_HOLDERS", 10**6)
    read.clear()
    await store.save_articles(writes(sid, {"https://portal.org/2": copy}), near_duplicates=True)
    assert read[0] > 2 * KEY_BANDS * 32
