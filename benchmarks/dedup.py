"""Near-duplicate detection: precision/recall of the simhash threshold on the labelled pair
set (tests/dedup/pairs), per threshold, per kind of pair and per language, plus the cost
of fingerprinting a 5 KB article.

    .venv/bin/python benchmarks/dedup.py
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scraper.dedup import (
    NEAR_DUPLICATE_DISTANCE,
    content_hash,
    simhash64,
    simhash_bands,
)
from tests.dedup.pairs.evaluate import Scored, score_pairs, scores
from tests.dedup.pairs.generate import LANGUAGES, build_pairs, load


def threshold_table(scored: list[Scored]) -> None:
    print("threshold  precision  recall    F1     TP   FP   FN")
    for threshold in range(0, 21):
        s = scores(scored, threshold)
        mark = "  <- NEAR_DUPLICATE_DISTANCE" if threshold == NEAR_DUPLICATE_DISTANCE else ""
        print(
            f"{threshold:9d}  {s.precision:9.3f}  {s.recall:6.3f}  {s.f1:5.3f}"
            f"  {s.tp:4d} {s.fp:4d} {s.fn:4d}{mark}"
        )


def by_kind(scored: list[Scored]) -> None:
    groups: dict[tuple[bool, str], list[int]] = defaultdict(list)
    for item in scored:
        groups[(item.pair.label, item.pair.kind)].append(item.distance)
    print(f"\nper kind at threshold {NEAR_DUPLICATE_DISTANCE} (distance 65 = too short to compare)")
    print("label      kind                 pairs  flagged  median  min  max")
    for (label, kind), values in sorted(groups.items()):
        flagged = sum(d <= NEAR_DUPLICATE_DISTANCE for d in values)
        print(
            f"{'near-dup' if label else 'distinct':9s}  {kind:19s}  {len(values):5d}  "
            f"{flagged:7d}  {statistics.median(values):6.1f}  {min(values):3d}  {max(values):3d}"
        )


def by_language(scored: list[Scored]) -> None:
    print(f"\nper language at threshold {NEAR_DUPLICATE_DISTANCE}")
    for language in LANGUAGES:
        s = scores([i for i in scored if i.pair.language == language], NEAR_DUPLICATE_DISTANCE)
        print(
            f"  {language}: precision {s.precision:.3f}  recall {s.recall:.3f}"
            f"  ({s.tp}/{s.tp + s.fn})"
        )


def five_kb(language: str) -> str:
    corpus = load(language)
    text = "\n\n".join(body for _topic, body in corpus.articles.values())
    while len(text.encode()) < 5000:
        text += "\n\n" + text
    return text.encode()[:5000].decode("utf-8", errors="ignore")


def speed() -> None:
    print("\nfingerprint cost of a 5 KB article (best of 5 runs of 200)")
    for language in LANGUAGES:
        text = five_kb(language)
        best_sim = best_hash = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(200):
                simhash64(text)
            best_sim = min(best_sim, (time.perf_counter() - start) / 200)
            start = time.perf_counter()
            for _ in range(200):
                content_hash(text)
            best_hash = min(best_hash, (time.perf_counter() - start) / 200)
        print(
            f"  {language}: simhash64 {best_sim * 1e6:7.0f} µs   content_hash "
            f"{best_hash * 1e6:5.0f} µs   ({len(text)} characters)"
        )


def candidate_rate() -> None:
    """How often two unrelated articles share a band (each such pair is a candidate the
    store fetches and checks with hamming)."""
    hashes = []
    for language in LANGUAGES:
        for _topic, body in load(language).articles.values():
            h = simhash64(body)
            if h is not None:
                hashes.append(simhash_bands(h))
    pairs = shared = 0
    for i, a in enumerate(hashes):
        for b in hashes[i + 1 :]:
            pairs += 1
            shared += any(x == y for x, y in zip(a, b, strict=True))
    bands = NEAR_DUPLICATE_DISTANCE + 1
    print(
        f"\n{bands} bands; distinct articles sharing a band: {shared}/{pairs}"
        f" (random 64-bit hashes: {sum(2.0**-w for w in _widths(bands)):.2%})"
    )


def _widths(bands: int) -> list[int]:
    base, extra = divmod(64, bands)
    return [base + 1 if i < extra else base for i in range(bands)]


def main() -> None:
    pairs = build_pairs()
    positives = sum(p.label for p in pairs)
    print(
        f"{len(pairs)} labelled pairs: {positives} near duplicates,"
        f" {len(pairs) - positives} distinct"
    )
    print(f"languages: {', '.join(LANGUAGES)}\n")
    scored = score_pairs(pairs)
    threshold_table(scored)
    by_kind(scored)
    by_language(scored)
    candidate_rate()
    speed()


if __name__ == "__main__":
    main()
