"""The dispatcher against the in-memory outbox: retries, backoff, dead rows, isolation
between channels, crash recovery, digests."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import httpx
import pytest

from scraper.config.types import Channel as ChannelConfig
from scraper.notify.dispatcher import Dispatcher, DispatchReport
from scraper.notify.types import OutboxEvent
from tests.notify.fakes import FakeClock, FakeOutbox, ScriptedChannel, article
from tests.notify.receivers import WebhookReceiver
from tests.support.httpserver import FixtureServer

SECRET = "hook-secret"


def dispatcher(
    outbox: FakeOutbox,
    configs: list[ChannelConfig],
    clock: FakeClock,
    client: httpx.AsyncClient,
    **kwargs: object,
) -> Dispatcher:
    return Dispatcher(
        outbox,
        configs,
        owner="test-worker",
        http_client=client,
        clock=clock,
        backoff_base=10,
        backoff_max=80,
        rng=random.Random(7),
        **kwargs,  # type: ignore[arg-type]
    )


async def run_until_settled(d: Dispatcher, clock: FakeClock, rounds: int = 20) -> DispatchReport:
    """Deliver, then move the clock past the longest backoff, until nothing is pending."""
    total = DispatchReport()
    for _ in range(rounds):
        total += await d.deliver_pending()
        clock.advance(3600)
    return total


async def test_receiver_failing_three_times_then_succeeding_gets_the_event(
    server: FixtureServer, http_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEA_TEST_HOOK_SECRET", SECRET)
    receiver = WebhookReceiver(secret=SECRET, failures=3)
    server.route("/hook", receiver)
    config = ChannelConfig(
        name="hook", type="webhook", url=server.url("/hook"), secret_env="NEA_TEST_HOOK_SECRET"
    )
    clock, outbox = FakeClock(), FakeOutbox()
    event_id = outbox.add_event("article.new", ["hook"], occurred_at=clock(), article=article())
    d = dispatcher(outbox, [config], clock, http_client)

    reports = []
    for _ in range(4):
        reports.append(await d.deliver_pending())
        row = outbox.row(event_id, "hook")
        if row.status == "pending":
            # Not due before its backoff has passed.
            assert row.next_attempt_at is not None
            assert row.next_attempt_at > clock()
            assert await d.deliver_pending() == DispatchReport()
            clock.now = row.next_attempt_at

    row = outbox.row(event_id, "hook")
    assert (row.status, row.attempts, row.last_error) == ("delivered", 4, None)
    assert [r.retried for r in reports] == [1, 1, 1, 0]
    assert reports[-1].delivered == 1
    assert receiver.calls == 4
    assert receiver.bad_signatures == 0
    assert [e["id"] for e in receiver.accepted] == [event_id]
    assert {h["x-nea-event-id"] for h in receiver.headers} == {event_id}


async def test_receiver_that_never_succeeds_ends_dead(
    server: FixtureServer, http_client: httpx.AsyncClient
) -> None:
    receiver = WebhookReceiver(failures=-1, status=500)
    server.route("/hook", receiver)
    config = ChannelConfig(name="hook", type="webhook", url=server.url("/hook"), max_attempts=5)
    clock, outbox = FakeClock(), FakeOutbox()
    event_id = outbox.add_event("article.new", ["hook"], occurred_at=clock(), article=article())
    d = dispatcher(outbox, [config], clock, http_client)

    total = await run_until_settled(d, clock)

    row = outbox.row(event_id, "hook")
    assert (row.status, row.attempts) == ("dead", 5)
    assert row.last_error is not None
    assert "answered 500" in row.last_error
    assert (total.retried, total.dead, total.delivered) == (4, 1, 0)
    assert receiver.calls == 5

    # Re-triable: `retry_dead` puts it back; a recovered receiver then gets it.
    receiver.failures = 0
    assert await d.retry_dead("hook") == 1
    assert (await d.deliver_pending()).delivered == 1
    assert outbox.row(event_id, "hook").status == "delivered"


def test_backoff_is_exponential_capped_and_jittered(http_client: httpx.AsyncClient) -> None:
    d = Dispatcher(
        FakeOutbox(), [], owner="w", http_client=http_client, backoff_base=30, backoff_max=3600
    )
    for attempt, ceiling in [(1, 30), (2, 60), (3, 120), (5, 480), (8, 3600), (60, 3600)]:
        delays = [d.backoff(attempt) for _ in range(200)]
        assert all(ceiling / 2 <= x <= ceiling for x in delays)
        assert len(set(delays)) > 100  # jittered: workers do not retry in lockstep


async def test_one_failing_channel_does_not_block_another(
    http_client: httpx.AsyncClient,
) -> None:
    clock, outbox = FakeClock(), FakeOutbox()
    good, bad = ScriptedChannel("good"), ScriptedChannel("bad", failures=-1)
    configs = [ChannelConfig(name=n, type="jsonl", path="unused") for n in ("good", "bad")]
    ids = [
        outbox.add_event("article.new", ["bad", "good"], occurred_at=clock(), article=article(n))
        for n in range(5)
    ]
    d = dispatcher(outbox, configs, clock, http_client, built={"good": good, "bad": bad})

    report = await d.deliver_pending()

    assert [e.id for e in good.sent] == ids
    # The failing receiver is tried once; the rest of its batch waits, no attempt counted.
    assert bad.calls == 1
    assert report == DispatchReport(delivered=5, retried=1, postponed=4)
    rows = [outbox.row(i, "bad") for i in ids]
    assert [r.attempts for r in rows] == [1, 0, 0, 0, 0]
    assert all(r.status == "pending" and r.lease_owner is None for r in rows)
    assert len({r.next_attempt_at for r in rows}) == 1


async def test_unconfigured_channel_is_dead_at_once(http_client: httpx.AsyncClient) -> None:
    clock, outbox = FakeClock(), FakeOutbox()
    event_id = outbox.add_event("article.new", ["removed"], occurred_at=clock())
    d = dispatcher(outbox, [], clock, http_client)
    assert await d.deliver_pending() == DispatchReport(dead=1)
    row = outbox.row(event_id, "removed")
    assert row.status == "dead"
    assert row.last_error == "channel 'removed' is no longer configured"


async def test_misconfigured_channel_is_reported_once_and_retried(
    http_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    clock, outbox = FakeClock(), FakeOutbox()
    config = ChannelConfig(name="pg", type="postgres", max_attempts=2)
    event_id = outbox.add_event("article.new", ["pg"], occurred_at=clock())
    d = dispatcher(outbox, [config], clock, http_client)  # no engine: not PostgreSQL
    assert "pg" in d.problems
    assert sum(r.levelname == "ERROR" for r in caplog.records) == 1

    await run_until_settled(d, clock, rounds=3)

    row = outbox.row(event_id, "pg")
    assert (row.status, row.attempts) == ("dead", 2)
    assert row.last_error is not None
    assert "needs a PostgreSQL database" in row.last_error
    assert sum(r.levelname == "ERROR" for r in caplog.records) == 1


async def test_a_crashed_worker_s_claims_are_taken_over(http_client: httpx.AsyncClient) -> None:
    clock, outbox = FakeClock(), FakeOutbox()
    event_id = outbox.add_event("article.new", ["c"], occurred_at=clock())
    # A worker claims the row and dies before recording anything.
    assert len(await outbox.claim_deliveries(owner="dead-worker", now=clock(), limit=10)) == 1
    channel = ScriptedChannel("c")
    config = ChannelConfig(name="c", type="jsonl", path="unused")
    survivor = dispatcher(outbox, [config], clock, http_client, built={"c": channel})

    assert await survivor.deliver_pending() == DispatchReport()  # still leased
    clock.advance(61)
    assert (await survivor.deliver_pending()).delivered == 1
    assert [e.id for e in channel.sent] == [event_id]


async def test_crash_after_send_repeats_the_event_with_the_same_id(
    http_client: httpx.AsyncClient,
) -> None:
    """At-least-once: a send whose record was lost is sent again, with the same id."""
    clock, outbox = FakeClock(), FakeOutbox()
    event_id = outbox.add_event("article.new", ["c"], occurred_at=clock())
    channel = ScriptedChannel("c")
    config = ChannelConfig(name="c", type="jsonl", path="unused")

    first = dispatcher(outbox, [config], clock, http_client, built={"c": channel})
    original = outbox.delivery_succeeded

    async def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("process killed")

    outbox.delivery_succeeded = crash  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await first.deliver_pending()
    outbox.delivery_succeeded = original  # type: ignore[method-assign]

    clock.advance(61)
    second = dispatcher(outbox, [config], clock, http_client, built={"c": channel})
    assert (await second.deliver_pending()).delivered == 1
    assert [e.id for e in channel.sent] == [event_id, event_id]


async def test_digest_sends_one_message_per_period(http_client: httpx.AsyncClient) -> None:
    clock, outbox = FakeClock(), FakeOutbox()  # 09:00:00, a period boundary for 1h
    clock.advance(60)
    channel = ScriptedChannel("chat", digest_seconds=3600)
    config = ChannelConfig(name="chat", type="apprise", url="json://unused", digest=3600)
    d = dispatcher(outbox, [config], clock, http_client, built={"chat": channel})
    ids = []
    for n in range(6):
        ids.append(
            outbox.add_event("article.new", ["chat"], occurred_at=clock(), article=article(n))
        )
        assert (await d.deliver_pending()).postponed >= 1
        clock.advance(300)
    failing = outbox.add_event("source.failing", ["chat"], occurred_at=clock(), error="boom")

    # Source health is not batched; the articles wait for the end of the period.
    report = await d.deliver_pending()
    assert report.delivered == 1
    assert [e.id for e in channel.sent] == [failing]
    assert channel.digests == []
    period_end = clock().replace(minute=0) + timedelta(hours=1)
    assert {outbox.row(i, "chat").next_attempt_at for i in ids} == {period_end}

    clock.now = period_end
    assert (await d.deliver_pending()).delivered == 6
    assert [[e.id for e in digest] for digest in channel.digests] == [ids]
    assert all(outbox.row(i, "chat").status == "delivered" for i in ids)


async def test_a_failed_digest_is_retried_whole(http_client: httpx.AsyncClient) -> None:
    clock, outbox = FakeClock(), FakeOutbox()
    channel = ScriptedChannel("chat", failures=1, digest_seconds=60)
    config = ChannelConfig(name="chat", type="apprise", url="json://unused", digest=60)
    d = dispatcher(outbox, [config], clock, http_client, built={"chat": channel})
    ids = [outbox.add_event("article.new", ["chat"], occurred_at=clock()) for _ in range(3)]
    clock.advance(60)

    assert await d.deliver_pending() == DispatchReport(retried=3)
    assert channel.digests == []
    assert all(outbox.row(i, "chat").status == "pending" for i in ids)
    clock.advance(3600)
    assert await d.deliver_pending() == DispatchReport(delivered=3)
    assert [[e.id for e in digest] for digest in channel.digests] == [ids]


async def test_deliver_all_drains_the_queue(http_client: httpx.AsyncClient) -> None:
    clock, outbox = FakeClock(), FakeOutbox()
    channel = ScriptedChannel("c")
    config = ChannelConfig(name="c", type="jsonl", path="unused")
    for n in range(25):
        outbox.add_event("article.new", ["c"], occurred_at=clock(), article=article(n))
    d = dispatcher(outbox, [config], clock, http_client, built={"c": channel})
    assert (await d.deliver_all(limit=10)).delivered == 25
    assert len(channel.sent) == 25


async def test_a_hanging_channel_is_cut_off_by_the_deadline(
    http_client: httpx.AsyncClient,
) -> None:
    class Hangs(ScriptedChannel):
        async def send(self, event: OutboxEvent) -> None:
            await asyncio.Event().wait()

    clock, outbox = FakeClock(), FakeOutbox()
    event_id = outbox.add_event("article.new", ["h"], occurred_at=clock())
    config = ChannelConfig(name="h", type="jsonl", path="unused", timeout=0.05)
    d = dispatcher(outbox, [config], clock, http_client, built={"h": Hangs("h")})
    assert await d.deliver_pending() == DispatchReport(retried=1)
    assert outbox.row(event_id, "h").last_error == "no answer within 1.1s"


async def test_a_crashing_channel_is_a_failure_not_a_crash(
    http_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    class Crashes(ScriptedChannel):
        async def send(self, event: OutboxEvent) -> None:
            raise KeyError("bug")

    clock, outbox = FakeClock(), FakeOutbox()
    event_id = outbox.add_event("article.new", ["c"], occurred_at=clock())
    config = ChannelConfig(name="c", type="jsonl", path="unused")
    d = dispatcher(outbox, [config], clock, http_client, built={"c": Crashes("c")})
    assert await d.deliver_pending() == DispatchReport(retried=1)
    assert outbox.row(event_id, "c").last_error == "unexpected KeyError: 'bug'"
    assert "crashed" in caplog.text
