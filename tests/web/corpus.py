"""A small stored corpus for the read side's tests, written through the store's own write
path: five languages, a changed article, a duplicate, hostile markup, a failing source and
an undeliverable notification."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from scraper.config.types import Config, Topic
from storage.repository import ArticleInput, CheckPlan, RunOutcome, SourceSpec, Store

PLAN = CheckPlan(next_check_at=datetime(2030, 1, 1, tzinfo=UTC))
T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
# Each payload, if it ever ran in a browser, would mark the page (test_browser.py looks).
PWN = "document.documentElement.setAttribute('data-pwned', '{}')"
HOSTILE_TITLE = f'<script>{PWN.format("title")}</script><img src=x onerror="{PWN.format("img")}">'
HOSTILE_TEXT = (
    f'Click <a href="javascript:{PWN.format("link")}">here</a> <svg onload="{PWN.format("svg")}">'
    f'\n\n<iframe src="data:text/html,<script>{PWN.format("frame")}</script>"></iframe> end.'
)
HOSTILE_AUTHOR = f'"><script>{PWN.format("author")}</script>'
TOPICS = (Topic("tumen", ("Tumen", "图们江", "두만강", "豆満江", "Туманная")),
          Topic("expo", ("Expo", "博览会", "博覧会")))  # fmt: skip
CONFIG = Config(topics=TOPICS)


def item(url: str, title: str, text: str, **extra: object) -> ArticleInput:
    return ArticleInput(
        url=url, title=title, text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(), **extra,  # type: ignore[arg-type]
    )  # fmt: skip


class Clock:
    """The store's clock, stepped by hand: ties (several articles seen at the same
    instant) are made on purpose."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Corpus:
    ids: dict[str, int] = field(default_factory=dict)


ARTICLES = [
    ("near-news", "en", "https://near.example.org/news/1", "Tumen River forum opens in Hunchun",
     "Delegates from five countries met in Hunchun.\n\nThe Tumen River area plan was discussed."),
    ("cpaffc", "zh", "https://cpaffc.example.org/detail/id/2/lang/1.html", "图们江区域合作论坛开幕",
     "来自五个国家的代表在珲春举行会议。\n\n会议讨论了图们江区域合作规划。"),
    ("gangwon", "ko", "https://gangwon.example.org/view?no=3", "두만강 협력 회의 개최",
     "다섯 나라 대표가 훈춘에서 만났다.\n\n두만강 지역 협력 계획을 논의했다."),
    ("niigata", "ja", "https://niigata.example.org/news/4.html", "北東アジア経済博覧会が開幕",
     "豆満江地域の協力について議論した。\n\n新潟から代表団が参加した。"),
    ("primorsky", "ru", "https://primorsky.example.org/news/5", "Туманная: сотрудничество регионов",
     "Делегации пяти стран встретились в Хуньчуне.\n\nОбсуждался план развития."),
]  # fmt: skip
SOURCES = {"near-news": ("secretariat",), "cpaffc": ("friendship",), "gangwon": ("province",),
           "niigata": ("province",), "primorsky": ("province",), "broken-site": ()}  # fmt: skip


def route_all(event_type: str) -> tuple[str, ...]:
    return ("webhook-0",)


async def fill(store: Store, clock: Clock) -> Corpus:
    """The corpus, in order of first sight (oldest first)."""
    corpus = Corpus()
    ids = await store.sync_sources([
        SourceSpec(name=name, url=f"https://{name}.example.org/", kind="auto", tags=tags)
        for name, tags in SOURCES.items()
    ])  # fmt: skip

    async def save(source: str, article: ArticleInput) -> int:
        result = await store.save_article(
            source_id=ids[source], source_name=source, item=article, plan=PLAN, router=route_all
        )
        return result.article_id

    for n, (source, language, url, title, text) in enumerate(ARTICLES):
        clock.now = T0 + timedelta(hours=n)
        corpus.ids[language] = await save(source, item(
            url, title, text, language=language, author="Press office" if n == 0 else None,
            published_at=T0 - timedelta(days=1, hours=n) if n % 2 == 0 else None,
            published_date=date(2026, 11, 28) if n % 2 else None,
        ))  # fmt: skip
    # A second version of the English article.
    clock.now = T0 + timedelta(hours=6)
    source, language, url, title, text = ARTICLES[0]
    changed = text.replace("discussed", "approved") + "\n\nA new paragraph."
    await save(
        source,
        item(
            url,
            title + " (updated)",
            changed,
            language="en",
            author="Press office",
            published_at=T0 - timedelta(days=1),
        ),
    )
    # An exact copy on another site: a duplicate.
    clock.now = T0 + timedelta(hours=7)
    corpus.ids["copy"] = await save("primorsky", item(
        "https://primorsky.example.org/zh/copy", "图们江论坛（转载）", ARTICLES[1][4],
        language="zh"))  # fmt: skip
    # Hostile markup in every field a page controls.
    clock.now = T0 + timedelta(hours=8)
    corpus.ids["hostile"] = await save("near-news", item(
        "https://near.example.org/news/evil", HOSTILE_TITLE, HOSTILE_TEXT + "\x0b\x1f\ufffe",
        language="en", author=HOSTILE_AUTHOR,
        canonical_url=f"javascript:{PWN.format('canonical')}"))  # fmt: skip
    # A failing source and an undeliverable notification.
    for _ in range(3):
        await store.record_run(ids["broken-site"], RunOutcome(ok=False, error="HTTP 503 <b>x</b>"),
                               failing_after=2, router=route_all)  # fmt: skip
    claimed = await store.claim_deliveries(owner="t", now=clock.now, limit=1)
    await store.delivery_failed(claimed[0].id, owner="t", error="HTTP 410 Gone", now=clock.now,
                                next_attempt_at=None)  # fmt: skip
    return corpus
