"""The outbox dispatcher: delivers every pending (event, channel) row at least once.

One call of :meth:`Dispatcher.deliver_pending` claims due deliveries (a lease in the
database, so several daemons never send the same row at once), sends them through their
channels and records each outcome:

- success: ``delivered``;
- failure: ``pending`` again, due after an exponential backoff with jitter
  (``backoff_base * 2**(attempts-1)``, capped at ``backoff_max``, times 0.5–1.0);
- the channel's ``max_attempts``-th failure: ``dead`` (shown by ``scraper status``; put
  back in the queue by ``Store.retry_dead``);
- a channel no longer in the configuration: ``dead`` at once, saying so.

Channels run concurrently (bounded), each on its own deliveries in order; one channel's
failure or slowness never holds up another. After a failure, the rest of that channel's
batch is released untouched (no attempt counted) until the failed row is due again, so a
dead receiver costs one timeout per round, not one per event. A crash at any point leaves
rows pending or leased; leases expire and the rows are sent again: receivers deduplicate
by the event id (``X-Nea-Event-Id``, the payload's ``id``).

Digest channels (Apprise with ``digest: <seconds>``) batch article events: an event that
occurred in the period ``[k·P, (k+1)·P)`` waits (released, not attempted) until
``(k+1)·P``, and then every due article event of the channel goes out in one message. All
rows of a digest are marked delivered only after that message was sent, so a crash or a
failure repeats the digest, never loses it. Source health events are not batched.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from scraper.config.types import Channel as ChannelConfig
from scraper.errors import NotifyError
from scraper.notify.factory import build_channel
from scraper.notify.types import Channel, DigestChannel, OutboxEvent
from storage.protocols import Delivery, OutboxStore

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

#: Event types a digest batches; the others are sent one by one.
DIGEST_EVENT_TYPES = frozenset(
    {"article.new", "article.updated", "article.duplicate", "page.changed"}
)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DispatchReport:
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    postponed: int = 0

    def __add__(self, other: DispatchReport) -> DispatchReport:
        return DispatchReport(
            self.delivered + other.delivered,
            self.retried + other.retried,
            self.dead + other.dead,
            self.postponed + other.postponed,
        )

    @property
    def claimed(self) -> int:
        return self.delivered + self.retried + self.dead + self.postponed


class Dispatcher:
    def __init__(
        self,
        store: OutboxStore,
        channels: Sequence[ChannelConfig],
        *,
        owner: str,
        http_client: httpx.AsyncClient,
        engine: AsyncEngine | None = None,
        clock: Clock = utcnow,
        backoff_base: float = 30.0,
        backoff_max: float = 3600.0,
        lease_seconds: float = 60.0,
        max_concurrent_channels: int = 8,
        rng: random.Random | None = None,
        built: Mapping[str, Channel] | None = None,
    ) -> None:
        """``built`` replaces the channel objects made from ``channels`` (tests, or a
        channel type defined outside this package)."""
        self._store = store
        self._owner = owner
        self._clock = clock
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._lease_seconds = lease_seconds
        self._limit = asyncio.Semaphore(max_concurrent_channels)
        self._rng = rng or random.Random()
        self._configs = {c.name: c for c in channels}
        self._channels: dict[str, Channel] = {}
        self._broken: dict[str, str] = {}
        for config in channels:
            if built is not None and config.name in built:
                self._channels[config.name] = built[config.name]
                continue
            try:
                self._channels[config.name] = build_channel(
                    config, http_client=http_client, engine=engine
                )
            except NotifyError as exc:
                # Reported once here; each delivery records it as its failure.
                self._broken[config.name] = f"channel {config.name!r} is misconfigured: {exc}"
                log.error("%s", self._broken[config.name])

    @property
    def problems(self) -> dict[str, str]:
        """Channels that could not be built, with the reason (for ``scraper status``)."""
        return dict(self._broken)

    async def deliver_pending(self, limit: int = 200) -> DispatchReport:
        """Claim up to ``limit`` due deliveries and try each once."""
        claimed = await self._store.claim_deliveries(
            owner=self._owner, now=self._clock(), limit=limit, lease_seconds=self._lease_seconds
        )
        by_channel: dict[str, list[Delivery]] = {}
        for delivery in claimed:
            by_channel.setdefault(delivery.channel, []).append(delivery)
        results = await asyncio.gather(
            *(self._bounded(name, rows) for name, rows in by_channel.items()),
            return_exceptions=True,
        )
        report = DispatchReport()
        for result in results:
            if isinstance(result, BaseException):
                raise result  # a store failure: unrecorded rows stay leased, then retried
            report += result
        return report

    async def deliver_all(self, *, limit: int = 200, max_rounds: int = 100) -> DispatchReport:
        """Deliver until nothing due is left (``scraper run --once``)."""
        report = DispatchReport()
        for _ in range(max_rounds):
            batch = await self.deliver_pending(limit)
            report += batch
            if batch.claimed == 0 or batch.claimed == batch.postponed:
                break
        return report

    async def retry_dead(self, channel: str | None = None) -> int:
        """Put dead deliveries (of one channel, or all) back in the queue."""
        return await self._store.retry_dead(channel=channel, now=self._clock())

    # One channel's batch ------------------------------------------------------------

    async def _bounded(self, name: str, rows: list[Delivery]) -> DispatchReport:
        async with self._limit:
            return await self._deliver_channel(name, rows)

    async def _deliver_channel(self, name: str, rows: list[Delivery]) -> DispatchReport:
        config = self._configs.get(name)
        if config is None:
            for row in rows:
                await self._fail(row, f"channel {name!r} is no longer configured")
            return DispatchReport(dead=len(rows))
        if name in self._broken:
            report = DispatchReport()
            for row in rows:
                outcome, _ = await self._fail(row, self._broken[name], config=config)
                report += outcome
            return report
        channel = self._channels[name]
        if isinstance(channel, DigestChannel) and channel.digest_seconds > 0:
            batched = [r for r in rows if r.event_type in DIGEST_EVENT_TYPES]
            single = [r for r in rows if r.event_type not in DIGEST_EVENT_TYPES]
            report = await self._send_digest(channel, config, batched)
            return report + await self._send_each(channel, config, single)
        return await self._send_each(channel, config, rows)

    async def _send_each(
        self, channel: Channel, config: ChannelConfig, rows: list[Delivery]
    ) -> DispatchReport:
        report = DispatchReport()
        started = time.monotonic()
        for index, row in enumerate(rows):
            rest = rows[index:]
            if time.monotonic() - started > self._lease_seconds / 2:
                # Do not outlive the lease: another worker would send these again.
                await self._postpone(rest, self._clock())
                return report + DispatchReport(postponed=len(rest))
            event = _event(row)
            error = await self._attempt(channel, config, channel.send(event), f"event {event.id}")
            if error is None:
                await self._store.delivery_succeeded(row.id, owner=self._owner, now=self._clock())
                report += DispatchReport(delivered=1)
                continue
            outcome, due = await self._fail(row, error, config=config)
            report += outcome
            if len(rest) > 1:
                # The receiver is failing: leave the others for the next round.
                await self._postpone(rest[1:], due or self._clock())
                return report + DispatchReport(postponed=len(rest) - 1)
        return report

    async def _send_digest(
        self, channel: DigestChannel, config: ChannelConfig, rows: list[Delivery]
    ) -> DispatchReport:
        if not rows:
            return DispatchReport()
        now = self._clock()
        ready: list[Delivery] = []
        waiting: dict[datetime, list[Delivery]] = {}
        for row in rows:
            closes = _period_end(_occurred_at(row, now), channel.digest_seconds)
            if closes <= now:
                ready.append(row)
            else:
                waiting.setdefault(closes, []).append(row)
        for closes, group in waiting.items():
            await self._postpone(group, closes)
        report = DispatchReport(postponed=sum(len(g) for g in waiting.values()))
        if not ready:
            return report
        events = [_event(r) for r in ready]
        error = await self._attempt(channel, config, channel.send_digest(events), "a digest")
        for row in ready:
            if error is None:
                await self._store.delivery_succeeded(row.id, owner=self._owner, now=self._clock())
                report += DispatchReport(delivered=1)
            else:
                outcome, _ = await self._fail(row, error, config=config)
                report += outcome
        return report

    # Attempts and their records -------------------------------------------------------

    async def _attempt(
        self, channel: Channel, config: ChannelConfig, send: Awaitable[None], what: str
    ) -> str | None:
        """Run one send under a deadline; None on success, else the error message.

        Channels keep their own timeouts (``timeout`` of the channel); this outer deadline
        only bounds what they cannot: a server dripping its answer, a stuck connection."""
        deadline = 2 * config.timeout + 1
        try:
            await asyncio.wait_for(send, timeout=deadline)
        except NotifyError as exc:
            return str(exc)
        except TimeoutError:
            return f"no answer within {deadline:g}s"
        except Exception as exc:  # a channel bug must not stop delivery
            log.exception("channel %s crashed on %s", channel.name, what)
            return f"unexpected {type(exc).__name__}: {exc}"
        return None

    async def _fail(
        self,
        row: Delivery,
        error: str,
        *,
        config: ChannelConfig | None = None,
    ) -> tuple[DispatchReport, datetime | None]:
        """Record a failed attempt; returns the outcome and when the row is due again
        (None when it is dead)."""
        now = self._clock()
        attempt = row.attempts + 1
        if config is None or attempt >= config.max_attempts:
            log.warning(
                "delivery %s of event %s to %s is dead after %d attempt(s): %s",
                row.id,
                row.event_id,
                row.channel,
                attempt,
                error,
            )
            await self._store.delivery_failed(
                row.id, owner=self._owner, error=error, now=now, next_attempt_at=None
            )
            return DispatchReport(dead=1), None
        due = now + timedelta(seconds=self.backoff(attempt))
        log.info(
            "delivery %s to %s failed (attempt %d of %d), retry at %s: %s",
            row.id,
            row.channel,
            attempt,
            config.max_attempts,
            due.isoformat(),
            error,
        )
        await self._store.delivery_failed(
            row.id, owner=self._owner, error=error, now=now, next_attempt_at=due
        )
        return DispatchReport(retried=1), due

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after the ``attempt``-th failure (1-based), jittered."""
        ceiling = min(self._backoff_max, self._backoff_base * 2.0 ** min(attempt - 1, 62))
        return ceiling * (0.5 + 0.5 * self._rng.random())

    async def _postpone(self, rows: Sequence[Delivery], until: datetime) -> None:
        """Release ``rows`` untouched, due again at ``until``."""
        if rows:
            await self._store.postpone_deliveries(
                [r.id for r in rows], owner=self._owner, until=until
            )


def _event(row: Delivery) -> OutboxEvent:
    return OutboxEvent(
        id=row.event_id, type=row.event_type, payload=row.payload, source=row.source_name
    )


def _occurred_at(row: Delivery, default: datetime) -> datetime:
    value = row.payload.get("occurred_at")
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return default
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return default


def _period_end(moment: datetime, period: float) -> datetime:
    """End of the digest period containing ``moment`` (periods aligned on the epoch)."""
    ends = (math.floor(moment.timestamp() / period) + 1) * period
    return datetime.fromtimestamp(ends, UTC)
