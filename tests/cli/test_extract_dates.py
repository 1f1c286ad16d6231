"""`scraper extract --format json`: ``published_at`` is ISO 8601 as the publisher meant it
(a day, a local time, or a time with its offset), or null."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import scraper


def page(head: str, body: str = "") -> bytes:
    return (
        f"<html><head><title>Notice | NEAR</title>{head}</head><body><h1>Notice</h1>"
        f"{body}<p>The secretariat office will be closed on the first of May.</p></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (page('<meta property="article:published_time" content="2020-02-24T21:25:54-05:00">'),
         "2020-02-24T21:25:54-05:00"),
        (page("", "<p>Posted 2005-08-22 19:13:18</p>"), "2005-08-22T19:13:18"),
        (page("", "<p>작성일 24-05-21</p>"), "2024-05-21"),
        (page(""), None),
    ],
)  # fmt: skip
def test_published_at_in_the_json_output(html: bytes, expected: str | None) -> None:
    result = scraper("extract", "-", "--format", "json", stdin=html)
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == "Notice"
    assert article["published_at"] == expected
