"""Notifications: the outbox dispatcher and its channels (webhook, Apprise, PostgreSQL
NOTIFY, JSONL). See ``docs/reference/channels.md`` and ``docs/explanation/delivery.md``."""

from scraper.notify.dispatcher import Dispatcher, DispatchReport
from scraper.notify.factory import build_channel
from scraper.notify.routing import channel_accepts, channels_for
from scraper.notify.types import Channel, DigestChannel, OutboxEvent
from scraper.notify.webhook import sign, verify
from storage.protocols import OutboxStore

__all__ = [
    "Channel",
    "DigestChannel",
    "DispatchReport",
    "Dispatcher",
    "OutboxEvent",
    "OutboxStore",
    "build_channel",
    "channel_accepts",
    "channels_for",
    "sign",
    "verify",
]
