"""When to look at things again: the decaying re-check schedule of stored articles and the
back-off of failing sources. Pure functions of time, so they are tested without waiting."""

from __future__ import annotations

from datetime import datetime, timedelta

from scraper.config.types import Schedule


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
    return schedule.interval_seconds if schedule.interval_seconds else 3600.0
