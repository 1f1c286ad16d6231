"""Metric families with a series per source, rendered incrementally.

With 10,000 sources the per-source families hold about 45,000 series; prometheus_client
rebuilds, validates, escapes and formats every one of them at every scrape (about 1 s of
CPU on the event loop per scrape, 2.9 MB). Here each series keeps its exposition line,
re-rendered only when its value changes (a few hundred per scrape interval), and a scrape
joins the lines. The text is the Prometheus text format prometheus_client writes, minus
the ``_created`` series of these counters (a second timestamp series per source, which
Prometheus ignores by default)."""

from __future__ import annotations

from typing import Literal

from prometheus_client.utils import floatToGoString


class SeriesFamily:
    """A counter or gauge whose series are labelled by ``labelnames`` (the first being
    the source). ``family.labels(*values).inc()`` / ``.set()`` as with prometheus_client."""

    def __init__(
        self, name: str, documentation: str, kind: Literal["counter", "gauge"],
        labelnames: tuple[str, ...],
    ) -> None:  # fmt: skip
        self.kind = kind
        self._sample = f"{name}_total" if kind == "counter" else name
        help_line = f"# HELP {self._sample} {_escape_help(documentation)}\n"
        self._head = f"{help_line}# TYPE {self._sample} {kind}\n"
        self._labelnames = labelnames
        self._series: dict[tuple[str, ...], Series] = {}
        self._rendered: str | None = self._head

    def labels(self, *values: str) -> Series:
        series = self._series.get(values)
        if series is None:
            if len(values) != len(self._labelnames):
                raise ValueError(f"{self._sample}: expected labels {self._labelnames}")
            pairs = ",".join(
                f'{n}="{_escape_label(v)}"' for n, v in zip(self._labelnames, values, strict=True)
            )
            series = self._series[values] = Series(self, f"{self._sample}{{{pairs}}} ")
            self._rendered = None
        return series

    def render(self) -> str:
        if self._rendered is None:
            self._rendered = self._head + "".join(s.line for s in self._series.values())
        return self._rendered

    def changed(self) -> None:
        self._rendered = None

    def value(self, *values: str) -> float:
        """The series' value (0 when it does not exist); for tests and status."""
        series = self._series.get(values)
        return series.value if series else 0.0


class Series:
    __slots__ = ("_family", "_prefix", "line", "value")

    def __init__(self, family: SeriesFamily, prefix: str) -> None:
        self._family = family
        self._prefix = prefix
        self.value = 0.0
        self.line = f"{prefix}{_number(0.0)}\n"

    def inc(self, amount: float = 1.0) -> None:
        if amount < 0:
            raise ValueError("a counter only goes up")
        self._update(self.value + amount)

    def set(self, value: float) -> None:
        if self._family.kind == "counter":
            raise ValueError("set() is for gauges")
        self._update(float(value))

    def _update(self, value: float) -> None:
        self.value = value
        self.line = f"{self._prefix}{_number(value)}\n"
        self._family.changed()


def _escape_label(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def _escape_help(text: str) -> str:
    return text.replace("\\", r"\\").replace("\n", r"\n")


def _number(value: float) -> str:
    """As prometheus_client writes it (``1.0``, ``1.764646e+09``, ``+Inf``)."""
    return str(floatToGoString(value))  # type: ignore[no-untyped-call]
