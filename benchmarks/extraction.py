"""Main-content extraction benchmark: nea-monitor's extractor against its peers, one run.

Two data sets, one process: the ScrapingHub dev split (news and blogs) and the WCXB dev
split (1,497 pages of 7 page types: articles, services, products, collections, forums,
listings, documentation; CC-BY-4.0, Murrough Foley 2026). Then the title/date section of
``benchmarks/metadata.py`` when that module exists.

ScrapingHub: every extractor is scored on the same pages with the shared scorer
(``<repo>/../shared/benchmarks/extraction/evaluate.py``: 4-gram shingle P/R/F1) and times
the extraction call only, in this one process, back to back, so speed ratios are fair on
a busy machine. Prints a Markdown table, our per-page time distribution and slowest
pages, peak memory (measured in a fresh child process per extractor), and optionally the
time of ``extract()`` against page size.

WCXB: ours and trafilatura (default settings) with the split's own scorer (bag-of-words
F1 per page, averaged), per page type and overall, pages/s (extractors interleaved page
by page) and the run's peak RSS.

    python benchmarks/extraction.py                       # both dev splits (make bench-extraction)
    python benchmarks/extraction.py --extractors ours,trafilatura,readability,justext
    python benchmarks/extraction.py --repeat 5 --scaling  # steadier timing + size curve
    python benchmarks/extraction.py --split holdout       # needs EXTRACTION_HOLDOUT_DIR
    python benchmarks/extraction.py --no-wcxb             # ScrapingHub only

The data folders are ``$NEA_EXTRACTION_BENCH_DIR`` or ``<repo>/../shared/benchmarks/extraction``
and ``$NEA_WCXB_DIR`` or ``<repo>/../shared/benchmarks/wcxb``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import gzip
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

Extractor = Callable[[str, str], Any]
PEERS = ("trafilatura",)  # more with --extractors: readability, justext, selectolax_alltext
WCXB_PEERS = ("ours", "trafilatura")
LABELS = {
    "ours": "nea-monitor `scraper.extract`",
    "trafilatura": "trafilatura",
    "readability": "readability-lxml",
    "justext": "jusText",
    "selectolax_alltext": "all text (selectolax body)",
    "resiliparse": "resiliparse",
}
WARMUP_PAGES = 8
# Warm-up pages need not load everything: a page that declares no language makes an
# extractor load its language model (ours does only then), so every extractor reads one.
WARMUP_UNDECLARED = (
    "<html><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
    + "<p>This paragraph declares no language, so the extractor has to detect it.</p>" * 5
    + "</article></body></html>"
)


def bench_dir() -> Path:
    env = os.environ.get("NEA_EXTRACTION_BENCH_DIR")
    return Path(env) if env else REPO.parent / "shared" / "benchmarks" / "extraction"


def load_evaluate() -> ModuleType:
    return load_scorer(bench_dir() / "evaluate.py", "NEA_EXTRACTION_BENCH_DIR")


def load_scorer(path: Path, env_name: str) -> ModuleType:
    """A data set's own ``evaluate.py``, imported from its folder."""
    if not path.exists():
        raise SystemExit(f"benchmark data not found: {path} (set {env_name})")
    spec = importlib.util.spec_from_file_location(f"nea_{path.parent.name}_evaluate", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ours(html: str, url: str) -> str:
    from scraper.extract import extract

    return extract(html, url=url or None).text


def make_extractor(ev: ModuleType, name: str) -> tuple[Extractor, str]:
    if name == "ours":
        from importlib.metadata import version

        return ours, f"nea-monitor {version('nea-monitor')}"
    fn, ver = ev.load_python_extractor(name)
    return fn, str(ver)


def warm_up(fn: Extractor, pages: list[Any]) -> None:
    """Untimed calls so one-time loads (models, caches) are not counted as page time."""
    inputs = [(page.html, page.url) for page in pages[:WARMUP_PAGES]]
    for html, url in [*inputs, (WARMUP_UNDECLARED, "https://example.com/warm-up")]:
        with contextlib.suppress(Exception):  # a peer's failure is scored later, not here
            fn(html, url)


def timed_pass(fn: Extractor, pages: list[Any]) -> tuple[dict[str, str], list[float], int]:
    """One pass over ``pages``: outputs, seconds per page (extraction call only), errors."""
    preds: dict[str, str] = {}
    times: list[float] = []
    errors = 0
    for page in pages:
        start = time.perf_counter()
        try:
            out = fn(page.html, page.url)
        except Exception:  # scored as an empty output, like the shared evaluator does
            out, errors = "", errors + 1
        times.append(time.perf_counter() - start)
        preds[page.id] = out if isinstance(out, str) else (out or {}).get("text", "") or ""
    return preds, times, errors


def run_all(
    ev: ModuleType, names: list[str], pages: list[Any], repeat: int
) -> list[dict[str, Any]]:
    """Timed passes interleaved across extractors (A B C, A B C, ...); best total kept.

    Interleaving gives every extractor the same share of a busy machine's good and bad
    moments, so the speed ratios are fair even when absolute numbers drift.
    """
    fns = {}
    for name in names:
        fns[name] = make_extractor(ev, name)
        warm_up(fns[name][0], pages)
    best: dict[str, tuple[dict[str, str], list[float], int]] = {}
    for _ in range(max(1, repeat)):
        for name in names:
            gc.collect()
            result = timed_pass(fns[name][0], pages)
            if name not in best or sum(result[1]) < sum(best[name][1]):
                best[name] = result
    return [summarise(ev, name, fns[name][1], pages, *best[name]) for name in names]


def summarise(
    ev: ModuleType,
    name: str,
    version: str,
    pages: list[Any],
    preds: dict[str, str],
    times: list[float],
    errors: int,
) -> dict[str, Any]:
    rows = []
    for page, seconds in zip(pages, times, strict=True):
        row = ev.page_scores(page.truth, preds.get(page.id, ""), 4)
        row.update(id=page.id, url=page.url, seconds=seconds, size=len(page.raw))
        rows.append(row)
    total = sum(times)
    return {
        "name": name,
        "version": version,
        **ev.aggregate(rows),
        "pages_per_s": len(pages) / total if total else float("nan"),
        "empty": sum(1 for p in pages if not ev.tokens(preds.get(p.id))),
        "errors": errors,
        "rows": rows,
    }


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def memory_probe(name: str, split_dir: Path) -> None:
    """Child-process mode: print peak RSS (KiB) while extracting every page, and its growth.

    The pages are loaded and one page is extracted first; then the kernel's high-water
    mark is reset (``/proc/self/clear_refs``) so the peak is that of extraction alone.
    """
    ev = load_evaluate()
    pages = ev.load_split(split_dir)
    fn, _ = make_extractor(ev, name)
    warm_up(fn, pages)
    gc.collect()
    before = _status_kib("VmRSS")
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    for page in pages:
        with contextlib.suppress(Exception):
            fn(page.html, page.url)
    peak = _status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_rss_kib": peak, "growth_kib": peak - (before or peak)}))


def measure_memory(name: str, split_dir: Path) -> dict[str, int] | None:
    cmd = [sys.executable, __file__, "--memory-probe", name, "--data-dir", str(split_dir)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=True)
        result: dict[str, int] = json.loads(out.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError):
        return None
    return result


def scaling(pages: list[Any], sizes: list[int]) -> list[tuple[int, float, int]]:
    """Time ``extract()`` on a ~60 KB real page grown to each size by repeating its body."""
    from scraper.extract import extract

    base = min(pages, key=lambda p: abs(len(p.html) - 60_000)).html
    head, _, rest = base.partition("<body")
    inner = rest.partition(">")[2].rpartition("</body>")[0]
    results = []
    for size in sizes:
        copies = max(1, round(size / max(1, len(base))))
        html = f"{head}<body>{inner * copies}</body></html>"
        best, chars = float("inf"), 0
        for _ in range(3):
            t0 = time.perf_counter()
            chars = len(extract(html).text)
            best = min(best, time.perf_counter() - t0)
        results.append((len(html), best, chars))
    return results


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(results: list[dict[str, Any]], memory: dict[str, dict[str, int] | None]) -> None:
    traf = next((r for r in results if r["name"] == "trafilatura"), None)
    print("| extractor | version | F1 | precision | recall | pages/s | × trafilatura | empty |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        ratio = f"{r['pages_per_s'] / traf['pages_per_s']:.1f}" if traf else "–"
        print(
            f"| {LABELS.get(r['name'], r['name'])} | {r['version']} | {r['f1']:.3f} | "
            f"{r['precision']:.3f} | {r['recall']:.3f} | {r['pages_per_s']:.0f} | {ratio} | "
            f"{r['empty']} |"
        )
    print()
    for r in results:
        times = [row["seconds"] * 1000 for row in r["rows"]]
        mem = memory.get(r["name"])
        mem_s = f", peak RSS {mem['peak_rss_kib'] / 1024:.0f} MiB" if mem else ""
        growth = f" (+{mem['growth_kib'] / 1024:.1f} MiB over the loaded pages)" if mem else ""
        print(
            f"{r['name']}: per-page ms median {statistics.median(times):.2f}, "
            f"p90 {percentile(times, 0.9):.2f}, p99 {percentile(times, 0.99):.2f}, "
            f"max {max(times):.2f}{mem_s}{growth}"
        )
    mine = next((r for r in results if r["name"] == "ours"), None)
    if mine is not None:
        print("\nour slowest pages:")
        for row in sorted(mine["rows"], key=lambda x: x["seconds"], reverse=True)[:3]:
            print(f"  {row['seconds'] * 1000:.2f} ms  {row['size'] / 1024:.0f} KiB  {row['url']}")
    if mine is not None and traf is not None:
        print("\n" + bars(mine, traf))


def bars(mine: dict[str, Any], traf: dict[str, Any]) -> str:
    """The issue's acceptance bars, checked on this run."""

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    speed = mine["pages_per_s"] / traf["pages_per_s"]
    return (
        f"bars: F1 {mine['f1']:.3f} >= {traf['f1']:.3f} + 0.01 "
        f"({verdict(mine['f1'] >= traf['f1'] + 0.01)}); "
        f"P >= trafilatura - 0.02 ({verdict(mine['precision'] >= traf['precision'] - 0.02)}); "
        f"R >= trafilatura - 0.02 ({verdict(mine['recall'] >= traf['recall'] - 0.02)}); "
        f"speed {speed:.1f}x trafilatura ({verdict(speed >= 5)})"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--split", choices=["dev", "holdout"], default="dev")
    ap.add_argument("--data-dir", type=Path, help="a folder laid out like dev/ (overrides --split)")
    ap.add_argument("--extractors", default="ours," + ",".join(PEERS))
    ap.add_argument("--repeat", type=int, default=3, help="timed passes; the best total is kept")
    ap.add_argument(
        "--memory", action="store_true", help="ScrapingHub peak memory, one child run each"
    )
    ap.add_argument("--no-wcxb", action="store_true", help="skip the WCXB dev split")
    ap.add_argument("--scaling", action="store_true", help="time extract() vs page size")
    ap.add_argument("--per-page", type=Path, help="write our per-page rows as JSON lines")
    ap.add_argument("--json-out", type=Path, help="write the summary as JSON")
    ap.add_argument("--memory-probe", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.data_dir is not None:
        split_dir = args.data_dir
    elif args.split == "dev":
        split_dir = bench_dir() / "dev"
    else:
        split_dir = Path(os.environ.get("EXTRACTION_HOLDOUT_DIR", bench_dir() / "holdout"))
    if args.memory_probe:
        memory_probe(args.memory_probe, split_dir)
        return 0

    ev = load_evaluate()
    pages = ev.load_split(split_dir)
    names = [n.strip() for n in args.extractors.split(",") if n.strip()]
    print(f"split {split_dir} ({len(pages)} pages), Python {platform.python_version()},")
    print(
        f"{os.cpu_count()} CPUs, {args.repeat} interleaved timed passes (best kept); "
        "extraction call only, one process\n"
    )
    results = run_all(ev, names, pages, args.repeat)
    memory = {n: measure_memory(n, split_dir) for n in names} if args.memory else {}
    report(results, memory)
    if args.scaling:
        print("\nextract() time vs page size (a real page's body repeated):")
        for size, seconds, chars in scaling(pages, [100_000, 1_000_000, 5_000_000, 20_000_000]):
            print(f"  {size / 1e6:6.1f} MB  {seconds * 1000:8.1f} ms  ({chars} chars of text)")
    mine = next((r for r in results if r["name"] == "ours"), None)
    if args.per_page and mine is not None:
        with args.per_page.open("w", encoding="utf-8") as fh:
            for row in mine["rows"]:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    wcxb: list[dict[str, Any]] = []
    if not args.no_wcxb:
        print("\n## WCXB dev split\n")
        wcxb = wcxb_run([n for n in WCXB_PEERS if n in names or n == "ours"])
        wcxb_report(wcxb)
    if args.json_out:
        summary = [{k: v for k, v in r.items() if k != "rows"} for r in results]
        wcxb_summary = [{k: v for k, v in r.items() if k != "pages"} for r in wcxb]
        args.json_out.write_text(
            json.dumps({"results": summary, "memory": memory, "wcxb": wcxb_summary}, indent=2)
        )
    metadata_report()
    return 0


def metadata_report() -> None:
    """The title/date section, when ``benchmarks/metadata.py`` is there (same process)."""
    try:
        from benchmarks import metadata
    except ImportError:
        return
    print("\n## Titles and dates\n")
    metadata.report()


def wcxb_dir() -> Path:
    env = os.environ.get("NEA_WCXB_DIR")
    return Path(env) if env else REPO.parent / "shared" / "benchmarks" / "wcxb"


def load_wcxb() -> tuple[ModuleType, list[dict[str, Any]]]:
    """The WCXB scorer module and the dev pages (id, url, type, html, truth)."""
    ev = load_scorer(wcxb_dir() / "evaluate.py", "NEA_WCXB_DIR")
    pages = []
    data = wcxb_dir() / "dev"
    for truth_file in sorted(data.glob("ground-truth/*.json.gz")):
        doc = json.loads(gzip.decompress(truth_file.read_bytes()))
        pid = truth_file.name.split(".")[0]
        raw = gzip.decompress((data / "html" / f"{pid}.html.gz").read_bytes())
        pages.append(
            {
                "id": pid,
                "url": doc.get("url") or "",
                "type": ev.page_type(doc),
                "html": raw.decode("utf-8", "replace"),
                "truth": (doc.get("ground_truth") or {}).get("main_content") or "",
            }
        )
    return ev, pages


def wcxb_extractor(name: str) -> Extractor:
    if name == "ours":
        return ours
    if name == "trafilatura":
        import trafilatura

        def traf(html: str, url: str) -> str:
            return trafilatura.extract(html, url=url or None) or ""

        return traf
    raise SystemExit(f"no WCXB adapter for {name}")


def wcxb_run(names: list[str]) -> list[dict[str, Any]]:
    """All extractors on each page in turn (interleaved), so a busy machine's slow and
    fast moments fall on all of them alike and the pages/s ratio is fair; the peak RSS
    is the whole run's (the loaded pages are most of it)."""
    ev, pages = load_wcxb()
    print(f"{len(pages)} pages; extractors interleaved page by page, extraction call only\n")
    fns = {name: wcxb_extractor(name) for name in names}
    for fn in fns.values():
        warm_up(fn, [_Page(p) for p in pages])
    gc.collect()
    with contextlib.suppress(OSError):  # reset the high-water mark for this run
        Path("/proc/self/clear_refs").write_text("5")
    spent = dict.fromkeys(names, 0.0)
    rows: dict[str, dict[str, list[float]]] = {name: {} for name in names}
    for page in pages:
        for name, fn in fns.items():
            start = time.perf_counter()
            try:
                out = fn(page["html"], page["url"])
            except Exception:  # scored as empty, like the split's own evaluator does
                out = ""
            spent[name] += time.perf_counter() - start
            f1 = ev.word_prf(out or "", page["truth"])[2]
            rows[name].setdefault(page["type"], []).append(f1)
    peak = _status_kib("VmHWM")
    return [
        {
            "name": name,
            "f1_by_type": {t: sum(v) / len(v) for t, v in sorted(rows[name].items())},
            "f1": sum(sum(v) for v in rows[name].values()) / len(pages),
            "pages_per_s": len(pages) / spent[name] if spent[name] else float("nan"),
            "peak_rss_mib": peak / 1024 if peak else None,
            "pages": {t: len(v) for t, v in rows[name].items()},
        }
        for name in names
    ]


class _Page:
    """The attributes ``warm_up`` reads, over a WCXB page dict."""

    def __init__(self, page: dict[str, Any]) -> None:
        self.html = page["html"]
        self.url = page["url"]


def wcxb_report(results: list[dict[str, Any]]) -> None:
    if not results:
        return
    counts = results[0]["pages"]
    types = list(results[0]["f1_by_type"])
    print("| page type | pages | " + " | ".join(r["name"] for r in results) + " |")
    print("|---|---:|" + "---:|" * len(results))
    for t in types:
        cells = " | ".join(f"{r['f1_by_type'][t]:.3f}" for r in results)
        print(f"| {t} | {counts[t]} | {cells} |")
    total = sum(counts.values())
    print(f"| **overall** | {total} | " + " | ".join(f"**{r['f1']:.3f}**" for r in results) + " |")
    print("| pages/s | | " + " | ".join(f"{r['pages_per_s']:.1f}" for r in results) + " |")
    rss = results[0]["peak_rss_mib"]
    print(f"\npeak RSS of the run (all extractors, pages loaded): {rss:.0f} MiB" if rss else "")
    mine = next((r for r in results if r["name"] == "ours"), None)
    traf = next((r for r in results if r["name"] == "trafilatura"), None)
    if mine is None or traf is None:
        return
    speed = mine["pages_per_s"] / traf["pages_per_s"]
    art_m, art_t = mine["f1_by_type"].get("article", 0.0), traf["f1_by_type"].get("article", 0.0)
    print(
        f"\nbars: overall {mine['f1']:.3f} >= {traf['f1']:.3f} + 0.02 "
        f"({'met' if mine['f1'] >= traf['f1'] + 0.02 else 'NOT met'}); "
        f"articles {art_m:.3f} >= {art_t:.3f} + 0.01 "
        f"({'met' if art_m >= art_t + 0.01 else 'NOT met'}); "
        f"speed {speed:.1f}x trafilatura ({'met' if speed >= 5 else 'NOT met'})"
    )


if __name__ == "__main__":
    sys.exit(main())
