"""PostgreSQL restarts under running daemons: they reconnect, retry what failed, and lose
nothing. Runs on a cluster of its own, never on the shared test server."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.conftest import postgres_server_url
from tests.notify.receivers import WebhookReceiver
from tests.scale.pgcluster import Cluster
from tests.scale.support import WEBHOOK_SECRET, Farm, query, scalar, table_exists, wait_for, workers
from tests.support.httpserver import FixtureServer

# Daemons and a farm on a busy machine: bounded by wait_for, not by the default 120 s.
pytestmark = [pytest.mark.postgres, pytest.mark.timeout(900)]


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    postgres_server_url()  # skip (locally) or fail (CI) the same way as the other tests
    own = Cluster.start()
    try:
        yield own
    finally:
        own.destroy()


def _ids(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {json.loads(line)["id"] for line in path.read_text().splitlines() if line.strip()}


def _stored(url: str) -> int:
    try:
        return int(scalar(url, "select count(*) from articles")) if table_exists(url) else 0
    except OSError:
        return 0


def test_daemons_survive_a_postgres_restart_and_lose_nothing(
    cluster: Cluster, tmp_path: Path
) -> None:
    with ExitStack() as stack:
        farm = Farm(stack, servers=2, per_server=2, articles=3)
        receiver = WebhookReceiver(secret=WEBHOOK_SECRET)
        hook = stack.enter_context(FixtureServer())
        hook.route("/hook", receiver)
        jsonl, config = tmp_path / "events.jsonl", tmp_path / "sources.yaml"
        config.write_text(
            farm.sources_yaml(interval="2s", jsonl=jsonl, webhook_url=hook.url("/hook"))
        )
        running = stack.enter_context(workers(2, config, cluster.url, lease_seconds=3))
        wait_for(lambda: _stored(cluster.url) == 12 and len(_ids(jsonl)) == 12, "the first round")

        logs_before = [len(w.log()) for w in running]
        cluster.stop_server()
        # What the sites publish during the outage must be stored once the database is back.
        for name in farm.sources:
            farm.add_article(name)
        wait_for(
            lambda: all(
                "database" in w.log()[n:].lower() for w, n in zip(running, logs_before, strict=True)
            ),
            "both workers to meet the outage",
        )
        cluster.start_server()

        expected = farm.expected_urls()
        wait_for(lambda: _stored(cluster.url) == len(expected), "the articles of the outage")
        wait_for(
            lambda: (
                len(_ids(jsonl)) == len(expected)
                and len({e["id"] for e in receiver.accepted}) == len(expected)
            ),
            "every event delivered on both channels",
        )
        # A send whose success could not be recorded during the outage stays leased; once
        # the lease expires it is sent again (receivers deduplicate by event id).
        wait_for(
            lambda: (
                scalar(cluster.url, "select count(*) from deliveries where status != 'delivered'")
                == 0
            ),
            "every delivery row recorded as delivered",
        )
        assert all(w.alive() for w in running), [w.log() for w in running]
        codes = [w.stop(signal.SIGTERM) for w in running]
        assert codes == [0, 0], [w.log() for w in running]

    urls = {r["url"] for r in query(cluster.url, "select url from articles")}
    assert urls == expected
    event_ids = {
        r["id"] for r in query(cluster.url, "select id from events where type = 'article.new'")
    }
    assert _ids(jsonl) == event_ids  # at least once; receivers deduplicate by id
    assert {e["id"] for e in receiver.accepted} == event_ids
    assert scalar(cluster.url, "select count(*) from deliveries where status != 'delivered'") == 0
    assert scalar(cluster.url, "select count(*) from sources where lease_owner is not null") == 0
    assert scalar(cluster.url, "select count(*) from sources where last_status != 'ok'") == 0
