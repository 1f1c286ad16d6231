"""Many sources on one small server: ``scraper run`` daemons with thousands of sources,
half on a local farm that answers, half dead, on SQLite and on PostgreSQL.

The farm is one process serving ``--hosts`` loopback addresses (127.1.0.1, 127.1.0.2, …)
on one port: each live source has a small listing with one article link (ETag, so the
second poll of a listing is answered 304) and robots.txt answers 404. Dead sources are
on distinct loopback addresses (127.2.x.y) where nothing listens: their connections are
refused, retried by the fetcher, and the poll fails.

Each scenario starts real daemons (``python -m scraper run --metrics-port …``) on a fresh
database and measures, from outside:

- time until every source was polled once (``sources.last_run_at`` set), and polls/s;
- a second round: time until every source was polled twice (304s for the live ones);
- peak RSS of each daemon (its CPU pool child included), CPU per poll (daemon + child,
  and the PostgreSQL cluster's), peak DB connections in use and peak polls in flight
  (scraped from ``/metrics`` every second);
- the CPU of an idle daemon: every source is then moved a day ahead in the database, so
  nothing is due, and the daemons' CPU is read over ``--idle-seconds``;
- SIGTERM while polls are in flight: seconds to exit, exit code, tracebacks in the log;
- pool or database errors in the daemons' logs (any "QueuePool", "Traceback",
  "database is unavailable").

A separate scenario puts ``--one-host`` sources on one host (``per_host_delay``
``--one-host-delay``) beside a few sources of other hosts, and reports the rate at which
the farm saw that host's requests against the rate its politeness allows, and when the
other hosts' sources were polled.

    python benchmarks/many_sources.py                          # 10,000 sources, everything
    python benchmarks/many_sources.py --sources 1000 --interval 60 --scenarios sqlite:1
    python benchmarks/many_sources.py --scenarios one-host --one-host 1000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.crawl import free_port  # noqa: E402
from tests.scale.pgcluster import Cluster  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
ERRORS = re.compile(r"QueuePool|Traceback|database is unavailable|TimeoutError")


# The farm -----------------------------------------------------------------------------


class FarmProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive, GET only: /robots.txt 404, /sN/ a listing with one article
    link (ETag: a conditional GET is answered 304), /sN/a1.html the article."""

    counts: ClassVar[Counter[str]] = Counter()
    times: ClassVar[dict[str, list[float]]] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.host = str(transport.get_extra_info("sockname")[0])
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            raw, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = raw.decode("latin-1").split("\r\n")
            target = lines[0].split(" ")[1]
            conditional = any(line.lower().startswith("if-none-match") for line in lines[1:])
            self.transport.write(self.respond(target, conditional))

    def respond(self, target: str, conditional: bool) -> bytes:
        if target == "/__stats":
            body = json.dumps({"counts": FarmProtocol.counts, "times": FarmProtocol.times})
            return _response(200, body.encode(), "application/json")
        FarmProtocol.counts["requests"] += 1
        FarmProtocol.counts[f"host:{self.host}"] += 1
        FarmProtocol.times.setdefault(self.host, []).append(time.time())
        match = re.fullmatch(r"/s(\d+)/(a1\.html)?", target)
        if match is None:
            FarmProtocol.counts["404"] += 1
            return _response(404, b"not found", "text/plain")
        n = match.group(1)
        if match.group(2):
            FarmProtocol.counts["articles"] += 1
            body = (
                f"<html><head><title>News {n}</title></head><body><article><h1>News {n}</h1>"
                f"<p>{_article_text(int(n))}</p></article></body></html>"
            )
            return _response(200, body.encode(), "text/html; charset=utf-8")
        if conditional:
            FarmProtocol.counts["304"] += 1
            return _response(304, b"", "text/html", etag=f'"l{n}"')
        FarmProtocol.counts["listings"] += 1
        body = (
            f"<html><head><title>List {n}</title></head><body><h1>News</h1><ul>"
            f"<li><a href='/s{n}/a1.html'>Regional governments meet, report {n}</a></li>"
            "</ul></body></html>"
        )
        return _response(200, body.encode(), "text/html; charset=utf-8", etag=f'"l{n}"')


_WORDS = (  # noqa: SIM905 (a word list reads better as one text)
    "region government trade transport river environment border port rail road energy "
    "forum minister agreement council province city harbour fishery forest tourism "
    "investment customs bridge ferry airline festival university student exchange culture "
    "language museum market farmer grain weather flood drought summit delegation mayor "
    "governor committee budget project plan report study survey census factory worker "
    "company bank loan bond currency price export import cargo container freight highway "
    "tunnel station pipeline electricity grid solar wind coal gas oil water health "
    "hospital doctor nurse school teacher library archive history heritage temple island "
    "coast mountain valley lake wildlife park science research laboratory satellite "
    "internet network telecom software startup engineer design standard certificate"
).split()


def _article_text(n: int) -> str:
    """60 words drawn for article ``n``: the articles of different sources are distinct
    texts, as on real sites (one template with a number changed would make every article
    a near-duplicate candidate of every other one, and the benchmark would measure the
    near-duplicate check against thousands of look-alikes instead of polling)."""
    draw = random.Random(n)
    words = [draw.choice(_WORDS) for _ in range(60)]
    return f"Source {n} reports: " + " ".join(words) + "."


def _response(status: int, body: bytes, content_type: str, etag: str | None = None) -> bytes:
    reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
    head = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}",
            f"Content-Type: {content_type}"]  # fmt: skip
    if etag:
        head.append(f"ETag: {etag}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def serve_farm(hosts: list[str], port: int) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            FarmProtocol, host=["127.0.0.1", *hosts], port=port, backlog=1024
        )
        print("ready", flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def farm_stats(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__stats", timeout=30) as answer:
        return dict(json.loads(answer.read()))


class Farm:
    def __init__(self, hosts: list[str]) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve-farm", ",".join(hosts), "--port", str(self.port)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the farm did not start")

    def stats(self) -> dict[str, Any]:
        return farm_stats(self.port)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# Sources ------------------------------------------------------------------------------


def live_host(i: int, hosts: int) -> str:
    return f"127.1.{(i % hosts) // 250}.{(i % hosts) % 250 + 1}"


def dead_host(i: int) -> str:
    return f"127.2.{i // 250}.{i % 250 + 1}"


def write_config(
    path: Path, sources: list[tuple[str, str]], interval: str, delay: float, concurrency: int
) -> None:
    lines = [
        "defaults:",
        f"  interval: {interval}",
        f"  per_host_delay: {delay}s",
        f"  per_host_concurrency: {concurrency}",
        "  timeout: 5s",
        "  recheck: []",
        "sources:",
    ]
    for name, url in sources:
        lines += [f"  - name: {name}", f"    url: {url}", "    kind: listing"]
    path.write_text("\n".join(lines) + "\n")


def mixed_sources(count: int, hosts: int, port: int) -> tuple[list[tuple[str, str]], list[str]]:
    live = count // 2
    sources = [(f"live-{i}", f"http://{live_host(i, hosts)}:{port}/s{i}/") for i in range(live)]
    sources += [(f"dead-{i}", f"http://{dead_host(i)}:{port}/s{i}/") for i in range(count - live)]
    farm_hosts = sorted({live_host(i, hosts) for i in range(live)})
    return sources, farm_hosts


# Measuring ----------------------------------------------------------------------------


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = (Path("/proc") / entry / "stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat[stat.rindex(")") + 2 :].split()[1]), []).append(int(entry))
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue += children.get(current, [])
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            stat = (Path("/proc") / str(pid) / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / CLK_TCK


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * PAGE_SIZE
        except OSError:
            continue
    return total


def pss_bytes(pids: list[int]) -> int:
    """Proportional set size: pages shared between the daemon and its children (the
    interpreter, libraries) counted once in the sum, not once per process as RSS does."""
    total = 0
    for pid in pids:
        try:
            rollup = (Path("/proc") / str(pid) / "smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
    return total


def pg_cpu_seconds(cluster: Cluster) -> float:
    postmaster = int((cluster.datadir / "data" / "postmaster.pid").read_text().split()[0])
    return cpu_seconds(tree(postmaster))


def scrape(port: int) -> dict[str, float]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            text = answer.read().decode()
    except OSError:
        return {}
    values = {}
    for line in text.splitlines():
        if line.startswith("nea_") and " " in line and "{" not in line:
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


class Daemon:
    def __init__(
        self, config: Path, db: str, log: Path, args: argparse.Namespace, env: dict[str, str]
    ) -> None:
        self.metrics_port = free_port()
        max_polls = args.max_polls
        # /metrics has a few series per source (2 MB at 10,000 sources): scraped every
        # second it cost a fifth of the daemon's CPU; a Prometheus scrapes every 15 s or so.
        self.metrics_every = args.metrics_every
        self.last_scrape = 0.0
        self.log_path = log
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scraper", "run", "--config", str(config), "--db", db,
             "--metrics-port", str(self.metrics_port), "--max-polls", str(max_polls),
             "--workers", str(args.workers)],
            stdout=self._log, stderr=subprocess.STDOUT, cwd=str(config.parent),
            env={**os.environ, **env},
        )  # fmt: skip
        self.peak_rss = 0
        self.peak_rss_main = 0
        self.peak_pss = 0
        self.cpu_at_ready: float | None = None
        self.peak_connections = 0.0
        self.peak_in_flight = 0.0
        self.peak_due = 0.0

    def sample(self, force: bool = False) -> None:
        pids = tree(self.process.pid)
        self.peak_rss = max(self.peak_rss, rss_bytes(pids))
        self.peak_pss = max(self.peak_pss, pss_bytes(pids))
        self.peak_rss_main = max(self.peak_rss_main, rss_bytes([self.process.pid]))
        if self.cpu_at_ready is None and "daemon running" in self.log_path.read_text():
            self.cpu_at_ready = self.cpu()  # start-up (imports, migration) is not polling
        if not force and time.monotonic() - self.last_scrape < self.metrics_every:
            return
        self.last_scrape = time.monotonic()
        values = scrape(self.metrics_port)
        self.peak_connections = max(
            self.peak_connections, values.get("nea_db_connections_in_use", 0)
        )
        self.peak_in_flight = max(self.peak_in_flight, values.get("nea_polls_in_flight", 0))
        self.peak_due = max(self.peak_due, values.get("nea_sources_due", 0))

    def cpu(self) -> float:
        return cpu_seconds(tree(self.process.pid))

    def stop(self) -> tuple[float, int | None]:
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code: int | None = self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = None
        elapsed = time.monotonic() - started
        self._log.close()
        return elapsed, code

    def errors(self) -> list[str]:
        return [line for line in self.log_path.read_text().splitlines() if ERRORS.search(line)]


def sql(db: str, statement: str) -> Any:
    if db.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(db.removeprefix("sqlite:///"), timeout=30) as connection:
            return connection.execute(statement).fetchone()[0]
    import asyncpg

    async def run() -> Any:
        connection = await asyncpg.connect(db.replace("postgresql://", "postgres://", 1))
        try:
            return await connection.fetchval(statement)
        finally:
            await connection.close()

    return asyncio.run(run())


@dataclass
class Result:
    name: str
    sources: int
    first_round: float = 0.0
    second_round: float = 0.0
    polls: int = 0
    daemon_cpu: float = 0.0
    pg_cpu: float = 0.0
    peak_rss_mb: list[float] = field(default_factory=list)
    peak_rss_main_mb: list[float] = field(default_factory=list)
    peak_pss_mb: list[float] = field(default_factory=list)
    peak_connections: list[float] = field(default_factory=list)
    peak_in_flight: list[float] = field(default_factory=list)
    idle_cpu: list[float] = field(default_factory=list)
    stop_seconds: list[float] = field(default_factory=list)
    stop_codes: list[int | None] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    farm: dict[str, int] = field(default_factory=dict)


def wait_until(
    condition: Any, daemons: list[Daemon], limit: float, scrape_now: bool = False
) -> float:
    """``scrape_now``: read /metrics at every sample (the condition reads its values)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        for daemon in daemons:
            daemon.sample(force=scrape_now)
            if daemon.process.poll() is not None:
                raise RuntimeError(f"a daemon exited: see {daemon.log_path}")
        if condition():
            return time.monotonic() - started
        time.sleep(1.0)
    raise RuntimeError(f"not done after {limit:.0f}s")


def run_scenario(
    name: str, backend: str, workers: int, args: argparse.Namespace, workdir: Path
) -> Result:
    sources_count = args.sources
    _, farm_hosts = mixed_sources(sources_count, args.hosts, 0)
    farm = Farm(farm_hosts)
    sources, _ = mixed_sources(sources_count, args.hosts, farm.port)
    config = workdir / f"{name}.yaml"
    write_config(config, sources, f"{args.interval}s", args.delay, 2)
    cluster = None
    if backend == "sqlite":
        db = f"sqlite:///{workdir / (name + '.db')}"
    else:
        cluster = Cluster.start()
        db = cluster.url
    result = Result(name=name, sources=sources_count)
    daemons: list[Daemon] = []
    try:
        pg_before = pg_cpu_seconds(cluster) if cluster else 0.0
        daemons = [
            Daemon(config, db, workdir / f"{name}-{i}.log", args, {}) for i in range(workers)
        ]
        limit = 3 * args.interval + 300
        result.first_round = wait_until(lambda: _polled(db) >= sources_count, daemons, limit)
        if args.rounds > 1:  # every source polled again (a 304 for the live ones)
            sql_mark(db)
            result.second_round = result.first_round + wait_until(
                lambda: _polled_again(db) >= sources_count, daemons, limit
            )
        result.polls = args.rounds * sources_count
        result.daemon_cpu = sum(d.cpu() - (d.cpu_at_ready or 0.0) for d in daemons)
        result.pg_cpu = (pg_cpu_seconds(cluster) - pg_before) if cluster else 0.0
        # Idle: nothing due for a day; read the daemons' CPU over a quiet stretch.
        sql_exec(db, "UPDATE sources SET next_run_at = next_run_at + interval '1 day'"
                 if cluster else
                 "UPDATE sources SET next_run_at = datetime(next_run_at, '+1 day')")  # fmt: skip
        time.sleep(15.0)  # polls in flight finish; the daemons learn the next slot
        before = [d.cpu() for d in daemons]
        time.sleep(args.idle_seconds)
        result.idle_cpu = [
            (d.cpu() - b) / args.idle_seconds for d, b in zip(daemons, before, strict=True)
        ]
        # SIGTERM with polls in flight: make everything due again, stop mid-round.
        sql_exec(db, "UPDATE sources SET next_run_at = now()"
                 if cluster else "UPDATE sources SET next_run_at = datetime('now')")  # fmt: skip
        wait_until(
            lambda: all(d.peak_in_flight > 0 for d in daemons), daemons, 120, scrape_now=True
        )
        time.sleep(3.0)
        for daemon in daemons:
            daemon.sample(force=True)
        stops = [d.stop() for d in daemons]
        result.stop_seconds = [s for s, _ in stops]
        result.stop_codes = [c for _, c in stops]
        result.peak_rss_mb = [d.peak_rss / 2**20 for d in daemons]
        result.peak_rss_main_mb = [d.peak_rss_main / 2**20 for d in daemons]
        result.peak_pss_mb = [d.peak_pss / 2**20 for d in daemons]
        result.peak_connections = [d.peak_connections for d in daemons]
        result.peak_in_flight = [d.peak_in_flight for d in daemons]
        result.errors = [line for d in daemons for line in d.errors()]
        counts = farm.stats()["counts"]
        result.farm = {k: v for k, v in counts.items() if not k.startswith("host:")}
    finally:
        for daemon in daemons:
            if daemon.process.poll() is None:
                daemon.process.kill()
        farm.close()
        if cluster is not None:
            cluster.destroy()
    return result


def _polled(db: str) -> int:
    try:
        return int(sql(db, "SELECT count(*) FROM sources WHERE last_run_at IS NOT NULL"))
    except Exception:  # not migrated yet
        return 0


def sql_mark(db: str) -> None:
    """Remember when each source was first polled, to recognise its second poll."""
    sql_exec(db, "CREATE TABLE bench_first AS SELECT id, last_run_at FROM sources")


def _polled_again(db: str) -> int:
    return int(
        sql(
            db,
            "SELECT count(*) FROM sources s JOIN bench_first f ON f.id = s.id "
            "WHERE s.last_run_at > f.last_run_at",
        )
    )


def sql_exec(db: str, statement: str) -> None:
    if db.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(db.removeprefix("sqlite:///"), timeout=60) as connection:
            connection.execute(statement)
        return
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(db.replace("postgresql://", "postgres://", 1))
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def one_host(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """``--one-host`` sources on one host beside 20 sources of 20 other hosts."""
    others = [f"127.3.0.{i + 1}" for i in range(20)]
    farm_hosts = ["127.1.200.1", *others]
    farm = Farm(farm_hosts)
    port = farm.port
    sources = [(f"big-{i}", f"http://127.1.200.1:{port}/s{i}/") for i in range(args.one_host)]
    sources += [(f"other-{i}", f"http://{h}:{port}/s{100000 + i}/") for i, h in enumerate(others)]
    config = workdir / "one-host.yaml"
    write_config(config, sources, f"{args.interval}s", args.one_host_delay, 2)
    db = f"sqlite:///{workdir / 'one-host.db'}"
    daemon = Daemon(config, db, workdir / "one-host.log", args, {})
    try:
        started = time.time()
        total = len(sources)
        took = wait_until(lambda: _polled(db) >= total, [daemon], 3 * args.interval + 900)
        stats = farm.stats()
        big = sorted(stats["times"].get("127.1.200.1", []))
        if len(big) < 2:
            raise RuntimeError(
                f"the farm saw {len(big)} requests to the big host: {stats['counts']}"
            )
        other_first = [min(stats["times"][h]) - started for h in others if h in stats["times"]]
        span = big[-1] - big[0]
        stop_seconds, code = daemon.stop()
        return {
            "sources on the host": args.one_host,
            "requests to the host": len(big),
            "seconds from its first to its last request": round(span, 1),
            "requests/s measured": round((len(big) - 1) / span, 2) if span else None,
            "requests/s allowed (1 / per_host_delay)": round(1 / args.one_host_delay, 2),
            "time until every source polled once (s)": round(took, 1),
            "other hosts: first request after start (s), max": round(max(other_first), 1),
            "SIGTERM: seconds to exit, code": (round(stop_seconds, 1), code),
            "errors in the log": len(daemon.errors()),
        }
    finally:
        if daemon.process.poll() is None:
            daemon.process.kill()
        farm.close()


def print_result(result: Result) -> None:
    polls_first = result.sources
    print(f"\n## {result.name}: {result.sources} sources")
    print(
        f"- every source polled once after {result.first_round:.0f} s "
        f"({polls_first / result.first_round:.1f} polls/s)"
        + (f"; twice after {result.second_round:.0f} s" if result.second_round else "")
    )
    print(
        f"- CPU per poll: daemons {1000 * result.daemon_cpu / result.polls:.1f} ms"
        + (f", PostgreSQL {1000 * result.pg_cpu / result.polls:.1f} ms" if result.pg_cpu else "")
    )
    print(
        f"- peak RSS per daemon: {', '.join(f'{v:.0f} MB' for v in result.peak_rss_main_mb)}"
        f"; with its children (parsing process, resource tracker): "
        f"{', '.join(f'{v:.0f} MB' for v in result.peak_rss_mb)}"
        f" (PSS, shared pages counted once: "
        f"{', '.join(f'{v:.0f} MB' for v in result.peak_pss_mb)})"
    )
    print(f"- idle daemon CPU: {', '.join(f'{100 * v:.2f} % of a core' for v in result.idle_cpu)}")
    print(f"- peak DB connections in use: {result.peak_connections}; "
          f"peak polls in flight: {result.peak_in_flight}")  # fmt: skip
    print(
        f"- SIGTERM with polls in flight: exit after "
        f"{', '.join(f'{s:.1f} s' for s in result.stop_seconds)}, codes {result.stop_codes}"
    )
    print(
        f"- error lines in the logs: {len(result.errors)}"
        + (f" (first: {result.errors[0][:160]})" if result.errors else "")
    )
    print(f"- farm: {result.farm}")
    print(f"- load average at the end: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve-farm", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=50, help="farm hosts of the live half")
    parser.add_argument("--interval", type=float, default=180.0, help="seconds")
    parser.add_argument("--delay", type=float, default=0.05, help="per_host_delay, seconds")
    parser.add_argument("--max-polls", type=int, default=64)
    parser.add_argument(
        "--workers", type=int, default=1, help="scraper run --workers: parsing processes"
    )
    parser.add_argument(
        "--metrics-every", type=float, default=15.0, help="seconds between /metrics scrapes"
    )
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--workdir", help="keep databases and logs here (default: a temp dir)")
    parser.add_argument("--rounds", type=int, default=2, choices=[1, 2], help="polls per source")
    parser.add_argument("--one-host", type=int, default=1000)
    parser.add_argument("--one-host-delay", type=float, default=0.1)
    parser.add_argument(
        "--scenarios", default="sqlite:1,postgres:1,postgres:2,one-host",
        help="comma-separated: sqlite:1, postgres:N, one-host",
    )  # fmt: skip
    args = parser.parse_args()
    if args.serve_farm:
        serve_farm(args.serve_farm.split(","), args.port)
        return
    print(f"# many_sources: {args.sources} sources, interval {args.interval:g} s, "
          f"--max-polls {args.max_polls}, --workers {args.workers}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f} at start")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="nea-many-") as tmp:
        workdir = Path(args.workdir or tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for scenario in args.scenarios.split(","):
            if scenario == "one-host":
                print("\n## one host")
                for key, value in one_host(args, workdir).items():
                    print(f"- {key}: {value}")
                continue
            backend, workers = scenario.split(":")
            result = run_scenario(scenario.replace(":", "-"), backend, int(workers), args, workdir)
            print_result(result)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
