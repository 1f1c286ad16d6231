"""Scoring of the dedup decision on the labelled pairs: the same code serves the tests and
``benchmarks/dedup.py``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scraper.dedup import content_hash, hamming, simhash64
from tests.dedup.pairs.generate import Pair

#: Stands for "no simhash on one side": never a near duplicate, whatever the threshold.
NO_SIMHASH = 65


@dataclass(frozen=True)
class Scored:
    pair: Pair
    distance: int  # 0 for equal content hashes


@dataclass(frozen=True)
class Scores:
    threshold: int
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

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def distance(a: str, b: str) -> int:
    """What the pipeline decides on: equal content hashes, else the simhash distance."""
    if content_hash(a) == content_hash(b):
        return 0
    ha, hb = simhash64(a), simhash64(b)
    if ha is None or hb is None:
        return NO_SIMHASH
    return hamming(ha, hb)


def score_pairs(pairs: Iterable[Pair]) -> list[Scored]:
    return [Scored(pair, distance(pair.a, pair.b)) for pair in pairs]


def scores(scored: Sequence[Scored], threshold: int) -> Scores:
    tp = fp = fn = tn = 0
    for item in scored:
        predicted = item.distance <= threshold
        if item.pair.label:
            tp, fn = (tp + 1, fn) if predicted else (tp, fn + 1)
        else:
            fp, tn = (fp + 1, tn) if predicted else (fp, tn + 1)
    return Scores(threshold, tp, fp, fn, tn)
