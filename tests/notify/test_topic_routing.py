"""A channel's ``topics`` narrow article events to articles matching one of them; source
events are about no article and pass as before (their ``events``, ``sources`` and
``tags`` decide)."""

from __future__ import annotations

from scraper.config.types import Channel, Topic
from scraper.notify.routing import ARTICLE_EVENTS, SourceRouter, channels_for
from scraper.topics import document

CHANNELS = (
    Channel(name="all", type="jsonl"),
    Channel(name="tumen-desk", type="jsonl", topics=("tumen",)),
    Channel(name="two", type="jsonl", topics=("tumen", "expo")),
    Channel(name="tumen-news", type="jsonl", topics=("tumen",), tags=("news",)),
    Channel(name="quiet", type="jsonl", topics=("tumen",), events=("article.new",)),
)


def test_article_events_reach_topic_channels_only_when_a_topic_matches() -> None:
    for event in sorted(ARTICLE_EVENTS):
        assert channels_for(CHANNELS, event, "s", ("news",), ["expo"]) == ["all", "two"]
        assert channels_for(CHANNELS, event, "s", (), []) == ["all"]
    matched = channels_for(CHANNELS, "article.updated", "s", ("news",), ["tumen"])
    assert matched == ["all", "tumen-desk", "two", "tumen-news"]
    assert channels_for(CHANNELS, "article.new", "s", (), ["tumen"]) == [
        "all", "tumen-desk", "two", "quiet",
    ]  # fmt: skip


def test_source_events_are_not_narrowed_by_topics() -> None:
    for event in ("source.failing", "source.recovered"):
        assert channels_for(CHANNELS, event, "s", ()) == ["all", "tumen-desk", "two"]
        assert channels_for(CHANNELS, event, "s", ("news",)) == [
            "all", "tumen-desk", "two", "tumen-news",
        ]  # fmt: skip


def test_source_router_matches_topics_and_routes_with_them() -> None:
    topics = (Topic("tumen", ("Tumen", "图们江")), Topic("expo", ("博览会",)))
    router = SourceRouter(CHANNELS, "s", ("news",), topics)
    found = router.topics_of(document("中国图们江", "东北亚博览会"))
    assert found == ["tumen", "expo"]
    assert router("article.new", found) == ["all", "tumen-desk", "two", "tumen-news", "quiet"]
    assert router("article.new") == ["all"]
