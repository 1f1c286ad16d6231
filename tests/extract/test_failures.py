"""An extraction that raises inside is visible: logged, marked on the article, counted."""

from __future__ import annotations

import logging

import pytest

import scraper.extract as extract_module
from scraper.extract import extract
from scraper.metrics import Metrics
from scraper.pipeline.poll import PollReport


def _boom(*_args: object) -> object:
    raise RuntimeError("synthetic bug")


def test_internal_error_is_marked_and_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # No input makes the extractor crash on purpose, so the crash is injected.
    monkeypatch.setattr(extract_module, "extract_str", _boom)
    with caplog.at_level(logging.WARNING, logger="scraper.extract"):
        article = extract("<p>Hello</p>", url="https://example.org/a/1")
    assert article.text == ""
    assert article.error == "RuntimeError: synthetic bug"
    assert article.canonical_url == "https://example.org/a/1"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings
    assert "https://example.org/a/1" in warnings[0].getMessage()


def test_a_good_page_has_no_error() -> None:
    article = extract("<article><p>" + "A sentence of text. " * 20 + "</p></article>")
    assert article.error is None
    assert article.text


def test_extraction_errors_are_counted() -> None:
    metrics = Metrics()
    metrics.record_poll(PollReport(source="s", empty=3, extract_errors=2))
    exposition = metrics.exposition().decode()
    assert 'nea_extraction_errors_total{source="s"} 2.0' in exposition
    assert 'nea_extraction_failures_total{source="s"} 3.0' in exposition
