"""Prometheus metrics, on a registry owned by the service (no module-level globals), and
recorded at the stage boundaries: every fetch, every poll report, every dispatch round."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from scraper.config.types import Source
from scraper.errors import FetchError
from scraper.fetch import BrowserStats, Fetcher, RobotsMemory, Validators
from scraper.fetch.types import Page
from scraper.metric_series import SeriesFamily
from scraper.notify.dispatcher import DispatchReport
from scraper.pipeline.poll import PollReport
from storage.repository import Backlog


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.fetches = Counter("nea_fetches", "HTTP fetches by outcome", ["outcome"], registry=r)
        self.fetch_bytes = Counter("nea_fetch_bytes", "Body bytes fetched", registry=r)
        self.fetch_seconds = Histogram(
            "nea_fetch_duration_seconds", "Fetch latency, retries included",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60), registry=r,
        )  # fmt: skip
        # Series per source: rendered incrementally (scraper.metric_series).
        self.articles = SeriesFamily(
            "nea_articles", "Articles stored, by outcome", "counter", ("source", "outcome")
        )
        self.extraction_failures = SeriesFamily(
            "nea_extraction_failures", "Fetched articles with no text", "counter", ("source",)
        )
        self.undecodable = SeriesFamily(
            "nea_undecodable_pages", "Fetched pages whose bytes decoded to no text", "counter",
            ("source",),
        )  # fmt: skip
        self.extraction_errors = SeriesFamily(
            "nea_extraction_errors",
            "Extractions that raised inside the extractor (a bug, not an empty page)",
            "counter",
            ("source",),
        )
        self.polls = SeriesFamily(
            "nea_polls", "Source polls by status", "counter", ("source", "status")
        )
        self.last_success = SeriesFamily(
            "nea_source_last_success_timestamp_seconds", "Unix time of the last good poll",
            "gauge", ("source",),
        )  # fmt: skip
        self.deliveries = Counter(
            "nea_deliveries", "Notification delivery attempts by outcome", ["outcome"], registry=r
        )
        self.polls_in_flight = Gauge(
            "nea_polls_in_flight", "Polls this worker is running now", registry=r
        )
        self.poll_capacity = Gauge(
            "nea_poll_capacity", "Polls this worker may run at once (--max-polls)", registry=r
        )
        self.db_connections = Gauge(
            "nea_db_connections_in_use", "Database connections checked out of the pool",
            registry=r,
        )  # fmt: skip
        self.backlog = Gauge(
            "nea_sources_due", "Sources due and not being polled by any worker", registry=r
        )
        self.oldest_due = Gauge(
            "nea_oldest_due_seconds",
            "How long the oldest due source has been waiting (0 when none is due)", registry=r,
        )  # fmt: skip

        self.browser_refused = SeriesFamily(
            "nea_browser_requests_refused",
            "Requests of pages rendered in the browser refused by the fetch rules",
            "counter", ("source",),
        )  # fmt: skip
        self._per_source = (
            self.articles, self.extraction_failures, self.undecodable, self.extraction_errors,
            self.polls, self.last_success, self.browser_refused,
        )  # fmt: skip
        self._browser = _BrowserCollector()
        r.register(self._browser)

    def watch_browser(self, stats: Callable[[], BrowserStats | None]) -> None:
        """Read the browser pool's counters at each scrape (all 0 while none ran)."""
        self._browser.stats = stats

    def record_poll(self, report: PollReport) -> None:
        self.polls.labels(report.source, "ok" if report.ok else "failed").inc()
        if report.ok:
            self.last_success.labels(report.source).set(time.time())
        for outcome in ("new", "updated", "duplicates", "unchanged"):
            count = getattr(report, outcome)
            if count:
                self.articles.labels(report.source, outcome.removesuffix("s")).inc(count)
        if report.empty:
            self.extraction_failures.labels(report.source).inc(report.empty)
        if report.undecodable:
            self.undecodable.labels(report.source).inc(report.undecodable)
        if report.extract_errors:
            self.extraction_errors.labels(report.source).inc(report.extract_errors)

    def record_dispatch(self, report: DispatchReport) -> None:
        for outcome in ("delivered", "retried", "dead"):
            count = getattr(report, outcome)
            if count:
                self.deliveries.labels(outcome).inc(count)

    def watch_pool(
        self, in_flight: Callable[[], int], capacity: int, connections: Callable[[], int]
    ) -> None:
        """Read the poll pool's occupancy and the connections in use at each scrape."""
        self.polls_in_flight.set_function(in_flight)
        self.poll_capacity.set(capacity)
        self.db_connections.set_function(connections)

    def record_backlog(self, backlog: Backlog) -> None:
        self.backlog.set(backlog.due)
        oldest = backlog.oldest_due_at
        self.oldest_due.set(
            max(0.0, (datetime.now(UTC) - oldest).total_seconds()) if oldest else 0.0
        )

    def exposition(self) -> bytes:
        per_source = "".join(family.render() for family in self._per_source)
        return generate_latest(self.registry) + per_source.encode()


class _BrowserCollector(Collector):
    """The browser pool's counters, read from the pool when scraped."""

    def __init__(self) -> None:
        self.stats: Callable[[], BrowserStats | None] = lambda: None

    def describe(self) -> Iterable[Metric]:
        return self._families(BrowserStats())

    def collect(self) -> Iterable[Metric]:
        return self._families(self.stats() or BrowserStats())

    @staticmethod
    def _families(stats: BrowserStats) -> list[Metric]:
        def counter(name: str, text: str, value: int) -> Metric:
            return CounterMetricFamily(f"nea_browser_{name}", text, value=value)

        return [
            counter("pages_rendered", "Pages rendered in headless Chromium", stats.pages_rendered),
            counter("pages_failed", "Pages the browser failed to render", stats.pages_failed),
            counter("starts", "Browser processes started", stats.browsers_started),
            counter("restarts", "Browsers retired after their page count or memory cap",
                    stats.restarts),
            counter("crashes", "Browsers or tabs that died under a page", stats.crashes),
            GaugeMetricFamily("nea_browser_memory_bytes",
                              "Memory (PSS) of the browser's processes at the last check",
                              value=stats.memory_bytes),
            GaugeMetricFamily("nea_browser_running", "1 while a browser process runs",
                              value=int(stats.running)),
        ]  # fmt: skip


class MeasuredFetcher(Fetcher):
    """The fetcher, counting outcomes, bytes and latency of every fetch."""

    def __init__(self, metrics: Metrics, *, robots_memory: RobotsMemory | None = None) -> None:
        super().__init__(robots_memory=robots_memory)
        self._metrics = metrics
        metrics.watch_browser(lambda: self.browser_stats)
        self.on_refused = lambda source, _reason: metrics.browser_refused.labels(source.name).inc()

    async def fetch(
        self,
        url: str,
        source: Source,
        *,
        validators: Validators | None = None,
        decode: bool = True,
    ) -> Page:
        started = time.perf_counter()
        try:
            page = await super().fetch(url, source, validators=validators, decode=decode)
        except FetchError as exc:
            self._metrics.fetches.labels(type(exc).__name__).inc()
            raise
        finally:
            self._metrics.fetch_seconds.observe(time.perf_counter() - started)
        self._metrics.fetches.labels("not_modified" if page.not_modified else "ok").inc()
        self._metrics.fetch_bytes.inc(len(page.content))
        return page
