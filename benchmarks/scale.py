"""Scale-out benchmark: 1, 2 and 4 worker processes on one PostgreSQL, polling a
latency-bound farm of local sites, and a capacity plan computed from what they measure.

The farm is ``benchmarks/crawl.py``'s: one process serving N hosts on distinct loopback
addresses (127.0.0.2, 127.0.0.3, ... on one port), each with robots.txt, a two-page
listing and 25 realistic articles (30-60 KB, legacy charsets, ETag/304, gzip), every
answer delayed by ``--latency`` seconds. The database is a throwaway PostgreSQL cluster of
the benchmark's own (``scripts/pg-test-cluster.sh``), so its CPU can be measured apart.

Each worker is a process that opens the ``Service`` exactly as ``scraper run`` does and
starts the poll of every source at once; the database lease (``claim_source``: SELECT …
FOR UPDATE SKIP LOCKED on a due row) decides which worker polls which source, as it does
between daemons. (The daemon's APScheduler only decides *when* a worker asks; here every
worker asks at once, which is the start of a deployment or its busiest minute.) Two
rounds per worker count, each on a fresh database:

- ``first``: everything is new: every listing page and article is fetched, extracted,
  deduplicated, stored with its version, bands, event and delivery (a JSONL channel);
- ``repoll``: the same sources made due again with nothing changed: a conditional GET
  of each listing answered 304 — what the steady state mostly costs.

Measured per round: wall time from "go" to the last worker's end, pages (HTML answered
200), pages/s, worker CPU ms per page (user + system of the worker processes), database
CPU ms per page (the PostgreSQL cluster's processes, reaped backends included), and the
database bytes written per stored article. The capacity plan for ``--plan-sources``
sources every ``--plan-interval`` minutes follows from those figures; its assumptions are
flags and are printed with it.

    python benchmarks/scale.py                       # 64 hosts, 1 s latency, 1/2/4 workers
    python benchmarks/scale.py --hosts 32 --latency 0.5 --workers 1,2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.crawl import farm_call, free_port, serve_farm  # noqa: E402
from tests.scale.pgcluster import Cluster as TestCluster  # noqa: E402

TABLES = ("articles", "article_versions", "simhash_bands", "events", "deliveries", "sources",
          "fetch_state")  # fmt: skip
CLK_TCK = os.sysconf("SC_CLK_TCK")
FETCH_CONCURRENCY = 32  # FetchSettings.max_concurrency: requests in flight per worker
START_SPREAD = 2.0  # seconds over which a worker starts its polls


# The worker process ------------------------------------------------------------------------


async def worker_main(config_path: str, db_url: str) -> None:
    """Open the service as ``scraper run`` does (but parsing inline, so that this
    process's CPU time is the worker's whole cost); then, for every "go" line on stdin,
    poll every source the lease lets this process have, deliver, and print what it did as
    JSON. The process stays up between rounds, warm like a running daemon."""
    from scraper.config import load_config
    from scraper.service import Service

    config = load_config(config_path)
    service = await Service.open(config, db_url, migrate=False)
    sources = list(config.enabled_sources)
    print("ready", flush=True)
    while (await asyncio.to_thread(sys.stdin.readline)).strip() == "go":
        random.shuffle(sources)
        cpu0, wall0 = time.process_time(), time.monotonic()
        reports = await asyncio.gather(*(poll_later(service, s) for s in sources))
        await service.deliver_all()
        mine = [r for r in reports if r is not None]
        result = {
            "polled": len(mine),
            "failed": sum(1 for r in mine if not r.ok),
            "new": sum(r.new for r in mine),
            "cpu": time.process_time() - cpu0,
            "wall": time.monotonic() - wall0,
        }
        print(json.dumps(result), flush=True)
    await service.aclose()


async def poll_later(service: Any, source: Any) -> Any:
    """Like the daemon's start-up jitter: each worker asks for each source at a random
    moment of a short window, so whichever worker asks first wins it, uniformly."""
    await asyncio.sleep(random.uniform(0, START_SPREAD))
    return await service.poll_source(source)


# PostgreSQL: a cluster of our own, its CPU, its sizes ---------------------------------------


class Cluster(TestCluster):
    """The tests' throwaway cluster, plus what the benchmark measures of it."""

    def stop(self) -> None:
        self.destroy()

    def cpu_seconds(self) -> float:
        """CPU of the postmaster, its live children, and its reaped children (backends)."""
        postmaster = int((self.datadir / "data" / "postmaster.pid").read_text().split()[0])
        total = 0.0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = (Path("/proc") / entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            pid, ppid = int(entry), int(fields[1])
            if pid == postmaster:
                total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
            elif ppid == postmaster:
                total += int(fields[11]) + int(fields[12])
        return total / CLK_TCK


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / CLK_TCK, sum(fields) / CLK_TCK


def sql(url: str, statement: str) -> list[Any]:
    import asyncpg

    async def run() -> list[Any]:
        connection = await asyncpg.connect(url.replace("postgresql://", "postgres://", 1))
        try:
            return list(await connection.fetch(statement))
        finally:
            await connection.close()

    return asyncio.run(run())


def fresh_database(server: str, name: str) -> str:
    sql(server, f'DROP DATABASE IF EXISTS "{name}"')
    sql(server, f'CREATE DATABASE "{name}"')
    url = f"{server.rpartition('/')[0]}/{name}"

    async def migrate() -> None:
        from storage.engine import create_engine
        from storage.migrate import upgrade

        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    return url


# Rounds --------------------------------------------------------------------------------------


@dataclass
class Round:
    workers: int
    name: str
    wall: float
    worker_cpu: float
    db_cpu: float
    farm: dict[str, int]
    polled: list[int]
    new: int
    failed: int
    machine: float = 0.0  # share of the whole machine's CPU busy (all processes)

    @property
    def pages(self) -> int:
        return self.farm["pages"]

    @property
    def polls(self) -> int:
        return sum(self.polled)


class Workers:
    """``count`` worker processes on one database, started and waiting for "go"."""

    def __init__(self, count: int, db_url: str, config: Path, log: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, str(Path(__file__).resolve()), "worker", "--config",
                   str(config), "--db", db_url]  # fmt: skip
        self._errors = log.open("a")
        self.procs = [
            subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._errors,
                text=True,
                env=env,
            )
            for _ in range(count)
        ]
        for proc in self.procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if line.strip() != "ready":
                raise SystemExit(f"a worker did not start: {line!r}; see {log}")

    def round(self, cluster: Cluster, name: str, port: int) -> Round:
        farm_call(port, "reset")
        db_cpu0, (busy0, total0) = cluster.cpu_seconds(), machine_busy()
        start = time.monotonic()
        self._send("go")
        results = []
        for proc in self.procs:
            assert proc.stdout is not None
            results.append(json.loads(proc.stdout.readline()))
        wall = time.monotonic() - start
        busy1, total1 = machine_busy()
        return Round(
            machine=(busy1 - busy0) / (total1 - total0),
            workers=len(self.procs), name=name, wall=wall,
            worker_cpu=sum(r["cpu"] for r in results), db_cpu=cluster.cpu_seconds() - db_cpu0,
            farm=farm_call(port, "stats"), polled=[r["polled"] for r in results],
            new=sum(r["new"] for r in results), failed=sum(r["failed"] for r in results),
        )  # fmt: skip

    def close(self) -> None:
        self._send("exit")
        for proc in self.procs:
            proc.wait(timeout=60)
        self._errors.close()

    def _send(self, line: str) -> None:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(line + "\n")
            proc.stdin.flush()


def write_sources(path: Path, hosts: list[str], port: int, events: Path) -> None:
    lines = [
        "defaults:", "  interval: 1h", "  timeout: 30s", "  per_host_concurrency: 2",
        "  per_host_delay: 0s", "notifications:", "  - type: jsonl", "    name: log",
        f"    path: {events}", "sources:",
    ]  # fmt: skip
    for index, host in enumerate(hosts):
        lines += [f"  - name: site-{index}", f"    url: http://{host}:{port}/news/",
                  "    kind: listing", "    follow: ['/news/2025/']"]  # fmt: skip
    path.write_text("\n".join(lines) + "\n")


def table_bytes(db_url: str) -> dict[str, int]:
    rows = sql(db_url, "SELECT relname, pg_total_relation_size(oid) AS bytes FROM pg_class "
                       f"WHERE relname IN ({', '.join(repr(t) for t in TABLES)})")  # fmt: skip
    return {r["relname"]: int(r["bytes"]) for r in rows}


def row_counts(db_url: str) -> dict[str, int]:
    return {t: int(sql(db_url, f"SELECT count(*) AS n FROM {t}")[0]["n"]) for t in TABLES}


# Report and capacity plan ------------------------------------------------------------------


def print_rounds(rounds: list[Round], cores: int) -> None:
    base = {r.name: r for r in rounds if r.workers == 1}
    header = ("workers", "round", "polls", "pages", "wall s", "pages/s", "speedup",
              "worker ms/page", "db ms/page", "CPU busy", "machine", "failed", "split")  # fmt: skip
    print("\n" + " ".join(f"{h:>8}" for h in header))
    for r in rounds:
        unit = r.pages or r.polls  # a 304-only round: per poll
        speedup = base[r.name].wall / r.wall if r.name in base else float("nan")
        busy = (r.worker_cpu + r.db_cpu) / (r.wall * cores)
        cells = (
            r.workers, r.name, r.polls, r.pages, f"{r.wall:.1f}", f"{unit / r.wall:.1f}",
            f"{speedup:.2f}", f"{1000 * r.worker_cpu / unit:.1f}",
            f"{1000 * r.db_cpu / unit:.1f}", f"{busy:.0%}", f"{r.machine:.0%}", r.failed,
            "/".join(map(str, r.polled)),
        )  # fmt: skip
        print(" ".join(f"{c:>8}" for c in cells))
    print("(CPU busy: workers + PostgreSQL over wall x cores; machine: every process, the farm "
          "and anything else running included. repoll rows are per poll, not per page: every "
          f"listing answered 304, and the {START_SPREAD:g} s start spread dominates their wall "
          "time)")  # fmt: skip


def capacity_plan(
    args: argparse.Namespace,
    first: Round,
    repoll: Round,
    bytes_per_article: float,
    rows_per_article: dict[str, float],
) -> None:
    s, interval, checks = args.plan_sources, args.plan_interval * 60, args.plan_rechecks
    polls = s * 86400 / interval
    new = s * args.plan_new_per_day
    fetches = new * (1 + checks)
    changed = min(polls, new)  # a poll that finds news reads a changed listing
    requests = polls + fetches
    page_cpu = (first.worker_cpu + first.db_cpu) / first.pages
    poll_cpu = (repoll.worker_cpu + repoll.db_cpu) / repoll.polls
    cpu = (polls - changed) * poll_cpu + (changed + fetches) * page_cpu
    db_cpu = (polls - changed) * repoll.db_cpu / repoll.polls + (
        changed + fetches
    ) * first.db_cpu / first.pages
    gib_day = new * bytes_per_article / 2**30
    rate = first.pages / first.wall  # one worker, latency-bound: measured
    crawl = s * (2 + args.articles)
    cores = cpu / 86400
    by_cpu = max(1, math.ceil(cores / 0.5))
    by_flight = max(1, math.ceil(requests / 86400 * args.plan_latency / FETCH_CONCURRENCY))
    rows = ", ".join(f"{t} {new * n:,.0f}" for t, n in rows_per_article.items())
    lines = [
        ("polls", f"{s:,} x 86,400 s / {interval:g} s",
         f"{polls:,.0f}/day = {polls / 86400:.2f}/s"),
        ("new articles", f"{s:,} x {args.plan_new_per_day:g}", f"{new:,.0f}/day"),
        ("article fetches", f"{new:,.0f} x (1 + {checks} re-checks)", f"{fetches:,.0f}/day"),
        ("requests", f"{polls:,.0f} + {fetches:,.0f}",
         f"{requests:,.0f}/day = {requests / 86400:.1f}/s"),
        ("CPU", f"{polls - changed:,.0f} x {1000 * poll_cpu:.1f} ms + "
                f"{changed + fetches:,.0f} x {1000 * page_cpu:.1f} ms",
         f"{cpu:,.0f} s/day = {cores:.2f} cores"),
        ("  of it PostgreSQL", "", f"{db_cpu:,.0f} s/day = {db_cpu / 86400:.2f} cores"),
        ("in flight", f"{requests / 86400:.1f}/s x {args.plan_latency:g} s",
         f"{requests / 86400 * args.plan_latency:.0f} requests"),
        ("bytes", f"{new:,.0f} x {bytes_per_article / 1024:.1f} KiB", f"{gib_day:.2f} GiB/day"),
        ("database/month", f"30 x {gib_day:.2f} GiB", f"{30 * gib_day:.1f} GiB before retention"),
        ("first crawl", f"{s:,} x {2 + args.articles} pages / {rate:.0f} pages/s",
         f"{crawl / rate / 3600:.1f} h with one worker, {crawl * page_cpu / 3600:.1f} CPU-hours"),
        ("workers", f"CPU {cores:.2f} / 0.5 core each; in flight / {FETCH_CONCURRENCY}",
         f"{max(by_cpu, by_flight)} (+1 on another host for availability)"),
    ]  # fmt: skip
    print(f"\nCapacity plan: {s:,} sources every {args.plan_interval:g} min")
    print(f"  assumed: {args.plan_new_per_day:g} new articles per source per day, each re-checked "
          f"{checks} times; {args.plan_channels} channels; sites answer in "
          f"{args.plan_latency:g} s")  # fmt: skip
    print(f"  measured: {1000 * page_cpu:.1f} CPU ms per fetched page, {1000 * poll_cpu:.1f} "
          f"per unchanged poll (worker + database); {bytes_per_article / 1024:.1f} KiB of "
          "database per article")  # fmt: skip
    for label, formula, result in lines:
        print(f"  {label:<18} {formula:<46} = {result}")
    print(f"  rows/day           {rows}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", nargs="?", default="bench", choices=["bench", "worker"])
    parser.add_argument("--config")
    parser.add_argument("--db", help="worker mode: database URL")
    parser.add_argument("--hosts", type=int, default=64)
    parser.add_argument("--articles", type=int, default=25)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per farm answer")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--plan-sources", type=int, default=10_000)
    parser.add_argument("--plan-interval", type=float, default=30.0, help="minutes")
    parser.add_argument("--plan-new-per-day", type=float, default=5.0)
    parser.add_argument("--plan-rechecks", type=int, default=5)
    parser.add_argument("--plan-channels", type=int, default=2)
    parser.add_argument("--plan-latency", type=float, default=1.0)
    args = parser.parse_args()
    if args.mode == "worker":
        asyncio.run(worker_main(args.config, args.db))
        return
    if not 1 <= args.hosts <= 250:
        raise SystemExit("--hosts must be between 1 and 250 (127.0.0.2 .. 127.0.0.251)")
    hosts = [f"127.0.0.{i + 2}" for i in range(args.hosts)]
    counts = [int(n) for n in args.workers.split(",")]
    cores = os.cpu_count() or 1
    port = free_port()
    ready = multiprocessing.Event()
    farm = multiprocessing.Process(
        target=serve_farm, args=(hosts, port, args.articles, args.latency, ready), daemon=True
    )
    farm.start()
    ready.wait(60)
    cluster = Cluster.start()
    work = Path(tempfile.mkdtemp(prefix="nea-scale-"))
    log = work / "workers.log"
    print(f"farm: {args.hosts} hosts x (2 listing pages + {args.articles} articles), "
          f"{args.latency:g} s per answer; {cores} cores; PostgreSQL at {cluster.url}; "
          f"logs in {log}")  # fmt: skip
    rounds: list[Round] = []
    sizes: dict[int, tuple[dict[str, int], dict[str, int]]] = {}
    try:
        for n in counts:
            db_url = fresh_database(cluster.url, f"scale_{n}")
            config = work / f"sources-{n}.yaml"
            write_sources(config, hosts, port, work / f"events-{n}.jsonl")
            before = table_bytes(db_url)
            workers = Workers(n, db_url, config, log)
            try:
                rounds.append(workers.round(cluster, "first", port))
                after = table_bytes(db_url)
                sizes[n] = ({t: after[t] - before.get(t, 0) for t in after}, row_counts(db_url))
                sql(db_url, "UPDATE sources SET next_run_at = NULL")
                rounds.append(workers.round(cluster, "repoll", port))
            finally:
                workers.close()
            print(f"  {n} worker(s): done", flush=True)
    finally:
        cluster.stop()
        farm.terminate()
    print_rounds(rounds, cores)
    grown, rows = sizes[counts[0]]
    articles = rows["articles"] or 1
    print(f"\ndatabase growth for {articles} articles (tables with their indexes, TOAST):")
    for table in TABLES:
        print(f"  {table:<17} {rows[table]:>7} rows {grown.get(table, 0) / 1024:>9.0f} KiB "
              f"{grown.get(table, 0) / articles:>7.0f} B/article")  # fmt: skip
    per_article = sum(v for t, v in grown.items() if t not in ("sources", "fetch_state")) / articles
    # The run has one channel (JSONL); the plan's other channels add a delivery row each.
    per_article += (args.plan_channels - 1) * grown.get("deliveries", 0) / articles
    one = {r.name: r for r in rounds if r.workers == counts[0]}
    rows_per_article = {
        t: rows[t] / articles for t in TABLES if t not in ("sources", "fetch_state")
    }
    rows_per_article["deliveries"] = float(args.plan_channels)
    capacity_plan(args, one["first"], one["repoll"], per_article, rows_per_article)
    print(f"\n(command: {shlex.join(sys.argv)})")


if __name__ == "__main__":
    main()
