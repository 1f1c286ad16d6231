"""Build the channel objects from the validated configuration."""

from __future__ import annotations

import os
from collections.abc import Mapping

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from scraper.config.types import Channel as ChannelConfig
from scraper.errors import NotifyError
from scraper.notify.apprise_channel import AppriseChannel
from scraper.notify.jsonl import JsonlChannel
from scraper.notify.pg_notify import PgNotifyChannel
from scraper.notify.types import Channel
from scraper.notify.webhook import WebhookChannel


def build_channel(
    config: ChannelConfig,
    *,
    http_client: httpx.AsyncClient,
    engine: AsyncEngine | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Channel:
    """The channel for ``config``; ``NotifyError`` when it cannot work as configured
    (missing URL or path, invalid Apprise URL, unset secret, postgres without PostgreSQL).
    """
    name = config.name
    if config.type == "webhook":
        return WebhookChannel.from_env(
            name,
            _required(config.url, "url", name),
            client=http_client,
            secret_env=config.secret_env,
            timeout=config.timeout,
            environ=environ,
        )
    if config.type == "apprise":
        return AppriseChannel(
            name,
            _required(config.url, "url", name),
            template=config.template,
            digest_seconds=config.digest,
            timeout=config.timeout,
        )
    if config.type == "jsonl":
        return JsonlChannel(name, _required(config.path, "path", name))
    if config.type == "postgres":
        return PgNotifyChannel(name, engine)
    raise NotifyError(f"unknown channel type {config.type!r}", channel=name)


def _required(value: str | None, key: str, name: str) -> str:
    if not value:
        raise NotifyError(f"channel needs {key!r}", channel=name)
    return value
