"""Scoring of the dedup decision on the labelled pairs, and the derivation of the
verification thresholds from the training half: the same code serves the tests and
``benchmarks/dedup.py``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from scraper.dedup import content_hash
from scraper.dedup_verify import (
    MIN_COVER,
    MIN_PART,
    THRESHOLDS,
    Comparison,
    Prepared,
    Thresholds,
    compare,
    prepare,
    shares_key,
)
from tests.dedup.pairs.generate import Pair


@dataclass(frozen=True)
class Scored:
    pair: Pair
    exact: bool  # equal content hashes
    comparison: Comparison

    def linked(self, thresholds: Thresholds = THRESHOLDS) -> bool:
        """What the store decides: equal texts, or a candidate that passes verification."""
        if self.exact:
            return True
        return self.comparison.decision(thresholds)[0]


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@cache
def _prepared(text: str) -> Prepared:
    return prepare(text)


def score_pairs(pairs: Iterable[Pair]) -> list[Scored]:
    """Each pair as the store would see it: exact copy, else a candidate from the index
    (only those are verified), else nothing."""
    out = []
    for pair in pairs:
        a, b = _prepared(pair.a), _prepared(pair.b)
        exact = content_hash(pair.a) == content_hash(pair.b)
        if shares_key(a, b):
            comparison = compare(a, b)
        else:
            comparison = Comparison(a.size, b.size, 0.0, 0.0, 0, 0, 0, (), candidate=False)
        out.append(Scored(pair, exact, comparison))
    return out


def scores(scored: Sequence[Scored], thresholds: Thresholds = THRESHOLDS) -> Scores:
    tp = fp = fn = tn = 0
    for item in scored:
        predicted = item.linked(thresholds)
        if item.pair.label:
            tp, fn = (tp + 1, fn) if predicted else (tp, fn + 1)
        else:
            fp, tn = (fp + 1, tn) if predicted else (fp, tn + 1)
    return Scores(tp, fp, fn, tn)


#: The fact weights tried (shingles per differing fact).
FACT_WEIGHTS = (25, 50, 100, 150, 200, 250, 300)


def derive_thresholds(training: Sequence[Scored]) -> Thresholds:
    """For each fact weight of :data:`FACT_WEIGHTS`: each threshold (short texts, the
    others) is the midpoint between the highest agreement of a distinct pair it decides
    and the lowest of a near duplicate above it, the widest margin on both sides that
    links no distinct pair of the training half. The weight kept is the one that then
    links the most near duplicates of that half (the smallest, on a tie)."""
    best: tuple[int, Thresholds] | None = None
    for weight in FACT_WEIGHTS:
        short: list[tuple[float, bool]] = []
        similar: list[tuple[float, bool]] = []
        for item in training:
            c = item.comparison
            if item.exact or not c.candidate or c.cover < MIN_COVER or c.part < MIN_PART:
                continue
            (short if c.short else similar).append((c.agreement(weight), item.pair.label))
        thresholds = Thresholds(weight, similar=_midpoint(similar), short=_midpoint(short))
        found = scores(training, thresholds).tp
        if best is None or found > best[0]:
            best = (found, thresholds)
    assert best is not None
    return best[1]


def _midpoint(scored: list[tuple[float, bool]]) -> float:
    highest_distinct = max((s for s, label in scored if not label), default=0.0)
    above = [s for s, label in scored if label and s > highest_distinct]
    if not above:
        return round(min(1.0, highest_distinct + 0.001), 3)
    return round((highest_distinct + min(above)) / 2, 3)
