"""The benchmarks still run, on a farm small enough for the suite: a benchmark that
nobody runs breaks silently (benchmarks/scale.py once did). The crawl benchmark's second
run also checks, end to end over loopback, the promise of the fetch layer: a re-run of
unchanged sites costs conditional requests only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_benchmark(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def table_row(output: str, crawler: str, run: str) -> list[str]:
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[:2] == [crawler, run]:
            return cells
    raise AssertionError(f"no {crawler} {run} row in:\n{output}")


def test_crawl_benchmark_and_an_unchanged_rerun_costs_conditional_requests_only() -> None:
    output = run_benchmark(
        "benchmarks/crawl.py", "--hosts", "2", "--articles", "3", "--skip-scrapy"
    )
    first = table_row(output, "nea-monitor", "first")
    second = table_row(output, "nea-monitor", "second")
    # columns: crawler, run, pages, wall, pages/s, CPU, RSS, requests, conditional, 304, MB
    assert first[2] == "10"  # 2 hosts x (2 listing pages + 3 articles)
    assert second[2] == "0"
    assert second[7] == second[8] == second[9] == "2"  # one 304 per listing, no robots.txt


def test_scale_benchmark(postgres_url: str) -> None:
    """Starts a PostgreSQL cluster of its own, like the suite's (hence the fixture: the
    same skip rule when PostgreSQL is not there)."""
    output = run_benchmark(
        "benchmarks/scale.py", "--hosts", "2", "--articles", "2", "--latency", "0.05",
        "--workers", "1",
    )  # fmt: skip
    assert "Capacity plan" in output
    # columns: workers, round, polls, pages, wall, pages/s, speedup, worker ms, db ms,
    # CPU busy, machine, failed, split
    rows = [row for row in map(str.split, output.splitlines()) if len(row) == 13]
    rounds = [(row[0], row[1], row[11]) for row in rows if row[0] == "1"]
    assert rounds == [("1", "first", "0"), ("1", "repoll", "0")]  # no failed polls


@pytest.mark.timeout(900)  # a few daemon start-ups, each seconds on a busy machine
def test_many_sources_benchmark_runs_on_a_small_farm() -> None:
    done = subprocess.run(
        [sys.executable, "benchmarks/many_sources.py", "--sources", "20", "--hosts", "4",
         "--interval", "6", "--idle-seconds", "1", "--one-host", "10",
         "--scenarios", "sqlite:1,one-host"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    output = done.stdout
    assert done.returncode == 0, output[-2000:] + done.stderr[-2000:]
    assert "every source polled once after" in output
    assert "twice after" in output
    assert "error lines in the logs: 0" in output
    assert "codes [0]" in output
    assert "- requests to the host: 21" in output  # robots.txt, 10 listings, 10 articles


def test_metadata_benchmark(tmp_path: Path) -> None:
    """On two pages of its data layout: titles and dates counted, ours and the peers."""
    import gzip
    import json
    import os

    pages = {
        "p1": ("Forum opens in Busan", "2020-02-24",
               '<meta property="article:published_time" content="2020-02-24T21:25:54-05:00">'),
        "p2": ("会谈", None, ""),
    }  # fmt: skip
    for folder in ("ground-truth", "html"):
        (tmp_path / "dev" / folder).mkdir(parents=True)
    for pid, (title, day, head) in pages.items():
        truth = {"url": f"https://example.org/{pid}", "ground_truth": {
            "title": title, "publish_date": day, "main_content": "x"}}  # fmt: skip
        html = (f"<html><head><title>{title} | NEAR</title>{head}</head><body><h1>{title}</h1>"
                "<p>The body of the page, one sentence long.</p></body></html>")  # fmt: skip
        (tmp_path / "dev" / "ground-truth" / f"{pid}.json.gz").write_bytes(
            gzip.compress(json.dumps(truth).encode())
        )
        (tmp_path / "dev" / "html" / f"{pid}.html.gz").write_bytes(gzip.compress(html.encode()))
    env = {**os.environ, "NEA_WCXB_BENCH_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "benchmarks/metadata.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=240, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| nea-monitor")]
    assert [row.split("|")[2].strip() for row in rows] == ["2/2", "1/1"]
    assert "| htmldate original_date | 1/1 |" in done.stdout
    assert "| trafilatura (metadata) |" in done.stdout


@pytest.mark.usefixtures("chromium")
def test_render_benchmark_renders_what_plain_http_cannot() -> None:
    output = run_benchmark("benchmarks/render.py", "--articles", "3")
    rows = {
        cells[0]: cells
        for line in output.splitlines()
        if line.startswith("| ") and (cells := [c.strip() for c in line.strip("|").split("|")])
    }
    # columns: mode, pages, with article text, wall, pages/s, browser MiB, starts, RSS
    assert rows["http"][1:3] == ["4", "0"]
    assert rows["browser"][1:3] == ["4", "3"]
    assert int(rows["browser"][6]) == 1


@pytest.mark.timeout(600)  # fingerprints the labelled set's real texts: slow on a busy machine
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_dedup_scale_benchmark(backend: str, request: pytest.FixtureRequest) -> None:
    """The bulk loader, the store's lookup timed alone and the cost report, on a database
    of a few hundred articles (a second run reuses it: nothing is loaded again)."""
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    args = ("benchmarks/dedup.py", "--scale", "300", "--db", url, "--rounds", "1")
    first = run_benchmark(*args)
    assert "loading 300 filler articles" in first
    assert "(32 of 32 found)" in first  # every copy in the batch found its original
    assert "ms CPU of this process" in first
    again = run_benchmark(*args)
    assert "loading" not in again
    assert "(32 of 32 found)" in again


def test_search_benchmark(db_url: str, tmp_path: Path) -> None:
    output = run_benchmark(
        "benchmarks/search.py", "--db", db_url, "--articles", "300", "--queries", "3",
        "--paragraphs", "60",
    )  # fmt: skip
    rows = {line.split()[0]: line.split() for line in output.splitlines() if line.strip()}
    assert rows["all"][1] == "15"  # 3 queries of each of the 5 kinds
    assert "bytes per article" in output


def test_read_benchmark() -> None:
    output = run_benchmark("benchmarks/read.py", "--articles", "300", "--requests", "2")
    cases = ("| feed", "| API", "| search", "| topic")
    rows = [line for line in output.splitlines() if line.startswith(cases)]
    assert len(rows) == 10, output  # every case answered 200 (else the benchmark exits 1)
