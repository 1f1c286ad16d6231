"""Metadata benchmark: titles and publication dates, ours against peers, on the same pages.

WCXB's development split is the data with metadata ground truth (every page has a title,
782 of 1,497 a publication date; ScrapingHub's ground truth holds only the body, so it
has nothing to score here). Titles are scored as WCXB scores them (equal after NFKC,
whitespace collapsed, case folded), against trafilatura's metadata; dates as the same
calendar day as ``publish_date``, against htmldate (default settings, and with
``original_date=True``, the setting for a publication date rather than the latest one).
Only each peer's call is timed; all run in this one process, back to back.

    python benchmarks/metadata.py                 # everything
    python benchmarks/metadata.py --limit 200     # a quick look
    python benchmarks/metadata.py --misses 20     # and show 20 pages each of ours got wrong

The data folder is ``$NEA_WCXB_BENCH_DIR`` or ``<repo>/../shared/benchmarks/wcxb``.
``report()`` prints the same table; ``benchmarks/extraction.py`` calls it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@dataclass(frozen=True)
class Page:
    id: str
    url: str
    html: str
    title: str | None
    date: str | None  # YYYY-MM-DD


@dataclass
class Score:
    name: str
    right: int = 0
    scored: int = 0
    seconds: float = 0.0
    calls: int = 0

    def line(self) -> str:
        share = self.right / self.scored if self.scored else float("nan")
        rate = self.calls / self.seconds if self.seconds else float("nan")
        return f"| {self.name} | {self.right}/{self.scored} | {share:.3f} | {rate:.0f} |"


def bench_dir() -> Path:
    env = os.environ.get("NEA_WCXB_BENCH_DIR")
    return Path(env) if env else REPO.parent / "shared" / "benchmarks" / "wcxb"


def load_pages(limit: int = 0) -> list[Page]:
    data = bench_dir() / "dev"
    if not data.is_dir():
        raise SystemExit(f"benchmark data not found: {data} (set NEA_WCXB_BENCH_DIR)")
    pages = []
    for path in sorted((data / "ground-truth").glob("*.json.gz")):
        record = json.loads(gzip.decompress(path.read_bytes()))
        truth = record.get("ground_truth") or {}
        pid = path.name.split(".")[0]
        html = gzip.decompress((data / "html" / f"{pid}.html.gz").read_bytes())
        date = truth.get("publish_date")
        pages.append(
            Page(
                id=pid,
                url=record.get("url") or "",
                html=html.decode("utf-8", "replace"),
                title=truth.get("title") or None,
                date=str(date)[:10] if date else None,
            )
        )
        if limit and len(pages) >= limit:
            break
    return pages


def norm_title(title: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", title or "").casefold().split())


def ours(page: Page) -> tuple[str, str | None]:
    from scraper.extract import extract

    article = extract(page.html, url=page.url or None)
    published = article.published_at
    return article.title, published.isoformat()[:10] if published is not None else None


def trafilatura_title(page: Page) -> str | None:
    from trafilatura import extract_metadata

    meta = extract_metadata(page.html, default_url=page.url or None)
    return meta.title if meta is not None else None


def htmldate_default(page: Page) -> str | None:
    from htmldate import find_date

    return find_date(page.html, url=page.url or None)


def htmldate_original(page: Page) -> str | None:
    from htmldate import find_date

    return find_date(page.html, url=page.url or None, original_date=True)


def timed(fn: Callable[[Page], Any], page: Page) -> tuple[Any, float]:
    start = time.perf_counter()
    try:
        out = fn(page)
    except Exception:  # a peer that raises scores a miss on that page
        out = None
    return out, time.perf_counter() - start


def run(
    pages: list[Page], peers: bool = True
) -> tuple[list[Score], list[Score], list[dict[str, Any]]]:
    """Every page through ours; each peer through the pages it is scored on."""
    titles = [Score("nea-monitor")] + ([Score("trafilatura (metadata)")] if peers else [])
    dates = [Score("nea-monitor")]
    if peers:
        dates += [Score("htmldate"), Score("htmldate original_date")]
    misses: list[dict[str, Any]] = []
    for page in pages:
        result, spent = timed(ours, page)
        title, date = result if result is not None else ("", None)
        for score in (titles[0], dates[0]):
            score.seconds, score.calls = score.seconds + spent, score.calls + 1
        if page.title:
            _score(titles[0], norm_title(title) == norm_title(page.title))
            if norm_title(title) != norm_title(page.title):
                misses.append({"id": page.id, "field": "title", "want": page.title, "got": title})
            if peers:
                peer_title, spent = timed(trafilatura_title, page)
                _timed_score(titles[1], spent, norm_title(peer_title) == norm_title(page.title))
        if page.date:
            _score(dates[0], date == page.date)
            peer_dates = {}
            if peers:
                for score, fn in ((dates[1], htmldate_default), (dates[2], htmldate_original)):
                    value, spent = timed(fn, page)
                    peer_dates[score.name] = value
                    _timed_score(score, spent, value == page.date)
            if date != page.date:
                misses.append({"id": page.id, "field": "date", "want": page.date, "got": date,
                               **peer_dates})  # fmt: skip
    return titles, dates, misses


def _score(score: Score, right: bool) -> None:
    score.scored += 1
    score.right += right


def _timed_score(score: Score, spent: float, right: bool) -> None:
    score.seconds, score.calls = score.seconds + spent, score.calls + 1
    _score(score, right)


def table(title: str, scores: list[Score]) -> Iterator[str]:
    yield f"\n{title}\n"
    yield "| extractor | right | accuracy | calls/s |"
    yield "|---|---:|---:|---:|"
    for score in scores:
        yield score.line()


def report(limit: int = 0, misses: int = 0, peers: bool = True) -> None:
    """Print title accuracy and date exact-day accuracy, ours against the peers."""
    pages = load_pages(limit)
    titles, dates, missed = run(pages, peers)
    print(f"\n## Metadata: WCXB dev split, {len(pages)} pages")
    for line in table("Titles (equal after NFKC, case folded)", titles):
        print(line)
    for line in table("Publication dates (exact calendar day)", dates):
        print(line)
    print(
        "\nnea-monitor calls/s: the whole extract() (text, title, date) on every page; "
        "peers: their call, on the pages they are scored on."
    )
    for miss in [m for m in missed if m["field"] == "title"][:misses]:
        print("title", json.dumps(miss, ensure_ascii=False))
    for miss in [m for m in missed if m["field"] == "date"][:misses]:
        print("date", json.dumps(miss, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="first N pages only")
    parser.add_argument("--misses", type=int, default=0, help="show N pages ours got wrong")
    parser.add_argument("--no-peers", action="store_true", help="ours only (quicker)")
    args = parser.parse_args()
    report(args.limit, args.misses, peers=not args.no_peers)


if __name__ == "__main__":
    main()
