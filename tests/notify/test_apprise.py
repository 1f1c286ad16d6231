"""Apprise against a local JSON receiver (``json://127.0.0.1:PORT/path``): nothing leaves
the machine."""

from __future__ import annotations

import json
import random

import httpx
import pytest

from scraper.config.types import Channel as ChannelConfig
from scraper.errors import NotifyError
from scraper.notify.apprise_channel import AppriseChannel
from scraper.notify.dispatcher import Dispatcher, DispatchReport
from scraper.notify.types import OutboxEvent
from tests.notify.fakes import FakeClock, FakeOutbox, article
from tests.support.httpserver import FixtureServer, Response


def event(n: int = 1) -> OutboxEvent:
    payload = {
        "id": f"e{n}",
        "type": "article.new",
        "occurred_at": "2026-05-01T09:00:00Z",
        "source": "near-news",
        "article": article(n, title=f"Новости {n}"),
    }
    return OutboxEvent(id=f"e{n}", type="article.new", payload=payload, source="near-news")


def apprise_url(server: FixtureServer, path: str = "/apprise") -> str:
    return f"json://{server.host}:{server.port}{path}"


async def test_sends_title_and_body_from_template(server: FixtureServer) -> None:
    server.route("/apprise", Response(body=b"ok", content_type="text/plain"))
    channel = AppriseChannel(
        "chat", apprise_url(server), template="[{source}] {title}\n{url}\n{excerpt}"
    )
    await channel.send(event())

    [body] = [json.loads(b) for b in server.bodies]
    assert body["title"] == "[near-news] Новости 1"
    assert body["message"] == "https://example.org/news/1.html\nExcerpt of article 1."


async def test_receiver_error_is_a_notify_error(server: FixtureServer) -> None:
    server.route("/apprise", Response(body=b"down", status=500, content_type="text/plain"))
    channel = AppriseChannel("chat", apprise_url(server))
    with pytest.raises(NotifyError, match="apprise could not deliver") as caught:
        await channel.send(event())
    assert caught.value.channel == "chat"


def test_invalid_url_is_refused() -> None:
    with pytest.raises(NotifyError, match="not a valid Apprise URL"):
        AppriseChannel("chat", "nosuchscheme://token@host")


async def test_digest_through_the_dispatcher_is_one_message(
    server: FixtureServer, http_client: httpx.AsyncClient
) -> None:
    server.route("/apprise", Response(body=b"ok", content_type="text/plain"))
    clock, outbox = FakeClock(), FakeOutbox()
    config = ChannelConfig(name="chat", type="apprise", url=apprise_url(server), digest=600)
    d = Dispatcher(
        outbox, [config], owner="w", http_client=http_client, clock=clock, rng=random.Random(1)
    )
    for n in range(1, 6):
        outbox.add_event("article.new", ["chat"], occurred_at=clock(), article=article(n))
        clock.advance(60)

    assert await d.deliver_pending() == DispatchReport(postponed=5)
    assert server.bodies == []
    clock.advance(600)
    assert await d.deliver_pending() == DispatchReport(delivered=5)

    [message] = [json.loads(b) for b in server.bodies]
    assert message["title"] == "nea-monitor: 5 new items"
    assert [line for line in message["message"].splitlines() if line.startswith("- ")] == [
        f"- Article {n}" for n in range(1, 6)
    ]
