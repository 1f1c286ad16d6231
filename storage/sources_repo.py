"""Source rows: syncing them with the configuration, the poll lease that lets several
workers share sources, run outcomes (with source.failing / source.recovered), and the
HTTP validators kept for conditional GET."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Row, case, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import StoreBase
from storage.events import Router, add_event
from storage.models import FetchStateRow, RobotsRow, SourceRow
from storage.records import Backlog

__all__ = [
    "SYNC_LOCK_ID", "Backlog", "RunOutcome", "RunRecord", "SourceQueries", "SourceSpec",
    "SourceState", "record_outcome",
]  # fmt: skip

# Any constant works; this one spells "nea-sync" in ASCII.
SYNC_LOCK_ID = 0x6E65612D73796E63


@dataclass(frozen=True)
class SourceSpec:
    """What the store needs to know of a configured source."""

    name: str
    url: str
    kind: str
    enabled: bool = True
    tags: tuple[str, ...] = ()
    host: str | None = None
    # The source's first slot from now: its next_run_at when it has none yet, when its
    # schedule changed (``reschedule``), or when the sync ``respread``s sources whose
    # slot is older than ``stale_before`` (the daemon was down for a whole interval).
    first_run_at: datetime | None = None
    stale_before: datetime | None = None
    reschedule: bool = False


@dataclass(frozen=True)
class SourceState:
    id: int
    name: str
    last_success_at: datetime | None
    consecutive_failures: int
    next_run_at: datetime | None
    last_links_found: int | None


@dataclass(frozen=True)
class RunOutcome:
    ok: bool
    error: str | None = None
    links_found: int | None = None
    # A poll that fetched fine but looks broken (no links where there used to be some,
    # empty extractions): announced as source.failing with this reason.
    suspicion: str | None = None


class SourceQueries(StoreBase):
    async def sync_sources(
        self, specs: Sequence[SourceSpec], *, respread: bool = False
    ) -> dict[str, int]:
        """Insert new sources and update changed ones; sources no longer configured are
        disabled, never deleted (their articles stay). Returns name → id.

        A source gets its ``first_run_at`` as its next slot when it has none, when its
        spec says ``reschedule``, or, with ``respread`` (a daemon starting), when its slot
        is older than ``stale_before`` and nobody holds its lease."""
        wanted = {spec.name: spec for spec in specs}
        async with self.transaction() as session:
            if self.is_postgres:  # workers starting at once on an empty database take turns
                await session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": SYNC_LOCK_ID}
                )
            rows = {row.name: row for row in (await session.scalars(select(SourceRow))).all()}
            for name, spec in wanted.items():
                row = rows.get(name)
                if row is None:
                    row = SourceRow(
                        name=name,
                        url=spec.url,
                        kind=spec.kind,
                        enabled=spec.enabled,
                        tags=list(spec.tags),
                        consecutive_failures=0,
                        failing=False,
                        created_at=self.clock(),
                        host=spec.host,
                        next_run_at=spec.first_run_at,
                    )
                    session.add(row)
                    rows[name] = row
                else:
                    row.url, row.kind, row.enabled = spec.url, spec.kind, spec.enabled
                    row.tags = list(spec.tags)
                    if row.host != spec.host:
                        row.host = spec.host
                    if _needs_first_run(row, spec, respread, self.clock()):
                        row.next_run_at = spec.first_run_at
            for name, row in rows.items():
                if name not in wanted and row.enabled:
                    row.enabled = False
            await session.flush()
            ids = {name: rows[name].id for name in wanted}
        return ids

    async def claim_due(
        self,
        *,
        owner: str,
        lease_seconds: float,
        limit: int,
        busy_hosts: Collection[str] = (),
        admit: Callable[[str | None], bool] = lambda _host: True,
    ) -> tuple[list[SourceState], bool]:
        """Lease up to ``limit`` due sources, oldest slot first, skipping those another
        worker holds (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's BEGIN IMMEDIATE
        makes the whole claim one writer's turn) and those of ``busy_hosts``. ``admit``
        is asked for each candidate's host in order and may refuse it (its host filled
        up within this batch). Returns the claimed sources' states, and whether more
        candidates were seen than claimed (worth asking again once the hosts changed)."""
        if limit <= 0:
            return [], False
        now = self.clock()
        query = (
            select(
                SourceRow.id,
                SourceRow.name,
                SourceRow.host,
                SourceRow.last_success_at,
                SourceRow.consecutive_failures,
                SourceRow.next_run_at,
                SourceRow.last_links_found,
            )
            .where(SourceRow.enabled.is_(True), SourceRow.next_run_at <= now, _unleased(now))
            .order_by(SourceRow.next_run_at)
            # Some slack for candidates ``admit`` refuses (several of one host in a row).
            .limit(limit * 4)
        )
        if busy_hosts:
            query = query.where(
                or_(SourceRow.host.is_(None), SourceRow.host.not_in(list(busy_hosts)))
            )
        async with self.connection() as connection:
            rows = (await connection.execute(self.for_update(query, skip_locked=True))).all()
            chosen = [row for row in rows if admit(row.host)][:limit]
            if chosen:
                await connection.execute(
                    update(SourceRow)
                    .where(SourceRow.id.in_([row.id for row in chosen]))
                    .values(
                        lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_seconds)
                    )
                )
        return [_source_state(row) for row in chosen], len(rows) > len(chosen)

    async def next_due_at(self, *, busy_hosts: Collection[str] = ()) -> datetime | None:
        """The earliest moment a source may become claimable: the oldest slot of an
        unleased source, or the end of a lease held on a due one."""
        now = self.clock()
        # A held lease ends before its source can be claimed; its slot may come later
        # still, which only makes this an early wake-up, never a late one.
        due_at = case(
            (SourceRow.lease_expires_at > now, SourceRow.lease_expires_at),
            else_=SourceRow.next_run_at,
        )
        query = select(func.min(due_at)).where(
            SourceRow.enabled.is_(True), SourceRow.next_run_at.is_not(None)
        )
        if busy_hosts:
            query = query.where(
                or_(SourceRow.host.is_(None), SourceRow.host.not_in(list(busy_hosts)))
            )
        async with self.reading() as connection:
            value = (await connection.execute(query)).scalar()
        return _as_utc(value) if value is not None else None

    async def backlog(self) -> Backlog:
        """Sources due and not being polled, the oldest slot among them, and how many
        sources each worker is polling now (leases held)."""
        async with self.operator_reads() as reads:
            return await reads.backlog(self.clock())

    async def release_leases(self, owner: str) -> int:
        """Hand back every lease ``owner`` still holds, its sources due now (their polls
        did not finish). The last thing a stopping worker writes."""
        async with self.transaction() as session:
            result = await session.execute(
                update(SourceRow)
                .where(SourceRow.lease_owner == owner)
                .values(lease_owner=None, lease_expires_at=None, next_run_at=self.clock())
            )
            return int(getattr(result, "rowcount", 0) or 0)

    async def source_state(self, name: str) -> SourceState | None:
        async with self.reading() as connection:
            result = await connection.execute(
                select(
                    SourceRow.id, SourceRow.name, SourceRow.last_success_at,
                    SourceRow.consecutive_failures, SourceRow.next_run_at,
                    SourceRow.last_links_found,
                ).where(SourceRow.name == name)
            )  # fmt: skip
            row = result.first()
        return _source_state(row) if row is not None else None

    async def claim_source(
        self,
        name: str,
        *,
        owner: str,
        lease_seconds: float,
        due_only: bool = True,
    ) -> SourceState | None:
        """Take the poll lease of a source and return its state (what the poll needs to
        know of earlier polls, read in the same round trip). None when another worker
        holds it, or (with ``due_only``) when it is not due: another worker polled it
        this interval."""
        now = self.clock()
        query = select(SourceRow).where(
            SourceRow.name == name,
            SourceRow.enabled.is_(True),
            or_(
                SourceRow.lease_expires_at.is_(None),
                SourceRow.lease_expires_at < now,
                SourceRow.lease_owner == owner,
            ),
        )
        if due_only:
            query = query.where(or_(SourceRow.next_run_at.is_(None), SourceRow.next_run_at <= now))
        async with self.transaction() as session:
            row = await session.scalar(self.for_update(query, skip_locked=True))
            if row is None:
                return None
            row.lease_owner = owner
            row.lease_expires_at = now + timedelta(seconds=lease_seconds)
            return _source_state(row)

    async def renew_lease(self, name: str, *, owner: str, lease_seconds: float) -> bool:
        async with self.transaction() as session:
            result = await session.execute(
                update(SourceRow)
                .where(SourceRow.name == name, SourceRow.lease_owner == owner)
                .values(lease_expires_at=self.clock() + timedelta(seconds=lease_seconds))
            )
            return bool(getattr(result, "rowcount", 0))

    async def release_source(
        self,
        name: str,
        *,
        owner: str,
        next_run_at: datetime | None = None,
        wait: Callable[[int], float] | None = None,
    ) -> None:
        """Hand the poll lease back; the source is due again at ``next_run_at`` or, given
        ``wait``, ``wait(consecutive_failures)`` seconds from now, the count being read in
        the same transaction (a poll's last round trip, not two)."""
        async with self.transaction() as session:
            if wait is not None:
                failures = await session.scalar(
                    select(SourceRow.consecutive_failures).where(SourceRow.name == name)
                )
                next_run_at = self.clock() + timedelta(seconds=wait(int(failures or 0)))
            await session.execute(
                update(SourceRow)
                .where(SourceRow.name == name, SourceRow.lease_owner == owner)
                .values(lease_owner=None, lease_expires_at=None, next_run_at=next_run_at)
            )

    async def record_run(
        self,
        source_id: int,
        outcome: RunOutcome,
        *,
        failing_after: int,
        router: Router,
        owner: str | None = None,
        wait: Callable[[int], float] | None = None,
    ) -> list[str]:
        """Store a poll's outcome; announce source.failing once the streak reaches
        ``failing_after`` (or at once for a suspicious poll) and source.recovered when a
        failing source is healthy again. Returns the ids of the events written.

        Given the lease's ``owner`` and ``wait``, also hands the lease back in the same
        transaction, as ``release_source(owner=owner, wait=wait)`` would after it: the
        source is due again ``wait(consecutive_failures)`` seconds from now, the streak
        counted with this outcome. One transaction per poll fewer."""
        now = self.clock()
        events: list[str] = []
        async with self.transaction() as session:
            row = await session.get(SourceRow, source_id, with_for_update=self.is_postgres)
            if row is None:
                return events
            event = record_outcome(row, outcome, failing_after=failing_after, now=now)
            if event is not None:
                event_type, reason = event
                events.append(
                    await self._source_event(session, row, event_type, reason, now, router)
                )
            if wait is not None and owner is not None and row.lease_owner == owner:
                row.lease_owner, row.lease_expires_at = None, None
                row.next_run_at = now + timedelta(seconds=wait(row.consecutive_failures))
        return events

    async def _source_event(
        self,
        session: AsyncSession,
        row: SourceRow,
        event_type: str,
        reason: str | None,
        now: datetime,
        router: Router,
    ) -> str:
        return await add_event(
            session,
            event_type=event_type,
            occurred_at=now,
            source_id=row.id,
            source_name=row.name,
            router=router,
            extra={
                "error": row.last_error if event_type == "source.failing" else None,
                "reason": reason,
                "consecutive_failures": row.consecutive_failures,
                "url": row.url,
            },
        )

    async def recall_robots(self, url: str) -> tuple[bytes | None, datetime] | None:
        """A robots.txt as last fetched (body None: a 4xx, no rules) and when."""
        async with self.reading() as connection:
            result = await connection.execute(
                select(RobotsRow.body, RobotsRow.fetched_at).where(RobotsRow.url == url)
            )
            row = result.first()
        return (row.body, row.fetched_at) if row is not None else None

    async def remember_robots(self, url: str, body: bytes | None, fetched_at: datetime) -> None:
        statement = (pg_insert if self.is_postgres else sqlite_insert)(RobotsRow)
        upsert = statement.on_conflict_do_update(
            index_elements=[RobotsRow.url],
            set_={"body": statement.excluded.body, "fetched_at": statement.excluded.fetched_at},
        )
        async with self.connection() as connection:
            await connection.execute(upsert, [{"url": url, "body": body, "fetched_at": fetched_at}])

    async def get_validators(self, url: str) -> tuple[str | None, str | None]:
        async with self.reading() as connection:
            result = await connection.execute(
                select(FetchStateRow.etag, FetchStateRow.last_modified).where(
                    FetchStateRow.url == url
                )
            )
            row = result.first()
        return (row.etag, row.last_modified) if row is not None else (None, None)

    async def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        await self.save_validators_many({url: (etag, last_modified)})

    async def save_validators_many(
        self, validators: Mapping[str, tuple[str | None, str | None]]
    ) -> None:
        """Keep the ETag and Last-Modified of several documents, in one transaction."""
        if not validators:
            return
        now = self.clock()
        rows = [
            {"url": url, "etag": etag, "last_modified": modified, "updated_at": now}
            for url, (etag, modified) in validators.items()
        ]
        statement = (pg_insert if self.is_postgres else sqlite_insert)(FetchStateRow)
        upsert = statement.on_conflict_do_update(
            index_elements=[FetchStateRow.url],
            set_={
                "etag": statement.excluded.etag,
                "last_modified": statement.excluded.last_modified,
                "updated_at": statement.excluded.updated_at,
            },
        )
        async with self.connection() as connection:
            await connection.execute(upsert, rows)


class RunRecord(Protocol):
    """The fields of a source's row that a poll's outcome changes."""

    last_run_at: datetime | None
    last_status: str | None
    last_error: str | None
    consecutive_failures: int
    last_success_at: datetime | None
    last_links_found: int | None
    failing: bool


def record_outcome(
    row: RunRecord, outcome: RunOutcome, *, failing_after: int, now: datetime
) -> tuple[str, str | None] | None:
    """Note ``outcome`` on ``row`` (last run, status, streak); the source event it calls
    for, as (type, reason): source.failing once the streak reaches ``failing_after`` (at
    once for a suspicious poll), source.recovered when a failing source is healthy again.
    The one place that decides it, for every store."""
    row.last_run_at = now
    if outcome.ok:
        row.last_status, row.last_error = "ok", outcome.suspicion
        row.consecutive_failures = 0
        row.last_success_at = now
        if outcome.links_found is not None:
            row.last_links_found = outcome.links_found
    else:
        row.last_status, row.last_error = "failed", outcome.error
        row.consecutive_failures += 1
    reason = outcome.error if not outcome.ok else outcome.suspicion
    should_fail = (not outcome.ok and row.consecutive_failures >= failing_after) or (
        outcome.ok and outcome.suspicion is not None
    )
    if should_fail and not row.failing:
        row.failing = True
        return "source.failing", reason
    if outcome.ok and outcome.suspicion is None and row.failing:
        row.failing = False
        return "source.recovered", None
    return None


def _unleased(now: datetime) -> Any:
    return or_(SourceRow.lease_expires_at.is_(None), SourceRow.lease_expires_at < now)


def _needs_first_run(row: SourceRow, spec: SourceSpec, respread: bool, now: datetime) -> bool:
    if spec.first_run_at is None:
        return False
    if row.next_run_at is None or spec.reschedule:
        return True
    leased = row.lease_expires_at is not None and row.lease_expires_at >= now
    stale = spec.stale_before is not None and row.next_run_at < spec.stale_before
    return respread and stale and not leased


def _as_utc(value: Any) -> datetime:
    """A timestamp read through an aggregate (min, max), where the column's type does
    not apply: SQLite returns it as text, without a time zone."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value  # type: ignore[no-any-return]


def _source_state(row: Row[*tuple[Any, ...]] | SourceRow) -> SourceState:
    return SourceState(
        id=row.id,
        name=row.name,
        last_success_at=row.last_success_at,
        consecutive_failures=row.consecutive_failures,
        next_run_at=row.next_run_at,
        last_links_found=row.last_links_found,
    )
