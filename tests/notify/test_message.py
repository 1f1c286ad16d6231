from __future__ import annotations

from scraper.notify.message import render, render_digest
from scraper.notify.types import OutboxEvent
from tests.notify.fakes import article


def new_event(n: int = 1, source: str = "near-news", **fields: object) -> OutboxEvent:
    payload = {
        "id": f"e{n}",
        "type": "article.new",
        "occurred_at": "2026-05-01T09:00:00Z",
        "source": source,
        "article": article(n, **fields),
    }
    return OutboxEvent(id=f"e{n}", type="article.new", payload=payload, source=source)


def test_default_template_has_title_source_link_excerpt() -> None:
    message = render(None, new_event(title="第十届东北亚博览会开幕"))
    assert message.title == "第十届东北亚博览会开幕"
    assert "[near-news] https://example.org/news/1.html" in message.body
    assert "Excerpt of article 1." in message.body


def test_custom_template_fields() -> None:
    template = "{type}: {title}\n{published_at} {source} {url}\n{excerpt}"
    message = render(template, new_event())
    assert message.title == "article.new: Article 1"
    assert message.body.startswith("2026-05-01T08:00:00Z near-news https://example.org/")


def test_unknown_field_is_left_as_written_and_bad_template_falls_back() -> None:
    assert render("{title} {nope}", new_event()).title == "Article 1 {nope}"
    assert render("{title", new_event()).title == "Article 1"  # unbalanced brace


def test_update_uses_the_change_excerpt() -> None:
    event = new_event()
    payload = dict(event.payload, type="article.updated")
    payload["changes"] = {"lines_added": 1, "lines_removed": 0, "excerpt": "A new paragraph."}
    updated = OutboxEvent(id="u", type="article.updated", payload=payload, source="near-news")
    assert "A new paragraph." in render(None, updated).body


def test_source_event_message() -> None:
    payload = {
        "id": "f",
        "type": "source.failing",
        "occurred_at": "2026-05-01T09:00:00Z",
        "source": "near-news",
        "error": "HTTP 503",
        "consecutive_failures": 3,
        "reason": "3 consecutive failures: HTTP 503",
    }
    message = render(None, OutboxEvent("f", "source.failing", payload, "near-news"))
    assert message.title == "Source failing: near-news"
    assert "3 consecutive failures" in message.body


def test_digest_lists_articles_grouped_by_source() -> None:
    events = [new_event(1), new_event(2, source="expo"), new_event(3)]
    [message] = render_digest(events)
    assert message.title == "nea-monitor: 3 new items"
    lines = message.body.splitlines()
    assert lines[0] == "near-news (2)"
    assert "- Article 1" in lines
    assert "- Article 3" in lines
    assert "expo (1)" in lines
    assert "  https://example.org/news/2.html" in lines


def test_long_digest_is_cut_into_several_messages() -> None:
    events = [new_event(n, source="busy" if n % 3 else "quiet") for n in range(120)]
    messages = render_digest(events, max_chars=1000)
    assert len(messages) > 3
    assert all(len(m.body) <= 1000 for m in messages)
    assert messages[0].title == f"nea-monitor: 120 new items (1/{len(messages)})"
    listed = [line for m in messages for line in m.body.splitlines() if line.startswith("- ")]
    grouped = [n for n in range(120) if n % 3 == 0] + [n for n in range(120) if n % 3]
    assert listed == [f"- Article {n}" for n in grouped]
    # Every part starts with the heading of the source it continues.
    assert all(m.body.splitlines()[0] in ("busy (80)", "quiet (40)") for m in messages)
