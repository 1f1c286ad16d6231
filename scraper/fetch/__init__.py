"""The fetch stage: polite, bounded HTTP for old and hostile servers.

Public surface::

    Fetcher, FetchSettings, DeadlineExceeded, Page, PageFetcher, Validators, host_key,
    BrowserSettings, BrowserStats

The names are imported on first use (``scraper._lazy``): the parsing process needs
``scraper.fetch.types`` only, not httpx.
"""

from typing import TYPE_CHECKING

from scraper import _lazy

if TYPE_CHECKING:
    from scraper.errors import DeadlineExceeded
    from scraper.fetch._browser import BrowserSettings, BrowserStats
    from scraper.fetch._fetcher import Fetcher
    from scraper.fetch._politeness import host_key
    from scraper.fetch._robots import RobotsMemory
    from scraper.fetch._settings import FetchSettings
    from scraper.fetch.types import Page, PageFetcher, Validators, decode_page

__all__ = [
    "BrowserSettings",
    "BrowserStats",
    "DeadlineExceeded",
    "FetchSettings",
    "Fetcher",
    "Page",
    "PageFetcher",
    "RobotsMemory",
    "Validators",
    "decode_page",
    "host_key",
]

__getattr__ = _lazy.exports(
    globals(),
    {
        "DeadlineExceeded": "scraper.errors",
        "BrowserSettings": "scraper.fetch._browser",
        "BrowserStats": "scraper.fetch._browser",
        "Fetcher": "scraper.fetch._fetcher",
        "host_key": "scraper.fetch._politeness",
        "RobotsMemory": "scraper.fetch._robots",
        "FetchSettings": "scraper.fetch._settings",
        "Page": "scraper.fetch.types",
        "PageFetcher": "scraper.fetch.types",
        "Validators": "scraper.fetch.types",
        "decode_page": "scraper.fetch.types",
    },
)
