"""The dispatcher against the real store, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from scraper.config.types import Channel as ChannelConfig
from scraper.notify.dispatcher import Dispatcher, DispatchReport
from scraper.notify.routing import channels_for
from storage.events import add_event
from storage.models import DeliveryRow
from storage.repository import Store
from storage.sources_repo import SourceSpec
from tests.notify.fakes import FakeClock
from tests.notify.receivers import WebhookReceiver
from tests.support.httpserver import FixtureServer, Response


async def new_event(
    store: Store, channels: list[ChannelConfig], when: datetime, event_type: str = "source.failing"
) -> str:
    ids = await store.sync_sources(
        [SourceSpec(name="near-news", url="https://example.org/", kind="listing", tags=("a",))]
    )
    async with store.transaction() as session:
        return await add_event(
            session,
            event_type=event_type,
            occurred_at=when,
            source_id=ids["near-news"],
            source_name="near-news",
            router=lambda t: channels_for(channels, t, "near-news", ("a",)),
            extra={"error": "HTTP 503", "consecutive_failures": 3, "reason": "down"},
        )


async def delivery(store: Store, event_id: str, channel: str) -> DeliveryRow:
    async with store.transaction() as session:
        row = await session.scalar(
            select(DeliveryRow).where(
                DeliveryRow.event_id == event_id, DeliveryRow.channel == channel
            )
        )
        assert row is not None
        return row


def make(
    store: Store,
    channels: list[ChannelConfig],
    clock: FakeClock,
    client: httpx.AsyncClient,
    owner: str = "w1",
) -> Dispatcher:
    return Dispatcher(
        store,
        channels,
        owner=owner,
        http_client=client,
        clock=clock,
        backoff_base=5,
        backoff_max=40,
        rng=random.Random(3),
    )


async def test_fails_three_times_then_delivered(
    store: Store, server: FixtureServer, http_client: httpx.AsyncClient
) -> None:
    receiver = WebhookReceiver(failures=3)
    server.route("/hook", receiver)
    hook = ChannelConfig(name="hook", type="webhook", url=server.url("/hook"))
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    event_id = await new_event(store, [hook], clock())
    d = make(store, [hook], clock, http_client)

    outcomes = []
    for _ in range(4):
        outcomes.append(await d.deliver_pending())
        clock.advance(60)

    row = await delivery(store, event_id, "hook")
    assert (row.status, row.attempts, row.last_error) == ("delivered", 4, None)
    assert row.delivered_at is not None
    assert [o.delivered for o in outcomes] == [0, 0, 0, 1]
    assert [e["id"] for e in receiver.accepted] == [event_id]
    assert receiver.accepted[0]["source"] == "near-news"


async def test_never_succeeds_ends_dead_and_can_be_retried(
    store: Store, server: FixtureServer, http_client: httpx.AsyncClient
) -> None:
    receiver = WebhookReceiver(failures=-1)
    server.route("/hook", receiver)
    hook = ChannelConfig(name="hook", type="webhook", url=server.url("/hook"), max_attempts=3)
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    event_id = await new_event(store, [hook], clock())
    d = make(store, [hook], clock, http_client)

    reports = []
    for _ in range(5):
        reports.append(await d.deliver_pending())
        clock.advance(60)

    row = await delivery(store, event_id, "hook")
    assert (row.status, row.attempts) == ("dead", 3)
    assert row.last_error is not None
    assert "answered 503" in row.last_error
    assert sum(r.dead for r in reports) == 1
    assert receiver.calls == 3
    assert await store.delivery_counts() == {("hook", "dead"): 1}

    receiver.failures = 0
    assert await d.retry_dead() == 1
    assert (await d.deliver_pending()).delivered == 1
    assert (await delivery(store, event_id, "hook")).status == "delivered"


async def test_restart_takes_over_a_crashed_worker_s_lease(
    store: Store, server: FixtureServer, http_client: httpx.AsyncClient
) -> None:
    receiver = WebhookReceiver()
    server.route("/hook", receiver)
    hook = ChannelConfig(name="hook", type="webhook", url=server.url("/hook"))
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    event_id = await new_event(store, [hook], clock())
    claimed = await store.claim_deliveries(owner="crashed", now=clock(), limit=10)
    assert [c.event_id for c in claimed] == [event_id]

    d = make(store, [hook], clock, http_client, owner="w2")
    assert await d.deliver_pending() == DispatchReport()
    clock.advance(61)
    assert await d.deliver_pending() == DispatchReport(delivered=1)
    assert [e["id"] for e in receiver.accepted] == [event_id]


async def test_routing_and_unconfigured_channel(
    store: Store, server: FixtureServer, http_client: httpx.AsyncClient
) -> None:
    server.route("/hook", WebhookReceiver())
    hook = ChannelConfig(name="hook", type="webhook", url=server.url("/hook"))
    other = ChannelConfig(name="other", type="webhook", url=server.url("/hook"), tags=("zzz",))
    old = ChannelConfig(name="old", type="jsonl", path="unused.jsonl")
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    event_id = await new_event(store, [hook, other, old], clock())

    d = make(store, [hook], clock, http_client)  # "old" was removed from the config since
    assert await d.deliver_pending() == DispatchReport(delivered=1, dead=1)
    assert (await delivery(store, event_id, "old")).last_error == (
        "channel 'old' is no longer configured"
    )
    clock.advance(timedelta(days=1).total_seconds())
    assert await store.delivery_counts() == {("hook", "delivered"): 1, ("old", "dead"): 1}


async def test_digest_waits_for_the_period_then_sends_one_message(
    store: Store, server: FixtureServer, http_client: httpx.AsyncClient
) -> None:
    server.route("/apprise", Response(body=b"ok", content_type="text/plain"))
    url = f"json://{server.host}:{server.port}/apprise"
    chat = ChannelConfig(name="chat", type="apprise", url=url, digest=600)
    clock = FakeClock(datetime(2026, 5, 1, 9, 0, 30, tzinfo=UTC))
    ids = [await new_event(store, [chat], clock(), event_type="article.new") for _ in range(3)]
    d = make(store, [chat], clock, http_client)

    assert await d.deliver_pending() == DispatchReport(postponed=3)
    clock.advance(120)
    assert (await d.deliver_pending()).delivered == 0
    assert server.bodies == []

    clock.now = datetime(2026, 5, 1, 9, 10, 0, tzinfo=UTC) + timedelta(seconds=61)
    assert await d.deliver_pending() == DispatchReport(delivered=3)
    [message] = [json.loads(body) for body in server.bodies]
    assert message["title"] == "nea-monitor: 3 new items"
    assert [(await delivery(store, i, "chat")).status for i in ids] == ["delivered"] * 3
