from __future__ import annotations

import datetime as dt

import pytest
from apscheduler.triggers.cron import CronTrigger

from scraper.config.durations import normalize_cron, parse_duration, parse_schedule, parse_size
from scraper.config.types import Schedule


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("90s", 90.0),
        ("15m", 900.0),
        ("2h", 7200.0),
        ("1d", 86400.0),
        ("1w", 604800.0),
        ("1h30m", 5400.0),
        ("1h 30m", 5400.0),
        ("1.5h", 5400.0),
        ("2H", 7200.0),
        ("45", 45.0),
        (45, 45.0),
        (2.5, 2.5),
        (0, 0.0),
        ("0s", 0.0),
    ],
)
def test_parse_duration(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    "value",
    ["", "h", "5x", "1h30", "m5", "-5s", -1, True, None, [1], "1 hour", float("inf"), "367d", 1e30],
)
def test_parse_duration_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(value)


@pytest.mark.parametrize(
    ("value", "size"),
    [
        (1000, 1000),
        ("1000", 1000),
        ("512KB", 512 * 1024),
        ("512kb", 512 * 1024),
        ("5MB", 5 * 1024 * 1024),
        ("5 MiB", 5 * 1024 * 1024),
        ("1.5MB", int(1.5 * 1024 * 1024)),
        ("1GB", 1024**3),
        ("100B", 100),
    ],
)
def test_parse_size(value: object, size: int) -> None:
    assert parse_size(value) == size


@pytest.mark.parametrize("value", ["5XB", "MB", "", "five", False, 1.5, None])
def test_parse_size_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="size"):
        parse_size(value)


def test_parse_schedule_interval() -> None:
    assert parse_schedule("30m") == Schedule(interval_seconds=1800.0)
    assert parse_schedule(600) == Schedule(interval_seconds=600.0)


@pytest.mark.parametrize("value", ["0s", 0, "-1m"])
def test_parse_schedule_rejects_non_positive_interval(value: object) -> None:
    with pytest.raises(ValueError, match=r"greater than zero|invalid duration"):
        parse_schedule(value)


@pytest.mark.parametrize(
    ("value", "cron"),
    [
        ("cron: 0 */2 * * *", "0 */2 * * *"),
        ("cron:   0   */2 * *   *", "0 */2 * * *"),
        ("CRON: 30 6 * * *", "30 6 * * *"),
        ({"cron": "0 9 * * 1-5"}, "0 9 * * mon,tue,wed,thu,fri"),
    ],
)
def test_parse_schedule_cron(value: object, cron: str) -> None:
    assert parse_schedule(value) == Schedule(cron=cron)


@pytest.mark.parametrize(
    "value",
    ["cron: 61 * * * *", "cron: * * *", "cron: 0 0 32 * *", "cron: 0 0 * * 8", "cron: x y z w v"],
)
def test_parse_schedule_rejects_bad_cron(value: str) -> None:
    with pytest.raises(ValueError, match="cron"):
        parse_schedule(value)


def test_parse_schedule_rejects_mapping_with_other_keys() -> None:
    with pytest.raises(ValueError, match="cron"):
        parse_schedule({"cron": "0 * * * *", "every": "1h"})


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("*", "*"),
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("mon-fri", "mon,tue,wed,thu,fri"),
        ("5-7", "fri,sat,sun"),
        ("fri-sun", "fri,sat,sun"),
        ("0,6", "sat,sun"),
        ("*/2", "tue,thu,sat,sun"),
        ("0-6", "*"),
        ("SUN", "sun"),
    ],
)
def test_normalize_cron_weekdays_follow_crontab(field: str, expected: str) -> None:
    assert normalize_cron(f"0 0 * * {field}") == f"0 0 * * {expected}"


def test_normalized_cron_fires_on_crontab_sunday_with_apscheduler() -> None:
    """APScheduler 3 counts weekdays from Monday = 0; the normalized form must not."""
    trigger = CronTrigger.from_crontab(normalize_cron("0 6 * * 0"), timezone=dt.UTC)
    saturday = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)
    fire = trigger.get_next_fire_time(None, saturday)
    assert fire == dt.datetime(2026, 11, 22, 6, tzinfo=dt.UTC)
    assert fire.strftime("%A") == "Sunday"
