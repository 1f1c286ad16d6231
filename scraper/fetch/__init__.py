"""The fetch stage: polite, bounded HTTP for old and hostile servers.

Public surface::

    Fetcher, FetchSettings, DeadlineExceeded, Page, PageFetcher, Validators, host_key,
    BrowserSettings, BrowserStats
"""

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
