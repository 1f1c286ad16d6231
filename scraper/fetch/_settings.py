"""Process-wide fetch settings (per-source settings live on ``Source``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FetchSettings:
    """Limits and retry policy shared by every source.

    Per-source values (``timeout``, ``per_host_concurrency``, ``per_host_delay``,
    ``max_page_bytes``, ``user_agent``, ``respect_robots``, ``encoding``) come from the
    ``Source`` passed to each fetch.
    """

    max_concurrency: int = 32  # requests in flight over all hosts
    # Idle connections kept open for re-use, per origin, and the origins whose pools are
    # kept (see ``_transport.py``): at most 2 x 64 idle sockets.
    keepalive_per_origin: int = 2
    max_origins: int = 64
    retries: int = 2  # extra attempts after the first, for transient failures
    backoff_base: float = 1.0  # seconds; attempt n waits base * 2**n, jittered ±50%
    backoff_max: float = 60.0
    max_retry_after: float = 120.0  # a longer Retry-After is not waited for: error instead
    max_redirects: int = 5
    max_crawl_delay: float = 60.0  # bound on a robots.txt Crawl-delay
    robots_ttl: float = 24 * 3600.0  # cache lifetime of a fetched (or missing) robots.txt
    robots_error_ttl: float = 600.0  # retry an unreachable robots.txt after this
    max_robots_bytes: int = 512 * 1024
    resolve_ttl: float = 300.0  # cache lifetime of the private-address check per host
