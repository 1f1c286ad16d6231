from __future__ import annotations

from scraper.config.types import Channel as ChannelConfig
from scraper.notify.routing import channel_accepts, channels_for


def channel(**kwargs: object) -> ChannelConfig:
    return ChannelConfig(name=str(kwargs.pop("name", "c")), type="jsonl", path="x", **kwargs)  # type: ignore[arg-type]


def test_defaults_accept_everything() -> None:
    for event_type in ("article.new", "source.failing", "page.changed"):
        assert channel_accepts(channel(), event_type, "near-news", ())
    assert channel_accepts(channel(), "article.new", None, ())


def test_event_type_filter() -> None:
    c = channel(events=("article.new", "article.updated"))
    assert channel_accepts(c, "article.new", "a", ())
    assert not channel_accepts(c, "article.duplicate", "a", ())
    assert not channel_accepts(c, "source.failing", "a", ())


def test_source_filter() -> None:
    c = channel(sources=("near-news", "gtai"))
    assert channel_accepts(c, "article.new", "gtai", ())
    assert not channel_accepts(c, "article.new", "other", ("secretariat",))
    assert not channel_accepts(c, "article.new", None, ())


def test_tag_filter() -> None:
    c = channel(tags=("secretariat",))
    assert channel_accepts(c, "article.new", "x", ("expo", "secretariat"))
    assert not channel_accepts(c, "article.new", "x", ("expo",))
    assert not channel_accepts(c, "article.new", "x", ())


def test_sources_and_tags_combine_as_either() -> None:
    c = channel(sources=("near-news",), tags=("expo",))
    assert channel_accepts(c, "article.new", "near-news", ())
    assert channel_accepts(c, "article.new", "other", ("expo",))
    assert not channel_accepts(c, "article.new", "other", ("forum",))


def test_type_filter_applies_before_source_filter() -> None:
    c = channel(events=("source.failing",), sources=("near-news",))
    assert not channel_accepts(c, "article.new", "near-news", ())
    assert channel_accepts(c, "source.failing", "near-news", ())


def test_channels_for_keeps_config_order() -> None:
    channels = [
        channel(name="all"),
        channel(name="news-only", events=("article.new",)),
        channel(name="expo", tags=("expo",)),
    ]
    tags = {"near-news": ("secretariat",), "expo-site": ("expo",)}
    assert channels_for(channels, "article.new", "near-news", tags) == ["all", "news-only"]
    assert channels_for(channels, "article.new", "expo-site", tags) == ["all", "news-only", "expo"]
    assert channels_for(channels, "page.changed", "expo-site", ("expo",)) == ["all", "expo"]
