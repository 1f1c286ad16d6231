"""`make demo`: serve the bundled sample sites on loopback, run the real daemon against them
with a JSONL sink, and show the notifications as they arrive. Then list what was stored.

Everything lands in ./demo/ (database, config, events.jsonl); run it again to start over.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.sites import FixtureSites
from tests.support.httpserver import FixtureServer

DEMO = Path("demo")
WAIT_SECONDS = 60


def main() -> int:
    shutil.rmtree(DEMO, ignore_errors=True)
    DEMO.mkdir()
    scraper = str(Path(sys.executable).with_name("scraper"))
    db = f"sqlite:///{DEMO / 'demo.db'}"
    events = DEMO / "events.jsonl"
    with FixtureServer() as server:
        sites = FixtureSites(server).install()
        config = DEMO / "sources.yaml"
        config.write_text(sites.sources_yaml(jsonl_path=str(events.resolve()), interval="30s"))
        print(f"sample sites on {server.base_url}; config {config}; database {db}\n")
        daemon = subprocess.Popen(
            [scraper, "run", "--config", str(config), "--db", db], env=os.environ.copy()
        )
        try:
            _show_events(events, expected=4)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=30)
    print("\nStored articles (`scraper articles --db " + db + "`):\n", flush=True)
    subprocess.run([scraper, "articles", "--db", db], check=False)
    print(f"\nTry: sqlite3 {DEMO / 'demo.db'} 'select id, title, duplicate_of from articles'")
    print(f"     {scraper} status --db {db}")
    return 0


def _show_events(path: Path, *, expected: int) -> None:
    seen = 0
    deadline = time.monotonic() + WAIT_SECONDS
    while seen < expected and time.monotonic() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        for line in lines[seen:]:
            event = json.loads(line)
            article = event.get("article") or {}
            print(f"  notification: {event['type']:<18} [{event['source']}] {article.get('title')}")
        seen = len(lines)
        time.sleep(0.5)  # a human-facing progress loop, not a test
    if seen < expected:
        print(f"  (only {seen} of {expected} notifications within {WAIT_SECONDS}s)")


if __name__ == "__main__":
    raise SystemExit(main())
