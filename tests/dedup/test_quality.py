"""Near-duplicate detection quality on the labelled pair set (see tests/dedup/pairs and
benchmarks/dedup.py). The floors are the measured values minus a small margin: a change
to the fingerprint or the threshold that loses quality fails here."""

from __future__ import annotations

from collections import Counter

import pytest

from scraper.dedup import NEAR_DUPLICATE_DISTANCE
from tests.dedup.pairs.evaluate import Scored, score_pairs, scores
from tests.dedup.pairs.generate import LANGUAGES, build_pairs

# Measured at NEAR_DUPLICATE_DISTANCE = 6: precision 1.000, recall 0.694 (250/360).
PRECISION_FLOOR = 0.99
RECALL_FLOOR = 0.65

# Edits a syndicated copy typically shows: these must all be caught.
ALWAYS_CAUGHT = ("chrome", "chrome-both", "punctuation", "full-width")


@pytest.fixture(scope="module")
def scored() -> list[Scored]:
    return score_pairs(build_pairs())


def test_pair_set_shape(scored: list[Scored]) -> None:
    assert len(scored) >= 200
    by_language = Counter(s.pair.language for s in scored)
    assert set(by_language) == set(LANGUAGES)
    assert min(by_language.values()) >= 60
    labels = Counter(s.pair.label for s in scored)
    assert labels[True] >= 100
    assert labels[False] >= 100
    kinds = {s.pair.kind for s in scored if not s.pair.label}
    assert {"same-site", "same-topic", "shared-boilerplate", "short"} <= kinds


def test_precision_and_recall_at_the_threshold(scored: list[Scored]) -> None:
    s = scores(scored, NEAR_DUPLICATE_DISTANCE)
    assert s.precision >= PRECISION_FLOOR, s
    assert s.recall >= RECALL_FLOOR, s


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_language_is_left_behind(scored: list[Scored], language: str) -> None:
    s = scores([i for i in scored if i.pair.language == language], NEAR_DUPLICATE_DISTANCE)
    assert s.precision >= PRECISION_FLOOR, s
    assert s.recall >= 0.55, s


def test_syndicated_copies_are_always_caught(scored: list[Scored]) -> None:
    missed = [
        (s.pair.language, s.pair.kind, s.pair.note, s.distance)
        for s in scored
        if s.pair.kind in ALWAYS_CAUGHT and s.distance > NEAR_DUPLICATE_DISTANCE
    ]
    assert missed == []


def test_different_articles_of_one_site_are_never_merged(scored: list[Scored]) -> None:
    merged = [
        (s.pair.language, s.pair.kind, s.pair.note, s.distance)
        for s in scored
        if not s.pair.label and s.distance <= NEAR_DUPLICATE_DISTANCE
    ]
    assert merged == []


def test_the_threshold_is_where_precision_still_holds(scored: list[Scored]) -> None:
    """The next threshold up already merges distinct pairs: the chosen one is the
    highest with full precision on this set."""
    assert scores(scored, NEAR_DUPLICATE_DISTANCE).fp == 0
    assert scores(scored, NEAR_DUPLICATE_DISTANCE + 1).fp > 0
