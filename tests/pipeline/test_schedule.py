from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scraper.pipeline.schedule import failure_backoff, next_recheck

SCHEDULE = (3600.0, 6 * 3600.0, 86400.0, 3 * 86400.0, 7 * 86400.0)
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_rechecks_follow_the_offsets_from_first_sight_then_stop() -> None:
    due = [next_recheck(T0, n, SCHEDULE, T0) for n in range(6)]
    assert due[:5] == [T0 + timedelta(seconds=s) for s in SCHEDULE]
    assert due[5] is None


def test_a_late_recheck_is_scheduled_from_now_not_in_the_past() -> None:
    now = T0 + timedelta(days=2)
    assert next_recheck(T0, 1, SCHEDULE, now) == now + timedelta(minutes=1)


def test_empty_schedule_means_no_rechecks() -> None:
    assert next_recheck(T0, 0, (), T0) is None


def test_failure_backoff_doubles_and_is_capped() -> None:
    assert failure_backoff(1800, 0) == 1800
    assert failure_backoff(1800, 1) == 1800
    assert failure_backoff(1800, 2) == 3600
    assert failure_backoff(1800, 4) == 14400
    assert failure_backoff(1800, 30) == 86400  # a dead site is polled daily, not hammered
    assert failure_backoff(3 * 86400, 5) == 3 * 86400  # never shorter than the interval
