"""Near-duplicate quality on the labelled pair set (tests/dedup/pairs, benchmarks/dedup.py):
the thresholds in use are the ones the training half gives, and on the held-out half no
distinct pair is linked and the recall bars of issue 15 hold."""

from __future__ import annotations

from collections import Counter

import pytest

from scraper.dedup_verify import THRESHOLDS
from tests.dedup.pairs.evaluate import Scored, derive_thresholds, score_pairs
from tests.dedup.pairs.generate import build_halves

# Held-out recall floors by kind of near duplicate (issue 15's bars).
COPIES = ("copy-chrome", "copy-reflow", "copy-width", "copy-punctuation", "copy-all")
BARS = {COPIES: 0.97, ("edit",): 0.90, ("excerpt",): 0.80, ("notice-copy",): 0.97}


@pytest.fixture(scope="module")
def halves() -> tuple[list[Scored], list[Scored]]:
    train, held_out = build_halves()
    return score_pairs(train), score_pairs(held_out)


def test_pair_set_shape(halves: tuple[list[Scored], list[Scored]]) -> None:
    for half in halves:
        languages = Counter(s.pair.language for s in half)
        assert {"zh", "ja", "ko", "ru", "mn", "en"} <= set(languages)
        kinds = {s.pair.kind for s in half if not s.pair.label}
        assert {"notice", "same-topic", "same-site", "shared-boilerplate"} <= kinds
        notices = {s.pair.language for s in half if s.pair.kind == "notice"}
        assert {"zh", "ko", "ja", "ru", "en"} <= notices
        positives = Counter(s.pair.kind for s in half if s.pair.label)
        assert all(positives[k] >= 30 for k in (*COPIES, "edit", "excerpt")), positives


def test_thresholds_in_use_are_derived_from_the_training_half(
    halves: tuple[list[Scored], list[Scored]],
) -> None:
    assert derive_thresholds(halves[0]) == THRESHOLDS


def test_no_distinct_pair_is_linked_on_the_held_out_half(
    halves: tuple[list[Scored], list[Scored]],
) -> None:
    merged = [
        (s.pair.language, s.pair.kind, s.pair.note, s.comparison.decision()[1])
        for s in halves[1]
        if not s.pair.label and s.linked()
    ]
    assert merged == []


@pytest.mark.parametrize("kinds", list(BARS), ids=lambda kinds: kinds[0])
def test_held_out_recall(halves: tuple[list[Scored], list[Scored]], kinds: tuple[str]) -> None:
    pairs = [s for s in halves[1] if s.pair.label and s.pair.kind in kinds]
    found = sum(s.linked() for s in pairs)
    assert found / len(pairs) >= BARS[kinds], (found, len(pairs))
