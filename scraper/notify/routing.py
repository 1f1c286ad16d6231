"""Which channels want which events. Routing is decided once, when an event is written to
the outbox (one ``deliveries`` row per accepting channel); the dispatcher then delivers
what was routed, even if the filters change later."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scraper.config.types import Channel as ChannelConfig


def channel_accepts(
    channel: ChannelConfig,
    event_type: str,
    source_name: str | None,
    source_tags: Sequence[str],
) -> bool:
    """True when ``channel`` wants an event of ``event_type`` from ``source_name``.

    ``events`` lists the wanted types. ``sources`` and ``tags`` narrow by source: an empty
    list means every source; when both are set, a source matching either passes. Events
    without a source (none today) pass only channels without a source filter.
    """
    if event_type not in channel.events:
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
) -> list[str]:
    """Names of the channels that accept the event, in configuration order.

    ``source_tags`` is either the source's tags or a mapping from source name to tags.
    """
    if isinstance(source_tags, Mapping):
        tags: Sequence[str] = source_tags.get(source_name or "", ())
    else:
        tags = source_tags
    return [c.name for c in channels if channel_accepts(c, event_type, source_name, tags)]
