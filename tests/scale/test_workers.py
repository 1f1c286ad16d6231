"""Scale-out on PostgreSQL: three ``scraper run`` processes share one database and a farm
of sites, with nothing but the database to coordinate them."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.notify.receivers import WebhookReceiver
from tests.scale.support import (
    WEBHOOK_SECRET,
    Farm,
    query,
    scalar,
    table_exists,
    wait_for,
    workers,
)
from tests.support.httpserver import FixtureServer

# Daemons and a farm on a busy machine: bounded by wait_for, not by the default 120 s.
pytestmark = [pytest.mark.postgres, pytest.mark.timeout(900)]

INTERVAL = 6.0  # seconds between polls of a source
LEASE = 3.0  # NEA_LEASE_SECONDS for the workers of the takeover test
# No worker dies in the sharing test: its leases must outlast any stall of a busy machine
# (a lease that expires under a live poll lets another worker poll the source too).
SHARING_LEASE = 60.0
# A source is due again at least 0.9 interval after its poll *ended* (see next_run), and
# a poll's listing request is answered before it ends: two listing requests of a source
# are at least that far apart, however slow the machine.
MIN_GAP = 0.9 * INTERVAL


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


def _jsonl_ids(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [json.loads(line)["id"] for line in path.read_text().splitlines() if line.strip()]


def _polled_by(log: str) -> set[str]:
    """Sources a worker polled, from its per-poll summary lines."""
    return set(re.findall(r"(site\d+-\d+): \d+ links,", log))


def test_three_workers_share_sources_and_deliveries(
    postgres_url: str, stack: ExitStack, tmp_path: Path
) -> None:
    farm = Farm(stack, servers=3, per_server=3, articles=4)
    receiver = WebhookReceiver(secret=WEBHOOK_SECRET)
    hook = stack.enter_context(FixtureServer())
    hook.route("/hook", receiver)
    jsonl = tmp_path / "events.jsonl"
    config = tmp_path / "sources.yaml"
    config.write_text(
        farm.sources_yaml(interval=f"{INTERVAL}s", jsonl=jsonl, webhook_url=hook.url("/hook"))
    )

    def stored() -> int:
        if not table_exists(postgres_url):
            return 0
        return int(scalar(postgres_url, "select count(*) from articles"))

    with workers(3, config, postgres_url, lease_seconds=SHARING_LEASE) as running:
        wait_for(lambda: stored() == 36, "the first round: 9 sources x 4 articles")
        started = time.time()
        # New articles appear while the workers run: each is found once, by one worker.
        for name in list(farm.sources)[::2]:
            farm.add_article(name)
        expected = farm.expected_urls()
        wait_for(lambda: stored() == len(expected), "the articles added later")
        wait_for(
            lambda: (
                len(set(_jsonl_ids(jsonl))) == len(expected)
                and len({e["id"] for e in receiver.accepted}) == len(expected)
            ),
            "every article.new event on both channels",
        )
        # Let a few more intervals pass, so double polls would have had their chance.
        wait_for(lambda: time.time() - started > 3 * INTERVAL, "three more intervals")
        # The work is shared: whichever worker claims first takes what is due, and
        # every worker wakes for the same slots, so more than one of them polls.
        wait_for(
            lambda: sum(1 for worker in running if _polled_by(worker.log())) >= 2,
            "a second worker to poll",
        )
        for worker in running:
            assert worker.alive(), worker.log()
        codes = [worker.stop(signal.SIGTERM) for worker in running]
        logs = [worker.log() for worker in running]
    assert codes == [0, 0, 0], logs

    # Every article stored once, with one version and one article.new event.
    urls = [r["url"] for r in query(postgres_url, "select url from articles")]
    assert sorted(urls) == sorted(expected)
    assert scalar(postgres_url, "select count(*) from article_versions") == len(expected)
    events = query(postgres_url, "select id, type from events")
    assert sorted({e["type"] for e in events}) == ["article.new"]
    assert len(events) == len(expected)
    event_ids = {e["id"] for e in events}

    # Every event delivered on each channel, exactly once (no fault, so no redelivery).
    rows = query(postgres_url, "select channel, status, attempts from deliveries")
    assert len(rows) == 2 * len(expected)
    assert {(r["status"], r["attempts"]) for r in rows} == {("delivered", 1)}
    assert sorted(_jsonl_ids(jsonl)) == sorted(event_ids)
    assert sorted(e["id"] for e in receiver.accepted) == sorted(event_ids)
    assert receiver.bad_signatures == 0

    # No source polled twice in one interval, however the three schedulers fired.
    for source in farm.sources.values():
        times = sorted(source.listing_times)
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert gaps, f"{source.name} was polled once only"
        assert min(gaps) >= MIN_GAP, f"{source.name} polled twice within {min(gaps):.2f}s"
    assert scalar(postgres_url, "select count(*) from sources where lease_owner is not null") == 0


def test_a_killed_workers_source_is_taken_over_after_its_lease_expires(
    postgres_url: str, stack: ExitStack, tmp_path: Path
) -> None:
    farm = Farm(stack, servers=1, per_server=3, articles=3)
    slow = "site0-0"
    release = farm.block_next_listing(slow)
    stack.callback(release.set)
    jsonl = tmp_path / "events.jsonl"
    config = tmp_path / "sources.yaml"
    config.write_text(farm.sources_yaml(interval="2s", jsonl=jsonl, webhook_url=None))

    def lease_of(name: str) -> tuple[str | None, datetime | None]:
        if not table_exists(postgres_url):
            return None, None
        row = query(
            postgres_url, "select lease_owner, lease_expires_at from sources where name = $1", name
        )
        return (row[0]["lease_owner"], row[0]["lease_expires_at"]) if row else (None, None)

    with workers(3, config, postgres_url, lease_seconds=LEASE) as running:
        wait_for(lambda: farm.sources[slow].listing_times != [], "the slow source's first poll")
        wait_for(lambda: lease_of(slow)[0] is not None, "the slow source's lease")
        owner = lease_of(slow)[0]
        assert owner is not None
        first_request = farm.sources[slow].listing_times[0]
        # A poll longer than the lease keeps its lease: it is renewed, nobody steals it.
        wait_for(lambda: time.time() - first_request > 2 * LEASE, "two lease lengths")
        assert lease_of(slow)[0] == owner
        assert len(farm.sources[slow].listing_times) == 1

        pid = int(owner.split(":")[1])
        (victim,) = [w for w in running if w.pid == pid]
        os.kill(pid, signal.SIGKILL)
        victim.process.wait(timeout=30)
        killed_at = time.time()
        _, expires = lease_of(slow)
        assert expires is not None
        release.set()  # the dead worker's request may finish now; nobody reads it

        survivors = [w for w in running if w is not victim]
        wait_for(
            lambda: (
                scalar(
                    postgres_url,
                    "select count(*) from articles a join sources s on s.id = a.source_id "
                    "where s.name = $1",
                    slow,
                )
                == 3
            ),
            "a surviving worker to poll the slow source",
        )
        # The victim may have written an event to the file and died before recording it
        # delivered: its delivery lease expires and a survivor sends it again (at least
        # once). Wait for the database too, not just for the file.
        wait_for(
            lambda: (
                len(set(_jsonl_ids(jsonl))) == 9
                and scalar(postgres_url, "select count(*) from deliveries "
                           "where status != 'delivered'") == 0
            ),
            "every event delivered and recorded as delivered",
        )  # fmt: skip
        codes = [w.stop(signal.SIGTERM) for w in survivors]
        logs = [w.log() for w in survivors]
    assert codes == [0, 0], logs

    times = farm.sources[slow].listing_times
    assert len(times) >= 2
    # Taken over only once the dead worker's lease had expired, and soon after.
    assert times[1] >= expires.timestamp() - 0.05, (times[1], expires)
    assert times[1] - killed_at < LEASE + 5 * 2.0
    assert any(f"{slow}: 3 links, 3 new" in log for log in logs), logs
    status = query(
        postgres_url, "select last_status, lease_owner from sources where name = $1", slow
    )
    assert status[0]["last_status"] == "ok"
    assert status[0]["lease_owner"] is None
    assert expires > datetime.fromtimestamp(first_request, UTC)
    assert scalar(postgres_url, "select count(*) from articles") == 9
    assert scalar(postgres_url, "select count(*) from deliveries where status != 'delivered'") == 0
