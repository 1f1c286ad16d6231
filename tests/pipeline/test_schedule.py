from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scraper.config.types import Schedule
from scraper.pipeline.schedule import (
    CRON_SPREAD,
    failure_backoff,
    first_run,
    next_recheck,
    next_run,
    start_window,
)

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


EVERY_30M = Schedule(interval_seconds=1800)


def test_first_slots_are_spread_over_the_start_window_the_same_way_every_time() -> None:
    names = [f"source-{i}" for i in range(10_000)]
    window = start_window(EVERY_30M, len(names))
    assert window == 1000.0  # 10,000 sources at 10 a second, within the 30-minute interval
    slots = [first_run(n, EVERY_30M, T0, sources=len(names)) for n in names]
    assert slots == [first_run(n, EVERY_30M, T0, sources=len(names)) for n in names]
    offsets = [(s - T0).total_seconds() for s in slots]
    assert min(offsets) >= 0
    assert max(offsets) < window
    # Evenly: each tenth of the window holds about a tenth of the sources.
    per_tenth = [sum(1 for o in offsets if k * 100 <= o < (k + 1) * 100) for k in range(10)]
    assert all(900 <= n <= 1100 for n in per_tenth), per_tenth


def test_a_few_sources_start_at_once_and_never_later_than_one_interval() -> None:
    assert start_window(EVERY_30M, 3) == 0.3
    assert start_window(Schedule(interval_seconds=60), 10_000) == 60
    assert first_run("a", EVERY_30M, T0, sources=1) - T0 < timedelta(seconds=0.1)


def test_the_next_slot_keeps_the_sources_place_and_skips_what_a_late_poll_missed() -> None:
    slot = T0 + timedelta(seconds=123)
    on_time = next_run("a", EVERY_30M, slot=slot, ended_at=slot + timedelta(seconds=2),
                       consecutive_failures=0)  # fmt: skip
    assert on_time == slot + timedelta(seconds=1800)
    late = next_run("a", EVERY_30M, slot=slot, ended_at=slot + timedelta(seconds=600),
                    consecutive_failures=0)  # fmt: skip
    assert late == slot + timedelta(seconds=3600)  # not 1,200 s after the last poll
    failing = next_run("a", EVERY_30M, slot=slot, ended_at=slot, consecutive_failures=3)
    assert failing == slot + timedelta(seconds=4 * 1800)


def test_cron_sources_fire_at_their_cron_time_each_with_its_own_offset() -> None:
    daily = Schedule(cron="0 8 * * *")
    firsts = {first_run(f"s{i}", daily, T0) for i in range(50)}
    eight = T0.replace(hour=8)
    assert all(eight <= f < eight + timedelta(seconds=CRON_SPREAD) for f in firsts)
    assert len(firsts) == 50
    mine = first_run("s1", daily, T0)
    after = next_run("s1", daily, slot=mine, ended_at=mine, consecutive_failures=0)
    assert after - mine == timedelta(days=1)
