"""Crawl benchmark: ``scraper run --once`` against a local farm of slow-ish sites, next to
the same crawl by Scrapy + trafilatura at the same politeness settings.

The farm is one process serving N hosts, each on its own loopback address (127.0.0.2,
127.0.0.3, ... on one port) so per-host politeness applies as it would on the internet.
Every host has robots.txt, a two-page listing (15 + 10 links, numbered pagination) and
25 articles of realistic size (30-60 KB: inline CSS/JS, menus, breadcrumbs, related
links, footer) in the language and legacy encoding of a Northeast Asian site (GBK,
EUC-KR, Shift_JIS, windows-1251, UTF-8). Responses carry ETag and Last-Modified, answer
conditional requests with 304, are gzipped when asked, and wait ``--latency`` seconds.

Each crawler runs twice in a fresh state: a first run (everything is new) and a second,
unchanged run (what a re-poll costs). Reported per run: pages/s (HTML documents answered
200, over wall time), CPU ms per page and peak RSS of the crawler process, and the
requests and bytes the farm served.

    python benchmarks/crawl.py                    # 200 hosts x 25 articles
    python benchmarks/crawl.py --hosts 20 --latency 0.05 --delay 0.2

Scrapy's second run uses its HTTP cache with the RFC 2616 policy (the farm sends
``Cache-Control: max-age=0``), i.e. conditional revalidation, its nearest equivalent.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import multiprocessing
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LISTING_SPLIT = 15  # links on the first listing page; the rest on page 2

# Content ---------------------------------------------------------------------------------

LANGUAGES = [
    # (language, charset, words for headlines and text, joiner)
    ("zh", "gbk", "图们江 区域 合作 东北亚 地方政府 论坛 经济 走廊 建设 跨境 物流 旅游 港口 铁路 "
     "珲春 长春 会议 代表 签署 备忘录 发展 开放 项目 投资 贸易 交流 文化 青年 环境 能源 农业 "
     "博览会 开幕 举行 推进 加强 务实 共同 机制 联合 规划 创新 数字 口岸 通道 航线 协定", ""),
    ("ko", "euc-kr", "동북아 지역 협력 지방정부 포럼 경제 회랑 건설 물류 관광 항만 철도 회의 "
     "대표단 서명 양해각서 발전 개방 사업 투자 무역 교류 문화 청년 환경 에너지 농업 박람회 "
     "개최 추진 강화 공동 기구 연합 계획 혁신 디지털 항로 협정 속초 포항 강원도", " "),
    ("ja", "shift_jis", "北東アジア 地域 協力 地方政府 フォーラム 経済 回廊 建設 物流 観光 港湾 "
     "鉄道 会議 代表団 署名 覚書 発展 開放 事業 投資 貿易 交流 文化 青年 環境 エネルギー 農業 "
     "博覧会 開催 推進 強化 共同 機構 連合 計画 革新 デジタル 航路 協定 新潟 鳥取", ""),
    ("ru", "windows-1251", "Северо-Восточная Азия регион сотрудничество администрация форум "
     "экономика коридор строительство логистика туризм порт железная дорога совещание делегация "
     "подписание меморандум развитие открытость проект инвестиции торговля обмен культура "
     "молодежь экология энергетика сельское хозяйство выставка Владивосток Приморье губернатор "
     "визит обсуждение соглашение", " "),
    ("en", "utf-8", "Northeast Asia regional cooperation local government forum economic corridor "
     "construction logistics tourism port railway meeting delegation signing memorandum "
     "development opening project investment trade exchange culture youth environment energy "
     "agriculture expo secretariat visit discussion agreement Tumen river ferry route", " "),
]  # fmt: skip
LAST_MODIFIED = formatdate(time.time() - 30 * 86400, usegmt=True)


def _alphabet(lang: str, charset: str) -> list[str]:
    """Letters to make up names from, all encodable in the host's charset."""
    ranges = {
        "zh": range(0x4E00, 0x4E00 + 3000),
        "ko": range(0xAC00, 0xD7A4),
        "ja": [*range(0x3041, 0x3094), *range(0x4E00, 0x4E00 + 2000)],
        "ru": range(0x0430, 0x0450),
        "en": range(0x61, 0x7B),
    }[lang]
    letters = []
    for code in ranges:
        try:
            chr(code).encode(charset)
        except UnicodeEncodeError:
            continue
        letters.append(chr(code))
    return letters


def _sentence(rng: random.Random, words: list[str], letters: list[str], joiner: str, n: int) -> str:
    """Vocabulary words mixed with made-up names, so that no two articles look alike."""
    out = []
    for _ in range(n):
        if rng.random() < 0.5:
            out.append(rng.choice(words))
        else:
            out.append("".join(rng.choice(letters) for _ in range(rng.randint(2, 7))))
    end = "。" if joiner == "" else "."
    return joiner.join(out) + end


def _chrome(host: int, lang: str) -> tuple[str, str]:
    menu = "".join(f'<li><a href="/menu/{k}.html">Menu item {k}</a></li>' for k in range(40))
    head = (
        f'<div id="header"><a href="/"><img src="/logo.png" alt="site {host}"></a>'
        '<ul class="util"><li><a href="/member/login.do">Login</a></li>'
        '<li><a href="/sitemap.html">Sitemap</a></li></ul>'
        f'<div id="gnb"><ul>{menu}</ul></div></div>'
        '<div class="location"><a href="/">Home</a> &gt; <a href="/news/">News</a></div>'
    )
    foot = (
        '<div id="footer"><ul><li><a href="/privacy.html">Privacy policy</a></li>'
        '<li><a href="/terms.html">Terms of use</a></li></ul>'
        f"<address>Secretariat {host}, {lang}. Tel +82-54-000-0000</address>"
        "<p class='copyright'>Copyright. All rights reserved.</p></div>"
    )
    return head, foot


_SCRIPT = (
    "<script>" + "var cfg={a:1,b:[1,2,3],c:'x'};function f(n){return n*2}\n" * 120 + "</script>"
)
_STYLE = (
    "<style>"
    + "".join(f".c{k}{{margin:{k}px;padding:0;color:#333}}\n" for k in range(300))
    + "</style>"
)


@dataclass(frozen=True)
class Doc:
    body: bytes
    content_type: str
    etag: str


def build_site(host: int, articles: int) -> dict[str, Doc]:
    """Every document of one host, encoded in the host's charset."""
    lang, charset, vocabulary, joiner = LANGUAGES[host % len(LANGUAGES)]
    words = vocabulary.split()
    letters = _alphabet(lang, charset)
    rng = random.Random(host)
    head, foot = _chrome(host, lang)
    docs: dict[str, str] = {}
    titles = [_sentence(rng, words, letters, joiner, 7).rstrip("。.") for _ in range(articles)]
    for n in range(articles):
        paragraphs = "".join(
            "<p>"
            + " ".join(
                _sentence(rng, words, letters, joiner, rng.randint(12, 25)) for _ in range(4)
            )
            + "</p>"
            for _ in range(rng.randint(8, 14))
        )
        others = [(n + k) % articles for k in range(1, 6)]
        related = "".join(
            f'<li><a href="/news/2025/{m + 1}.html">{titles[m]}</a></li>' for m in others
        )
        docs[f"/news/2025/{n + 1}.html"] = (
            f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="{charset}">'
            f"<title>{titles[n]} - Site {host}</title>{_STYLE}{_SCRIPT}</head><body>{head}"
            f'<div id="container"><div id="contents"><div class="view">'
            f'<h1 class="title">{titles[n]}</h1><div class="info">2025-05-{n % 28 + 1:02d}</div>'
            f'<div class="view-body">{paragraphs}</div></div>'
            f'<div class="related"><h3>Related</h3><ul>{related}</ul></div></div></div>'
            f"{foot}{_SCRIPT}</body></html>"
        )
    pages = [range(0, min(LISTING_SPLIT, articles)), range(LISTING_SPLIT, articles)]
    for index, numbers in enumerate(pages):
        items = "".join(
            f'<li><a href="/news/2025/{n + 1}.html">{titles[n]}</a>'
            f"<span>2025-05-{n % 28 + 1:02d}</span></li>"
            for n in numbers
        )
        paging = '<a href="/news/">1</a> <a href="/news/?page=2">2</a>'
        docs["/news/" if index == 0 else "/news/?page=2"] = (
            f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="{charset}">'
            f"<title>News - Site {host}</title>{_STYLE}</head><body>{head}"
            f'<div id="contents"><ul class="news-list">{items}</ul>'
            f'<div class="paging">{paging}</div></div>{foot}</body></html>'
        )
    site = {
        path: Doc(html.encode(charset, errors="replace"), f"text/html; charset={charset}", "")
        for path, html in docs.items()
    }
    site["/robots.txt"] = Doc(b"User-agent: *\nDisallow: /member/\n", "text/plain", "")
    return {
        path: Doc(d.body, d.content_type, '"' + hashlib.sha1(d.body).hexdigest()[:16] + '"')
        for path, d in site.items()
    }


# The farm --------------------------------------------------------------------------------


class Farm(asyncio.Protocol):
    """A minimal HTTP/1.1 keep-alive server: GET only, conditional GET, gzip, latency."""

    sites: ClassVar[dict[str, dict[str, Doc]]] = {}
    gzipped: ClassVar[dict[tuple[str, str], bytes]] = {}
    stats: ClassVar[dict[str, int]] = {}
    latency: ClassVar[float] = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.host = str(transport.get_extra_info("sockname")[0])
        self.buffer = b""
        self.pending = 0

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            raw, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = raw.decode("latin-1").split("\r\n")
            _method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            response = self.respond(target, headers)
            loop = asyncio.get_running_loop()
            self.pending += 1
            loop.call_later(Farm.latency, self.send, response)

    def send(self, response: bytes) -> None:
        self.pending -= 1
        if not self.transport.is_closing():
            self.transport.write(response)
            Farm.stats["bytes"] += len(response)

    def respond(self, target: str, headers: dict[str, str]) -> bytes:
        stats = Farm.stats
        stats["requests"] += 1
        if target.startswith("/__"):
            return self.control(target)
        doc = Farm.sites.get(self.host, {}).get(target)
        conditional = "if-none-match" in headers or "if-modified-since" in headers
        stats["conditional"] += conditional
        if doc is None:
            stats["404"] += 1
            return _response(404, b"not found", [("Content-Type", "text/plain")])
        kind = "robots" if target == "/robots.txt" else "pages"
        if headers.get("if-none-match") == doc.etag or (
            "if-none-match" not in headers and headers.get("if-modified-since") == LAST_MODIFIED
        ):
            stats["304"] += 1
            return _response(304, b"", [("ETag", doc.etag), ("Last-Modified", LAST_MODIFIED)])
        stats[kind] += 1
        body, extra = doc.body, []
        if "gzip" in headers.get("accept-encoding", ""):
            key = (self.host, target)
            if key not in Farm.gzipped:
                Farm.gzipped[key] = gzip.compress(doc.body, 6)
            body, extra = Farm.gzipped[key], [("Content-Encoding", "gzip")]
        return _response(
            200,
            body,
            [("Content-Type", doc.content_type), ("ETag", doc.etag),
             ("Last-Modified", LAST_MODIFIED), ("Cache-Control", "max-age=0"), *extra],
        )  # fmt: skip

    def control(self, target: str) -> bytes:
        body = json.dumps(Farm.stats).encode()
        if target == "/__reset":
            Farm.stats.update(dict.fromkeys(Farm.stats, 0))
        return _response(200, body, [("Content-Type", "application/json")])


def _response(status: int, body: bytes, headers: list[tuple[str, str]]) -> bytes:
    reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
    head = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}"]
    head += [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def serve_farm(hosts: list[str], port: int, articles: int, latency: float, ready: object) -> None:
    Farm.sites = {host: build_site(i, articles) for i, host in enumerate(hosts)}
    Farm.latency = latency
    Farm.stats = dict.fromkeys(
        ["requests", "conditional", "304", "404", "pages", "robots", "bytes"], 0
    )

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Farm, host=["127.0.0.1", *hosts], port=port, backlog=512)
        ready.set()  # type: ignore[attr-defined]
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def farm_call(port: int, action: str) -> dict[str, int]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__{action}", timeout=10) as answer:
        return dict(json.loads(answer.read()))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# Crawlers --------------------------------------------------------------------------------


@dataclass
class Run:
    crawler: str
    run: str
    wall: float
    cpu: float
    rss_mb: float
    farm: dict[str, int]

    @property
    def pages(self) -> int:
        return self.farm["pages"]

    def row(self) -> str:
        pages = self.pages
        rate = pages / self.wall if self.wall else 0.0
        cpu_ms = 1000 * self.cpu / pages if pages else float("nan")
        return (
            f"| {self.crawler} | {self.run} | {pages} | {self.wall:.1f} | {rate:.1f} | "
            f"{cpu_ms:.1f} | {self.rss_mb:.0f} | {self.farm['requests']} | "
            f"{self.farm['conditional']} | {self.farm['304']} | {self.farm['bytes'] / 1e6:.2f} |"
        )


def measure(crawler: str, run: str, command: list[str], port: int, workdir: Path) -> Run:
    farm_call(port, "reset")
    started = time.perf_counter()
    slug = "".join(c if c.isalnum() else "-" for c in crawler.lower())
    log = (workdir / f"{slug}-{run}.log").open("wb")
    process = subprocess.Popen(command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    log.close()
    if status != 0:
        raise SystemExit(f"{crawler} {run} failed (status {status}); see {log.name} in {workdir}")
    stats = farm_call(port, "reset")
    stats["requests"] -= 1  # the reset call itself
    return Run(crawler, run, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stats)


def write_sources(path: Path, hosts: list[str], port: int, args: argparse.Namespace) -> None:
    lines = [
        "defaults:",
        "  interval: 1h",
        "  timeout: 20s",
        "  respect_robots: true",
        f"  per_host_concurrency: {args.per_host}",
        f"  per_host_delay: {args.delay}s",
        "  max_new_articles_per_run: 50",
        "sources:",
    ]
    for i, host in enumerate(hosts):
        lines += [
            f"  - name: farm-{i:03d}",
            f"    url: http://{host}:{port}/news/",
            "    kind: listing",
        ]
    path.write_text("\n".join(lines) + "\n")


def child_command(
    mode: str, args: argparse.Namespace, hosts: list[str], port: int, workdir: Path
) -> list[str]:
    return [
        sys.executable, str(Path(__file__).resolve()), f"--{mode}-child",
        "--port", str(port), "--workdir", str(workdir), "--delay", str(args.delay),
        "--per-host", str(args.per_host), "--concurrency", str(args.concurrency),
        "--host-list", ",".join(hosts),
    ]  # fmt: skip


def scrapy_child(args: argparse.Namespace) -> None:
    """The baseline: Scrapy crawling the listings, trafilatura extracting the articles."""
    import scrapy
    import trafilatura
    from scrapy.crawler import CrawlerProcess

    port = args.port

    class FarmSpider(scrapy.Spider):  # type: ignore[misc]
        name = "farm"
        start_urls: ClassVar[list[str]] = [
            f"http://{host}:{port}/news/" for host in args.host_list.split(",")
        ]

        def parse(self, response):  # type: ignore[no-untyped-def]
            for href in response.css("ul.news-list a::attr(href)").getall():
                yield response.follow(href, self.parse_article)
            for href in response.css("div.paging a::attr(href)").getall():
                yield response.follow(href, self.parse)

        def parse_article(self, response):  # type: ignore[no-untyped-def]
            text = trafilatura.extract(response.text, url=response.url, with_metadata=True,
                                       output_format="json")  # fmt: skip
            yield {"url": response.url, "article": json.loads(text) if text else None}

    settings = {
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_host,
        "DOWNLOAD_DELAY": args.delay,
        "DOWNLOAD_DELAY_JITTER": 0,
        "DOWNLOAD_TIMEOUT": 20,
        "RETRY_TIMES": 2,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.RFC2616Policy",
        "HTTPCACHE_DIR": str(Path(args.workdir) / "scrapy-cache"),
        "FEEDS": {str(Path(args.workdir) / "scrapy-items.jsonl"): {"format": "jsonlines"}},
    }
    process = CrawlerProcess(settings)
    process.crawl(FarmSpider)
    process.start()


def stages_child(args: argparse.Namespace) -> None:
    """nea-monitor's fetch, discover and extract stages without the store: the same work
    as the Scrapy spider (items to a JSONL file), at the same politeness settings."""
    asyncio.run(_stages(args))


async def _stages(args: argparse.Namespace) -> None:
    from scraper.config.types import Source
    from scraper.discover import discover
    from scraper.errors import FetchError
    from scraper.extract import extract
    from scraper.fetch import Fetcher, FetchSettings

    output = (Path(args.workdir) / "stages-items.jsonl").open("w", encoding="utf-8")
    settings = FetchSettings(max_concurrency=args.concurrency)

    async def site(fetcher: Fetcher, host: str) -> None:
        source = Source(name=host, url=f"http://{host}:{args.port}/news/", kind="listing",
                        per_host_delay=args.delay, per_host_concurrency=args.per_host)  # fmt: skip
        queue, seen, links = [source.url], {source.url}, dict[str, None]()
        while queue and len(seen) <= 12:
            discovery = discover(await fetcher.fetch(queue.pop(0), source), source)
            links.update(dict.fromkeys(link.url for link in discovery.links))
            for url in discovery.follow_up:
                if url not in seen:
                    seen.add(url)
                    queue.append(url)

        async def article(url: str) -> None:
            try:
                page = await fetcher.fetch(url, source)
            except FetchError as exc:
                print(exc, file=sys.stderr)
                return
            item = extract(page.text, url=page.final_url)
            record = {"url": url, "title": item.title, "text": item.text}
            output.write(json.dumps(record, ensure_ascii=False) + "\n")

        await asyncio.gather(*(article(url) for url in links))

    async with Fetcher(settings=settings) as fetcher:
        await asyncio.gather(*(site(fetcher, host) for host in args.host_list.split(",")))
    output.close()


# Main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--articles", type=int, default=25)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per response")
    parser.add_argument("--delay", type=float, default=0.0, help="per-host delay, seconds")
    parser.add_argument("--per-host", type=int, default=2, help="per-host concurrency")
    parser.add_argument("--concurrency", type=int, default=32, help="global (Scrapy)")
    parser.add_argument("--skip-scrapy", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--scrapy-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--stages-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--host-list", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scrapy_child:
        scrapy_child(args)
        return
    if args.stages_child:
        stages_child(args)
        return
    if not 1 <= args.hosts <= 250:
        raise SystemExit("--hosts must be between 1 and 250 (127.0.0.2 .. 127.0.0.251)")

    hosts = [f"127.0.0.{2 + i}" for i in range(args.hosts)]
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="nea-crawl-bench-"))
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    farm = context.Process(
        target=serve_farm, args=(hosts, port, args.articles, args.latency, ready), daemon=True
    )
    farm.start()
    try:
        if not ready.wait(120):
            raise SystemExit("the farm did not start")
        runs = crawl_all(args, hosts, port, workdir)
    except BaseException:
        args.keep = True  # leave the logs for a look
        raise
    finally:
        farm.terminate()
        farm.join(10)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    report(args, runs)


def crawl_all(args: argparse.Namespace, hosts: list[str], port: int, workdir: Path) -> list[Run]:
    sources = workdir / "sources.yaml"
    write_sources(sources, hosts, port, args)
    ours = [str(BIN / "scraper"), "run", "--once", "--config", str(sources),
            "--db", f"sqlite:///{workdir / 'bench.db'}"]  # fmt: skip
    runs = [
        measure("nea-monitor", "first", ours, port, workdir),
        measure("nea-monitor", "second", ours, port, workdir),
    ]
    stages = child_command("stages", args, hosts, port, workdir)
    runs.append(measure("nea-monitor stages (no store)", "first", stages, port, workdir))
    if not args.skip_scrapy:
        theirs = child_command("scrapy", args, hosts, port, workdir)
        runs += [
            measure("Scrapy + trafilatura", "first", theirs, port, workdir),
            measure("Scrapy + trafilatura", "second", theirs, port, workdir),
        ]
    return runs


def report(args: argparse.Namespace, runs: list[Run]) -> None:
    print(
        f"\n{args.hosts} hosts x {args.articles} articles, latency {args.latency * 1000:.0f} ms, "
        f"per-host delay {args.delay:g} s, per-host concurrency {args.per_host}, "
        f"robots.txt obeyed; {os.cpu_count()} CPUs\n"
    )
    print("| crawler | run | pages | wall s | pages/s | CPU ms/page | peak RSS MB | "
          "requests | conditional | 304 | MB served |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        print(run.row())
    rates = {r.crawler: r.pages / r.wall for r in runs if r.run == "first" and r.wall}
    baseline = rates.get("Scrapy + trafilatura")
    if baseline:
        print()
        for crawler, rate in rates.items():
            if crawler != "Scrapy + trafilatura":
                print(f"{crawler}: {rate / baseline:.2f}x the throughput of Scrapy + trafilatura")


if __name__ == "__main__":
    main()
