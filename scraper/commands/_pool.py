"""The browser pool of a running daemon, for ``scraper status --metrics-url``: the pool
lives in the daemon's memory, so it is read from its ``/metrics`` endpoint."""

from __future__ import annotations

import asyncio

_FIELDS: tuple[tuple[str, str, int | None], ...] = (
    ("nea_browser_running", "running", None),
    ("nea_browser_pages_rendered_total", "pages rendered", None),
    ("nea_browser_pages_failed_total", "failed", None),
    ("nea_browser_starts_total", "browsers started", None),
    ("nea_browser_restarts_total", "restarts", None),
    ("nea_browser_crashes_total", "crashes", None),
    ("nea_browser_requests_refused_total", "requests refused", None),
    ("nea_browser_memory_bytes", "MiB now", 1024 * 1024),
)


async def pool_line(url: str) -> str:
    """One line describing the daemon's browser pool, or why it could not be read."""
    try:
        text = await asyncio.to_thread(_read, url)
    except (OSError, ValueError) as exc:
        return f"Browser pool: could not read {url}: {exc}"
    return "Browser pool: " + describe(text)


def describe(exposition: str) -> str:
    values: dict[str, float] = {}
    for line in exposition.splitlines():
        if not line.startswith("nea_browser_"):
            continue
        name, _, value = line.rpartition(" ")
        metric = name.split("{", 1)[0]
        values[metric] = values.get(metric, 0.0) + float(value)  # labelled series add up
    if not values:
        return "none (this daemon has no browser metrics)"
    parts = []
    for metric, label, unit in _FIELDS:
        amount = values.get(metric, 0.0)
        if metric == "nea_browser_running":
            parts.append("running" if amount else "not running")
        else:
            parts.append(f"{amount / (unit or 1):.0f} {label}")
    return ", ".join(parts)


def _read(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read(4 * 1024 * 1024).decode("utf-8", "replace"))
