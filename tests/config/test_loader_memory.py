"""A daemon keeps its parsed ``sources.yaml`` for its whole life: parsing many sources
must not leave the parse's memory pinned behind the config (4,000 sources: 27 MB kept
without the compaction, 15 MB with it; 10,000: 49 and 25 MB)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PARSE = """
import gc
from scraper.config.loader import parse_config

def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20

lines = ["defaults:", "  interval: 30m", "sources:"]
for i in range(4_000):
    lines += [f"  - name: source-{i}", f"    url: http://127.1.{i // 250}.{i % 250 + 1}/s{i}/",
              "    kind: listing", f"    tags: [t{i % 7}]"]
text = "\\n".join(lines) + "\\n"
gc.collect()
before = rss_mb()
config = parse_config(text)
gc.collect()
print(len(config.sources), round(rss_mb() - before))
"""


@pytest.mark.timeout(600)  # a few seconds of CPU, minutes on a loaded machine
def test_a_parsed_config_of_4000_sources_keeps_little_more_than_itself() -> None:
    done = subprocess.run([sys.executable, "-c", PARSE], capture_output=True, text=True, check=True)
    sources, kept_mb = (int(v) for v in done.stdout.split())
    assert sources == 4_000
    assert kept_mb < 21, f"{kept_mb} MB kept after parsing 4,000 sources"
