"""Errors cross process boundaries (the CPU pool) and must survive pickling intact."""

from __future__ import annotations

import pickle

import pytest

from scraper.errors import (
    ConfigError,
    FetchError,
    HTTPStatusError,
    NotifyError,
    ScraperError,
    UnsupportedContentType,
)

ERRORS: list[ScraperError] = [
    FetchError("refused", url="http://a/", source="s"),
    UnsupportedContentType("entity declarations refused", url="http://a/feed", source="s"),
    HTTPStatusError("HTTP 429", url="http://a/", status=429, retry_after=30.0, source="s"),
    NotifyError("HTTP 500", channel="hook"),
    ConfigError(["sources.yaml:3: bad", "sources.yaml:7: worse"]),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_errors_round_trip_through_pickle(error: ScraperError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.__dict__ == error.__dict__
