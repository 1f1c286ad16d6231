"""``scraper dedup explain A B``: why two articles are, or are not, near duplicates.

A and B are stored article ids (read from the database) or text files. The report gives
what the store decides on: whether the index offers one as a candidate for the other,
similarity and containment of the shingle sets, the aligned core, the differing facts
and the verdict with its reason.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from scraper.dedup import matching_bands
from scraper.dedup_verify import THRESHOLDS, Comparison, Prepared, compare, prepare
from scraper.errors import ConfigError
from storage.records import ArticleText


@dataclass(frozen=True)
class Side:
    label: str  # "article 12 (https://…)" or "file a.txt"
    text: str
    duplicate_of: int | None = None


def is_article_id(target: str) -> bool:
    return target.isdigit() and not Path(target).exists()


def read_file(target: str) -> Side:
    try:
        return Side(f"file {target}", Path(target).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError([f"error: cannot read {target}: {reason}"]) from None


def shared_keys(a: Prepared, b: Prepared) -> int:
    stored = set(enumerate(b.keys))
    return sum(
        any((match, value) in stored for match in matching_bands(band))
        for band, value in enumerate(a.keys)
    )


def report(a: Side, b: Side) -> list[str]:
    pa, pb = prepare(a.text), prepare(b.text)
    c = compare(pa, pb, candidate=shared_keys(pa, pb) > 0)
    return _lines(a, b, pa, pb, c)


def _lines(a: Side, b: Side, pa: Prepared, pb: Prepared, c: Comparison) -> list[str]:
    t = THRESHOLDS
    linked, reason = c.decision()
    keys = shared_keys(pa, pb)
    lines = [
        f"A: {a.label}: {len(a.text):,} characters, {c.size_a:,} shingles",
        f"B: {b.label}: {len(b.text):,} characters, {c.size_b:,} shingles",
        f"candidate:    {'yes' if keys else 'no'} ({keys} of {len(pa.keys)} index keys shared)",
        f"similarity:   {c.similarity:.3f} (Jaccard of the shingle sets)",
        f"containment:  {c.containment:.3f} (of the shorter text's shingles in the longer)",
        f"aligned:      {c.aligned:,} shingles in order; the shared stretch covers "
        f"{c.cover:.0%} of the shorter text and {c.part:.0%} of the longer",
    ]
    if c.facts:
        facts = "; ".join(f"{x or '(nothing)'!r} -> {y or '(nothing)'!r}" for x, y in c.facts)
        lines.append(f"differing facts ({len(c.facts)}, folded): {facts}")
    else:
        lines.append("differing facts: none")
    what = "agreement (whole texts, one is short)" if c.short else "core agreement"
    threshold = t.short if c.short else t.similar
    lines.append(
        f"{what}: {c.agreement(t.fact_weight):.3f} (each fact weighs {t.fact_weight} "
        f"shingles; threshold {threshold})"
    )
    lines.append(f"verdict:      {'near duplicates' if linked else 'distinct'} ({reason})")
    for side, name in ((a, "A"), (b, "B")):
        if side.duplicate_of is not None:
            lines.append(f"stored:       {name} is a duplicate of article {side.duplicate_of}")
    return lines


Loader = Callable[[list[int]], Awaitable[dict[int, ArticleText]]]


async def explain(args: argparse.Namespace, load: Loader) -> int:
    """Run the command; ``load`` fetches stored articles by id (see scraper.commands)."""
    sides: list[Side | None] = [
        None if is_article_id(t) else await asyncio.to_thread(read_file, t) for t in args.targets
    ]
    ids = [int(t) for t, side in zip(args.targets, sides, strict=True) if side is None]
    stored = await load(ids) if ids else {}
    resolved: list[Side] = []
    for target, side in zip(args.targets, sides, strict=True):
        if side is not None:
            resolved.append(side)
            continue
        row = stored.get(int(target))
        if row is None:
            raise ConfigError([f"error: no stored article with id {target}"])
        resolved.append(Side(f"article {target} ({row.url})", row.text, row.duplicate_of))
    lines = await asyncio.to_thread(report, resolved[0], resolved[1])
    print("\n".join(lines))
    return 0
