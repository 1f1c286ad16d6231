"""Parsing of the human-friendly values in ``sources.yaml``: durations (``90s``, ``15m``,
``2h``, ``1d``, ``1h30m`` or plain seconds), byte sizes (``5MB``, ``512KB`` or plain bytes)
and schedules (a duration, or ``"cron: 0 */2 * * *"``).

Every parser raises ``ValueError`` with a message fit for an operator; nothing here knows
about YAML or pydantic.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from scraper.config.types import Schedule

_UNIT_SECONDS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 7 * 86400.0}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?\s*[smhdw]\s*)+")
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?", re.IGNORECASE)
_SIZE_UNITS = {
    "b": 1,
    "kb": 1024,
    "kib": 1024,
    "mb": 1024**2,
    "mib": 1024**2,
    "gb": 1024**3,
    "gib": 1024**3,
}

MAX_DURATION = 366 * 86400.0  # beyond this, datetime arithmetic overflows soon enough
DURATION_HINT = "use e.g. 90s, 15m, 2h, 1d, 1h30m or a number of seconds"
SIZE_HINT = "use e.g. 512KB, 5MB or a number of bytes"


def parse_duration(value: object) -> float:
    """Seconds in ``value``: a non-negative number, or a string such as ``90s``/``1h30m``."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration, not a boolean; {DURATION_HINT}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = _parse_duration_text(value)
    else:
        raise ValueError(f"expected a duration; {DURATION_HINT}")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"a duration must be a finite number ≥ 0; {DURATION_HINT}")
    if seconds > MAX_DURATION:
        raise ValueError("a duration may not be longer than 366 days")
    return seconds


def _parse_duration_text(text: str) -> float:
    compact = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", compact):
        return float(compact)
    if not compact or not _DURATION.fullmatch(compact):
        raise ValueError(f"invalid duration {text!r}; {DURATION_HINT}")
    return sum(float(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART.findall(compact))


def parse_size(value: object) -> int:
    """Bytes in ``value``: an integer, or a string such as ``512KB``/``5MB`` (binary units)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a size, not a boolean; {SIZE_HINT}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        match = _SIZE.fullmatch(value.strip())
        if match:
            number, unit = match.groups()
            return int(float(number) * _SIZE_UNITS[(unit or "b").lower()])
        raise ValueError(f"invalid size {value!r}; {SIZE_HINT}")
    raise ValueError(f"expected a size; {SIZE_HINT}")


def parse_schedule(value: object) -> Schedule:
    """A ``Schedule`` from an interval duration, ``"cron: <5 fields>"`` or ``{cron: …}``."""
    cron: object = None
    if isinstance(value, dict):
        if set(value) != {"cron"}:
            raise ValueError('a schedule mapping takes exactly one key, cron: "<5 fields>"')
        cron = value["cron"]
        if not isinstance(cron, str):
            raise ValueError('cron must be a string such as "0 */2 * * *"')
    elif isinstance(value, str) and value.strip().lower().startswith("cron:"):
        cron = value.strip()[len("cron:") :]
    if isinstance(cron, str):
        return Schedule(cron=normalize_cron(cron))
    seconds = parse_duration(value)
    if seconds <= 0:
        raise ValueError(f"an interval must be greater than zero; {DURATION_HINT}")
    return Schedule(interval_seconds=seconds)


# Standard crontab counts weekdays from Sunday = 0 (7 is Sunday too); APScheduler 3 counts
# from Monday = 0. Weekday numbers are therefore rewritten to names, which mean the same
# thing to both, so ``CronTrigger.from_crontab(schedule.cron)`` fires when cron would.
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_WEEKDAY_PART = re.compile(r"(\*|\w+)(?:-(\w+))?(?:/(\d+))?")


def normalize_cron(expr: str) -> str:
    """A validated 5-field crontab expression, with whitespace collapsed and weekdays named."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(
            f"a cron expression has 5 fields (minute hour day month weekday), "
            f"got {len(fields)} in {expr.strip()!r}"
        )
    fields[4] = _normalize_weekdays(fields[4])
    normalized = " ".join(fields)
    # Loaded only for a cron schedule: most configs have none, and ``scraper check``
    # should not pay for the scheduler's import.
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(normalized, timezone=dt.UTC)
    except ValueError as exc:
        raise ValueError(f"invalid cron expression {expr.strip()!r}: {exc}") from None
    return normalized


def _normalize_weekdays(field: str) -> str:
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.lower().split(","):
        match = _WEEKDAY_PART.fullmatch(part)
        if not match:
            raise ValueError(f"invalid cron weekday field {field!r}")
        first, last, step = match.groups()
        if first == "*":
            start, end = 0, 6
        else:
            start = _weekday_number(first, field)
            end = _weekday_number(last, field) if last else (6 if step else start)
            if last == "sun" and start > 0:
                end = 7  # fri-sun
        if end < start:
            raise ValueError(f"invalid cron weekday range {part!r}")
        days.update(d % 7 for d in range(start, end + 1, int(step or 1)))
    if len(days) == 7:
        return "*"
    # Monday first, so a single run such as mon-fri stays readable.
    ordered = sorted(days, key=lambda d: (d - 1) % 7)
    return ",".join(_WEEKDAYS[d] for d in ordered)


def _weekday_number(token: str, field: str) -> int:
    if token.isdigit():
        number = int(token)
        if number > 7:
            raise ValueError(f"invalid cron weekday {token!r} in {field!r} (0-7, 0 and 7 = Sunday)")
        return number
    if token[:3] in _WEEKDAYS and len(token) == 3:
        return _WEEKDAYS.index(token)
    raise ValueError(f"invalid cron weekday {token!r} in {field!r}")


__all__ = ["normalize_cron", "parse_duration", "parse_schedule", "parse_size"]
