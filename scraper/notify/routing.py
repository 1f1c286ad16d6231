"""Which channels want which events. Routing is decided once, when an event is written to
the outbox (one ``deliveries`` row per accepting channel); the dispatcher then delivers
what was routed, even if the filters change later."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scraper.config.types import Channel as ChannelConfig
from scraper.config.types import Topic
from scraper.topics import TopicMatcher

# Events about an article: the ones a channel's ``topics`` filter narrows.
ARTICLE_EVENTS = frozenset({"article.new", "article.updated", "article.duplicate", "page.changed"})


def channel_accepts(
    channel: ChannelConfig,
    event_type: str,
    source_name: str | None,
    source_tags: Sequence[str],
    topics: Sequence[str] = (),
) -> bool:
    """True when ``channel`` wants an event of ``event_type`` from ``source_name`` about
    an article matching ``topics``.

    ``events`` lists the wanted types. ``sources`` and ``tags`` narrow by source: an empty
    list means every source; when both are set, a source matching either passes. Events
    without a source (none today) pass only channels without a source filter. A channel's
    ``topics`` narrow article events to articles matching one of them; source events
    (``source.failing``, ``source.recovered``) are about no article and are not narrowed.
    """
    if event_type not in channel.events:
        return False
    narrowed = bool(channel.topics) and event_type in ARTICLE_EVENTS
    if narrowed and not set(channel.topics).intersection(topics):
        return False
    if not channel.sources and not channel.tags:
        return True
    if source_name is not None and source_name in channel.sources:
        return True
    return bool(set(channel.tags).intersection(source_tags))


def channels_for(
    channels: Sequence[ChannelConfig],
    event_type: str,
    source_name: str | None,
    source_tags: Mapping[str, Sequence[str]] | Sequence[str] = (),
    topics: Sequence[str] = (),
) -> list[str]:
    """Names of the channels that accept the event, in configuration order.

    ``source_tags`` is either the source's tags or a mapping from source name to tags;
    ``topics``, those of the article the event is about.
    """
    if isinstance(source_tags, Mapping):
        tags: Sequence[str] = source_tags.get(source_name or "", ())
    else:
        tags = source_tags
    return [c.name for c in channels if channel_accepts(c, event_type, source_name, tags, topics)]


class SourceRouter:
    """The router of one source's events (``storage.events.TopicRouter``): which channels
    want an event, and which topics an article matches (for its payload and for the
    channels' ``topics`` filters)."""

    def __init__(
        self,
        channels: Sequence[ChannelConfig],
        source_name: str,
        source_tags: Sequence[str],
        topics: Sequence[Topic] | TopicMatcher = (),
    ) -> None:
        self.channels = channels
        self.source_name = source_name
        self.source_tags = source_tags
        self.matcher = topics if isinstance(topics, TopicMatcher) else TopicMatcher(topics)

    def __call__(self, event_type: str, topics: Sequence[str] = ()) -> list[str]:
        return channels_for(self.channels, event_type, self.source_name, self.source_tags, topics)

    def topics_of(self, normalized: str) -> list[str]:
        return self.matcher.match_document(normalized)
