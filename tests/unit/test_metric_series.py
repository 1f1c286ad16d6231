"""Per-source metric families: the same text prometheus_client writes for the same
values (without the ``_created`` series), and only changed families are re-rendered."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

from scraper.metric_series import SeriesFamily


def reference(kind: str, labels: list[tuple[str, ...]], values: list[float]) -> str:
    registry = CollectorRegistry()
    cls = Counter if kind == "counter" else Gauge
    metric = cls("nea_demo", "Help with a \\ and\nnewline", ["source", "status"], registry=registry)
    for label, value in zip(labels, values, strict=True):
        if kind == "counter":
            metric.labels(*label).inc(value)
        else:
            metric.labels(*label).set(value)
    text = generate_latest(registry).decode()
    return "".join(line + "\n" for line in text.splitlines() if "_created" not in line)


LABELS = [("news", "ok"), ('a "quoted" \\ name\nx', "failed"), ("전자신문", "ok")]
VALUES = [3.0, 1764646000.123, 0.5]


def test_counters_and_gauges_read_as_prometheus_client_writes_them() -> None:
    for kind in ("counter", "gauge"):
        family = SeriesFamily("nea_demo", "Help with a \\ and\nnewline", kind, ("source", "status"))
        for label, value in zip(LABELS, VALUES, strict=True):
            if kind == "counter":
                family.labels(*label).inc(value)
            else:
                family.labels(*label).set(value)
        assert family.render() == reference(kind, LABELS, VALUES)


def test_an_empty_family_has_its_header_only() -> None:
    family = SeriesFamily("nea_demo", "Demo", "counter", ("source",))
    assert family.render() == "# HELP nea_demo_total Demo\n# TYPE nea_demo_total counter\n"


def test_a_family_is_rendered_again_only_after_a_change() -> None:
    family = SeriesFamily("nea_demo", "Demo", "counter", ("source",))
    family.labels("a").inc()
    first = family.render()
    assert family.render() is first  # nothing changed: the same text, not rebuilt
    family.labels("a").inc(2)
    assert family.render() is not first
    assert 'nea_demo_total{source="a"} 3.0\n' in family.render()
    assert family.value("a") == 3.0


def test_a_counter_refuses_to_go_down() -> None:
    family = SeriesFamily("nea_demo", "Demo", "counter", ("source",))
    with pytest.raises(ValueError, match="only goes up"):
        family.labels("a").inc(-1)
