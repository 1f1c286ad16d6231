"""Whether two texts are the same article: the check every near-duplicate candidate must
pass before it is linked (candidates come from the LSH keys of :mod:`scraper.dedup`).

It works on the texts themselves, as sequences of shingles (normalised character 5-grams:
NFKC, case, width, punctuation, whitespace and paragraph breaks folded away):

- **Similarity** and **containment** of the shingle sets (Jaccard resemblance, and the
  share of the shorter text's shingles found in the longer): reported, and the first
  signal an operator looks at.
- **Alignment**: the runs of shingles the two texts share in the same order. The stretch
  from the first shared run to the last is the *core*; what lies outside it on either
  side (a reposting site's headline, source line, share bar, "Read more") is left out,
  what lies inside is a difference.
- **Differing facts**: a short difference inside the core, with the same text on both
  sides of it, is a changed fact: a number, a date, a name, a place ("The 11th working
  meeting of X was held in Y" against "The 25th working meeting of Z"). Each counts as
  :data:`FACT_WEIGHT` differing shingles: in a 100-word notice two changed facts weigh as
  much as a rewritten sentence; in a long article a corrected figure barely counts. A
  longer difference (a rewritten sentence) counts for its own shingles only.

Two texts are linked when the core similarity (shared shingles over the shingles of both
cores, facts weighted in) reaches the threshold, the core covers most
(:data:`MIN_COVER`) of the shorter text and at least :data:`MIN_PART` of the longer
one. An excerpt is nearly all core and a large part of its original; a shared
boilerplate paragraph is a small part of both articles that end with it. Texts shorter
than :data:`SHORT_SHINGLES` need near-total agreement (:attr:`Thresholds.short`): there a
changed name is the whole message.

The thresholds are not chosen here: ``benchmarks/dedup.py --derive`` derives them from the
training half of the labelled set (``tests/dedup/pairs``), and
``tests/dedup/test_quality.py`` checks that :data:`THRESHOLDS` is what that gives.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from scraper.dedup import (
    SHINGLE_SIZE,
    fold,
    lsh_keys,
    matching_bands,
    shingle_sequence,
)

__all__ = [
    "FACT_CHARS",
    "MIN_COVER",
    "MIN_PART",
    "SHORT_SHINGLES",
    "THRESHOLDS",
    "Comparison",
    "Prepared",
    "Thresholds",
    "compare",
    "prepare",
    "shares_key",
]

#: A difference inside the core of at most this many characters on each side is a fact
#: (a number, a date, a name of a few words); a longer one (a rewritten sentence) is an
#: edit. Ideographs, kana and hangul count double: they carry a syllable or a word each.
FACT_CHARS = 32

#: Texts with fewer shingles than this (about 40 English words, 200 Chinese characters)
#: are short: they link only on near-total agreement.
SHORT_SHINGLES = 200

#: The core must cover this share of the shorter text ("most of it")...
MIN_COVER = 0.5
#: ... and this share of the longer one (an excerpt is a large part of its original).
MIN_PART = 1 / 3

# Shared runs shorter than this many shingles (a word or two in common) are not alignment.
_MIN_RUN = SHINGLE_SIZE


@dataclass(frozen=True)
class Thresholds:
    fact_weight: int  # differing shingles one differing fact counts as
    similar: float  # core agreement, texts of SHORT_SHINGLES shingles or more
    short: float  # whole-text agreement when the shorter text is short


#: Derived by ``benchmarks/dedup.py --derive`` from the training half of the labelled set:
#: the fact weight from a fixed grid (the one that links most near duplicates of that
#: half without linking a distinct pair), each threshold the midpoint between the
#: highest-scoring distinct pair and the next near duplicate.
THRESHOLDS = Thresholds(fact_weight=300, similar=0.604, short=0.725)


@dataclass(frozen=True)
class Prepared:
    """A text made ready for comparison (reusable against many candidates)."""

    folded: str
    sequence: NDArray[np.uint64]  # shingle hashes in text order

    @cached_property
    def _sorted(self) -> tuple[NDArray[np.intp], NDArray[np.uint64], NDArray[np.bool_]]:
        """The shingles in value order, where they stand in the text, and where a new
        value starts (``edge[i]``: the ``i``-th differs from the one before; one past the
        end too). One sort serves both the distinct shingles and the anchors."""
        order = np.argsort(self.sequence)
        ordered = self.sequence[order]
        edge = np.ones(len(ordered) + 1, dtype=bool)
        np.not_equal(ordered[1:], ordered[:-1], out=edge[1:-1])
        return order, ordered, edge

    @cached_property
    def shingles(self) -> NDArray[np.uint64]:
        """The distinct shingles, sorted."""
        if "_sorted" in self.__dict__ or len(self.sequence) < 2:
            _order, ordered, edge = self._sorted
            return ordered[edge[:-1]]
        # A plain sort when the positions are not wanted (yet): several times faster
        # than an argsort, and than np.unique, on these sizes.
        ordered = np.sort(self.sequence)
        keep = np.empty(len(ordered), dtype=bool)
        keep[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
        return ordered[keep]

    @cached_property
    def once(self) -> tuple[NDArray[np.uint64], NDArray[np.intp]]:
        """The shingles that occur exactly once (sorted) and their positions."""
        order, ordered, edge = self._sorted
        single = edge[:-1] & edge[1:]
        return ordered[single], order[single]

    @property
    def size(self) -> int:
        return len(self.sequence)

    @cached_property
    def keys(self) -> tuple[int, ...]:
        """Its LSH keys (computed on first use: the store has them already)."""
        return lsh_keys(self.folded, self.sequence)


def prepare(text: str) -> Prepared:
    folded = fold(text)
    return Prepared(folded, shingle_sequence(folded))


def shares_key(a: Prepared, b: Prepared) -> bool:
    """Whether the index offers ``b`` as a candidate for ``a``: a key of ``a`` equals one
    of ``b``'s in a band it is looked up in."""
    stored = {(band, value) for band, value in enumerate(b.keys)}
    return any(
        (match, value) in stored
        for band, value in enumerate(a.keys)
        for match in matching_bands(band)
    )


@dataclass(frozen=True)
class Comparison:
    size_a: int  # shingles
    size_b: int
    similarity: float  # Jaccard resemblance of the shingle sets
    containment: float  # share of the shorter text's distinct shingles in the longer
    aligned: int  # shingles in shared runs, in order
    core_a: int  # shingles from the first shared run to the last
    core_b: int
    facts: tuple[tuple[str, str], ...]  # short differences: (in A, in B)
    candidate: bool  # the index offers one to the other (else the store never compares)

    @property
    def short(self) -> bool:
        return min(self.size_a, self.size_b) < SHORT_SHINGLES

    @property
    def cover(self) -> float:
        """The core's share of the shorter text."""
        core, size = min((self.core_a, self.size_a), (self.core_b, self.size_b), key=_size)
        return core / size if size else 0.0

    @property
    def part(self) -> float:
        """The core's share of the longer text."""
        core, size = max((self.core_a, self.size_a), (self.core_b, self.size_b), key=_size)
        return core / size if size else 0.0

    def agreement(self, fact_weight: int) -> float:
        """Shared shingles over the shingles of both cores (of both whole texts when one
        is short: there everything must agree), each differing fact weighing
        ``fact_weight`` shingles."""
        span_a, span_b = (self.size_a, self.size_b) if self.short else (self.core_a, self.core_b)
        denominator = span_a + span_b - self.aligned + fact_weight * len(self.facts)
        return self.aligned / denominator if denominator > 0 else 0.0

    def decision(self, t: Thresholds = THRESHOLDS) -> tuple[bool, str]:
        """Linked or not, and why."""
        if not self.candidate:
            return False, "not a candidate: no shared index key (too different)"
        cover, part = self.cover, self.part
        if cover < MIN_COVER:
            return False, f"the shared stretch is {cover:.0%} of the shorter text (< 50%)"
        if part < MIN_PART:
            return False, f"the shared stretch is {part:.0%} of the longer text (< a third)"
        threshold = t.short if self.short else t.similar
        score = self.agreement(t.fact_weight)
        what = "short text, agreement" if self.short else "core agreement"
        if score >= threshold:
            return True, f"{what} {score:.3f} >= {threshold}"
        return False, f"{what} {score:.3f} < {threshold}"

    @property
    def linked(self) -> bool:
        return self.decision()[0]


def _size(pair: tuple[int, int]) -> int:
    return pair[1]


def compare(a: Prepared, b: Prepared, *, candidate: bool = True) -> Comparison:
    """Score two prepared texts (decide with :meth:`Comparison.decision`). ``candidate``
    says whether the index offers them to each other at all (see :func:`shares_key`);
    the store only ever compares candidates."""
    set_a, set_b = a.shingles, b.shingles
    shared = int(np.count_nonzero(_found_in(set_a, set_b)))
    union = len(set_a) + len(set_b) - shared
    similarity = shared / union if union else 1.0
    containment = shared / min(len(set_a), len(set_b)) if union else 1.0
    runs = _contained(a, b)
    if runs is None:
        runs = _core(_aligned_runs(a, b), a.folded, b.folded)
    aligned = sum(length for _, _, length in runs)
    if runs:
        core_a = runs[-1][0] + runs[-1][2] - runs[0][0]
        core_b = runs[-1][1] + runs[-1][2] - runs[0][1]
    else:
        core_a = core_b = 0
    facts = tuple(_facts(a.folded, b.folded, runs))
    return Comparison(
        a.size, b.size, similarity, containment, aligned, core_a, core_b, facts, candidate
    )


def _contained(a: Prepared, b: Prepared) -> list[tuple[int, int, int]] | None:
    """The alignment when one folded text stands whole inside the other (a copy with
    another site's headline, source line or layout: the most common near duplicate): one
    run over all of the shorter, found by a substring search instead of the anchors.
    :func:`_aligned_runs` finds the same run whenever the shorter text has a shingle that
    occurs once in each; without one (the shorter text found twice in the longer, or made
    of repeats) it finds none, and a text standing whole inside another is a shared run
    all the same. None when neither contains the other."""
    short, long = (a, b) if len(a.folded) <= len(b.folded) else (b, a)
    if len(short.folded) < SHINGLE_SIZE + _MIN_RUN - 1:
        return None  # under one run of _MIN_RUN shingles
    at = long.folded.find(short.folded)
    if at < 0:
        return None
    return [(0, at, short.size)] if short is a else [(at, 0, short.size)]


def _aligned_runs(a: Prepared, b: Prepared) -> list[tuple[int, int, int]]:
    """Runs (start in a, start in b, length) of shingles that follow each other in both
    texts, at least ``_MIN_RUN`` long and not crossing one another.

    Runs grow from anchors, shingles that occur exactly once in each text (as in patience
    diff): from each, the run extends both ways as long as the texts agree, repeated
    shingles included. Then the longest runs are kept first, each if it stays in order
    with those kept before it (a headline that repeats the first sentence, a phrase
    that recurs, do not tangle the alignment)."""
    anchors_a, anchors_b = _anchors(a, b)
    shifts = anchors_b - anchors_a
    seq_a, seq_b = a.sequence, b.sequence
    positions, offsets = anchors_a.tolist(), shifts.tolist()
    runs: list[tuple[int, int, int]] = []
    covered_until = -1
    covered_shift = 0
    k = 0
    while k < len(positions):
        i, shift = positions[k], offsets[k]
        k += 1
        if shift == covered_shift and i < covered_until:
            continue  # inside the run found from an earlier anchor
        start = i - _agree(seq_a[i::-1], seq_b[i + shift :: -1]) + 1
        length = _agree(seq_a[start:], seq_b[start + shift :])
        covered_until, covered_shift = start + length, shift
        if length >= _MIN_RUN:
            runs.append((start, start + shift, length))
        # The anchors inside this run, on its diagonal, would each be skipped above:
        # skip them at once (a copy is one long run over thousands of anchors).
        end = int(np.searchsorted(anchors_a, covered_until))
        if end > k and bool(np.all(shifts[k:end] == shift)):
            k = end
    kept: list[tuple[int, int, int]] = []
    for run in sorted(runs, key=lambda r: (-r[2], r)):
        k = bisect.bisect(kept, run)
        before = kept[k - 1] if k else None
        after = kept[k] if k < len(kept) else None
        if before is not None and not _in_order(before, run):
            continue
        if after is not None and not _in_order(run, after):
            continue
        kept.insert(k, run)
    return kept


def _in_order(first: tuple[int, int, int], then: tuple[int, int, int]) -> bool:
    return first[0] + first[2] <= then[0] and first[1] + first[2] <= then[1]


def _core(
    runs: list[tuple[int, int, int]], folded_a: str, folded_b: str
) -> list[tuple[int, int, int]]:
    """The runs without stray ones at either end: an end run shorter both than its
    neighbour and than the difference that separates it from the rest (a name that recurs
    in the original's last paragraph and in an excerpt of its first half) does not
    stretch the core over everything in between. A fact-sized difference never cuts."""
    changed = True
    while changed and len(runs) > 1:
        changed = False
        for end, neighbour in ((0, 1), (-1, -2)):
            first, then = sorted((runs[end], runs[neighbour]))
            gap = _gap(first, then)
            if runs[end][2] < min(gap, runs[neighbour][2]) and not _is_fact(
                *_between(first, then, folded_a, folded_b)
            ):
                runs = runs[1:] if end == 0 else runs[:-1]
                changed = True
                break
    return runs


def _gap(first: tuple[int, int, int], then: tuple[int, int, int]) -> int:
    return max(then[0] - first[0] - first[2], then[1] - first[1] - first[2])


def _between(
    first: tuple[int, int, int], then: tuple[int, int, int], folded_a: str, folded_b: str
) -> tuple[str, str]:
    """What stands between two consecutive runs, in a and in b."""
    overlap = SHINGLE_SIZE - 1  # a shingle reaches this far past its start
    (a0, b0, n0), (a1, b1, _) = first, then
    return folded_a[a0 + n0 + overlap : a1], folded_b[b0 + n0 + overlap : b1]


def _anchors(a: Prepared, b: Prepared) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Positions (in a, in b; by position in a) of the shingles that occur once in each."""
    values_a, once_a = a.once
    values_b, once_b = b.once
    found = _found_in(values_a, values_b)
    pos_a = once_a[found]
    pos_b = once_b[np.searchsorted(values_b, values_a[found])]
    order = np.argsort(pos_a)
    return pos_a[order], pos_b[order]


def _found_in(values: NDArray[np.uint64], sorted_unique: NDArray[np.uint64]) -> NDArray[np.bool_]:
    """Which of ``values`` occur in ``sorted_unique`` (a sorted array of distinct values)."""
    if len(sorted_unique) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_unique, values), len(sorted_unique) - 1)
    found: NDArray[np.bool_] = sorted_unique[at] == values
    return found


def _agree(x: NDArray[np.uint64], y: NDArray[np.uint64]) -> int:
    """How many leading elements x and y have in common."""
    n = min(len(x), len(y))
    differ = np.flatnonzero(x[:n] != y[:n])
    return int(differ[0]) if len(differ) else n


def _facts(folded_a: str, folded_b: str, runs: list[tuple[int, int, int]]) -> list[tuple[str, str]]:
    """The short differences between consecutive shared runs: what stands in a where b
    has something else (or nothing), each at most FACT_CHARS long."""
    if not runs:
        return []
    gaps = [_between(x, y, folded_a, folded_b) for x, y in itertools.pairwise(runs)]
    # Before the first run and after the last, only a change on both sides is a fact
    # ("11-е совещание" / "25-е совещание"); text on one side only is an addition
    # (a headline, a source line, "Read more").
    overlap = SHINGLE_SIZE - 1
    (a0, b0, _), (a1, b1, n1) = runs[0], runs[-1]
    ends = [
        (folded_a[:a0], folded_b[:b0]),
        (folded_a[a1 + n1 + overlap :], folded_b[b1 + n1 + overlap :]),
    ]
    gaps += [(x, y) for x, y in ends if x and y]
    return [(x, y) for x, y in gaps if _is_fact(x, y)]


def _is_fact(in_a: str, in_b: str) -> bool:
    longest = max(_units(in_a), _units(in_b))
    return in_a != in_b and 0 < longest <= FACT_CHARS


_WIDE = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)


def _units(text: str) -> int:
    return len(text) + len(_WIDE.findall(text))
