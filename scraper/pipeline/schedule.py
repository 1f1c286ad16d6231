"""When to look at things again: the slots at which a source is due, the decaying re-check
schedule of stored articles and the back-off of failing sources. Pure functions of time,
so they are tested without waiting.

The database's ``sources.next_run_at`` holds a source's next slot; nothing else is a
schedule. Slots are computed with APScheduler's triggers: an ``interval`` source is due
every interval after its previous slot (an ``IntervalTrigger`` anchored there), a cron
source at its cron times plus a per-source offset under a minute. A source's first slot
(and its slot after the daemon was down for longer than its interval) is drawn from its
name within a start-up window, so that many sources starting together are spread
evenly, the same way on every worker and every restart."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scraper.config.types import Schedule

# Sources that share a cron expression start within this many seconds of it, each at
# its own offset, rather than all in the same second.
CRON_SPREAD = 60.0
# A poll is not followed by another of the same source sooner than this fraction of its
# interval (or back-off) after it ended: a late or long poll skips the next slot rather
# than polling twice in one interval.
MIN_GAP = 0.9
NOMINAL_CRON_INTERVAL = 3600.0
# First slots are spread so that at most this many sources per second become due at
# start-up: 10,000 sources over 1,000 s (within a 30-minute interval), a few sources at
# once. At about 10 ms of CPU per poll this keeps a start-up under a tenth of a core.
START_RATE = 10.0


def phase(name: str, period: float) -> float:
    """A point in ``[0, period)`` drawn from ``name``: stable across processes and runs
    (unlike ``hash()``), and uniform, so many names fill the period evenly."""
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * period


@lru_cache(maxsize=1024)
def _cron(expression: str) -> CronTrigger:
    return CronTrigger.from_crontab(expression, timezone=UTC)


def _next_cron(name: str, expression: str, after: datetime) -> datetime:
    offset = timedelta(seconds=phase(name, CRON_SPREAD))
    fire = _cron(expression).get_next_fire_time(None, after - offset)
    if fire is None:  # an expression that never fires again (e.g. 30 February)
        return datetime.max.replace(tzinfo=UTC)
    return fire + offset  # type: ignore[no-any-return]


def start_window(schedule: Schedule, sources: int) -> float:
    """Seconds over which ``sources`` sources starting together spread their first
    polls: enough for ``START_RATE`` a second, never more than the interval."""
    return min(interval_of(schedule), max(0.0, sources / START_RATE))


def first_run(name: str, schedule: Schedule, now: datetime, *, sources: int = 1) -> datetime:
    """When a source never polled (or not polled for a whole interval, the daemon having
    been down) is first due, ``sources`` sources starting together: at a point of the
    start-up window drawn from its name; a cron source at its next cron time."""
    if schedule.cron:
        return _next_cron(name, schedule.cron, now)
    return now + timedelta(seconds=phase(name, start_window(schedule, sources)))


def next_run(
    name: str,
    schedule: Schedule,
    *,
    slot: datetime | None,
    ended_at: datetime,
    consecutive_failures: int,
) -> datetime:
    """The slot after a poll of the slot ``slot`` that ended at ``ended_at``: whole
    intervals after ``slot`` (so the source keeps its place in the spread), the first
    that is at least ``MIN_GAP`` of the interval, or of the failure back-off (failures in
    a row double the wait, see ``failure_backoff``), after the poll ended."""
    nominal = interval_of(schedule)
    if schedule.cron and consecutive_failures <= 1:
        gap = 1.0  # the next cron time after this one
    else:
        gap = MIN_GAP * failure_backoff(nominal, consecutive_failures)
    earliest = ended_at + timedelta(seconds=gap)
    if schedule.cron:
        return _next_cron(name, schedule.cron, earliest)
    anchor = slot if slot is not None and slot <= ended_at else ended_at
    trigger = IntervalTrigger(seconds=nominal, start_date=anchor, timezone=UTC)
    fire: datetime = trigger.get_next_fire_time(None, earliest)
    return fire


def next_recheck(
    first_seen_at: datetime, checks_done: int, schedule: tuple[float, ...], now: datetime
) -> datetime | None:
    """The next re-check of an article, ``schedule`` being offsets from its first sight
    (e.g. 1 h, 6 h, 24 h, 3 d, 7 d). ``checks_done`` re-checks have happened so far; after
    the last offset an article is no longer re-checked on its own (a feed or sitemap that
    announces a change still brings it back)."""
    if checks_done >= len(schedule):
        return None
    due = first_seen_at + timedelta(seconds=schedule[checks_done])
    return max(due, now + timedelta(minutes=1))


def failure_backoff(interval_seconds: float, consecutive_failures: int) -> float:
    """Seconds to wait after a failed poll: the interval, doubled per failure in a row,
    capped at 24 hours (or the interval, when that is longer), so a dead site is not
    hammered but is noticed soon after it returns."""
    if consecutive_failures <= 0:
        return interval_seconds
    factor = 2 ** min(consecutive_failures - 1, 10)
    return float(min(interval_seconds * factor, max(interval_seconds, 86400.0)))


def interval_of(schedule: Schedule) -> float:
    """A nominal interval for a schedule, used for back-off and leases of cron schedules."""
    return schedule.interval_seconds if schedule.interval_seconds else NOMINAL_CRON_INTERVAL
