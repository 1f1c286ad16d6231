"""An in-memory store: the ``storage.protocols`` roles (articles, sources, outbox) kept in
dicts, for tests of pipeline logic that need *a* store, not a database.

It is held to the real store's behaviour by ``tests/storage/test_store_contract.py``, which
runs the same tests on it, on a SQLite file and on PostgreSQL. Where the real store has a
performance bound that changes no outcome a test can see, the fake has none: it verifies
every near-duplicate candidate (the real one the 8 sharing the most index keys). Writes
of one ``save_articles`` call are decided in order, each seeing the ones before it, as the
real batch does; nothing here is concurrent, so there are no races to model."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from scraper.dedup import matching_bands
from scraper.dedup_verify import compare, prepare
from storage.article_types import ArticleInput, ArticleWrite, CheckPlan, SaveResult
from storage.articles_repo import ArticleState
from storage.events import Router, article_payload, change_summary, new_event
from storage.outbox_repo import OutboxDelivery
from storage.sources_repo import RunOutcome, SourceSpec, SourceState, record_outcome
from storage.types import utcnow
from storage.url_params_repo import CONFIRMATIONS, StoredArticle

Clock = Callable[[], datetime]


@dataclass
class SourceRecord:
    id: int
    name: str
    url: str
    kind: str
    enabled: bool
    tags: tuple[str, ...]
    host: str | None
    next_run_at: datetime | None
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    last_run_at: datetime | None = None
    last_status: str | None = None
    last_error: str | None = None
    last_success_at: datetime | None = None
    consecutive_failures: int = 0
    failing: bool = False
    last_links_found: int | None = None

    def state(self) -> SourceState:
        return SourceState(
            self.id,
            self.name,
            self.last_success_at,
            self.consecutive_failures,
            self.next_run_at,
            self.last_links_found,
        )


@dataclass
class ArticleRecord:
    id: int
    source_id: int
    item: ArticleInput  # the current content (url, title, text, hash, index keys...)
    duplicate_of: int | None
    first_seen_at: datetime
    updated_at: datetime
    next_check_at: datetime | None
    etag: str | None
    last_modified: str | None
    listed_updated_at: datetime | None
    version: int = 1
    check_count: int = 1
    last_checked_at: datetime | None = None
    versions: list[ArticleInput] = field(default_factory=list)  # version n at [n - 1]

    @property
    def url(self) -> str:
        return self.item.url

    def state(self) -> ArticleState:
        return ArticleState(
            self.id,
            self.item.url,
            self.version,
            self.item.content_hash,
            self.next_check_at,
            self.listed_updated_at,
            self.updated_at,
            self.first_seen_at,
            self.etag,
            self.last_modified,
            self.check_count,
        )


@dataclass
class DeliveryRecord:
    id: int
    event_id: str
    channel: str
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    last_error: str | None = None
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None


@dataclass
class _Param:
    via: str
    evidence: int
    last_hash: str


class MemoryStore:
    """``ArticleStore``, ``SourceStore`` and ``OutboxStore`` in memory."""

    def __init__(self, *, clock: Clock = utcnow) -> None:
        self.clock = clock
        self.sources: dict[str, SourceRecord] = {}
        self.articles: dict[int, ArticleRecord] = {}
        self.events: dict[str, dict[str, Any]] = {}  # the event rows, payload included
        self.deliveries: dict[int, DeliveryRecord] = {}
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.params: dict[tuple[int, str], _Param] = {}
        self._ids = {name: itertools.count(1) for name in ("source", "article", "delivery")}

    # Sources -----------------------------------------------------------------------------

    async def sync_sources(
        self, specs: Sequence[SourceSpec], *, respread: bool = False
    ) -> dict[str, int]:
        now = self.clock()
        wanted = {spec.name: spec for spec in specs}
        for name, spec in wanted.items():
            row = self.sources.get(name)
            if row is None:
                self.sources[name] = SourceRecord(
                    next(self._ids["source"]),
                    name,
                    spec.url,
                    spec.kind,
                    spec.enabled,
                    tuple(spec.tags),
                    spec.host,
                    spec.first_run_at,
                )
                continue
            row.url, row.kind, row.enabled = spec.url, spec.kind, spec.enabled
            row.tags, row.host = tuple(spec.tags), spec.host
            if spec.first_run_at is None:
                continue
            leased = row.lease_expires_at is not None and row.lease_expires_at >= now
            stale = spec.stale_before is not None and (
                row.next_run_at is not None and row.next_run_at < spec.stale_before
            )
            if row.next_run_at is None or spec.reschedule or (respread and stale and not leased):
                row.next_run_at = spec.first_run_at
        for name, row in self.sources.items():
            if name not in wanted:
                row.enabled = False
        return {name: self.sources[name].id for name in wanted}

    async def source_state(self, name: str) -> SourceState | None:
        row = self.sources.get(name)
        return row.state() if row is not None else None

    async def claim_source(
        self, name: str, *, owner: str, lease_seconds: float, due_only: bool = True
    ) -> SourceState | None:
        now = self.clock()
        row = self.sources.get(name)
        if row is None or not row.enabled:
            return None
        free = row.lease_expires_at is None or row.lease_expires_at < now
        if not free and row.lease_owner != owner:
            return None
        if due_only and row.next_run_at is not None and row.next_run_at > now:
            return None
        row.lease_owner, row.lease_expires_at = owner, now + timedelta(seconds=lease_seconds)
        return row.state()

    async def renew_lease(self, name: str, *, owner: str, lease_seconds: float) -> bool:
        row = self.sources.get(name)
        if row is None or row.lease_owner != owner:
            return False
        row.lease_expires_at = self.clock() + timedelta(seconds=lease_seconds)
        return True

    async def release_source(
        self,
        name: str,
        *,
        owner: str,
        next_run_at: datetime | None = None,
        wait: Callable[[int], float] | None = None,
    ) -> None:
        row = self.sources.get(name)
        if row is None:
            return
        if wait is not None:
            next_run_at = self.clock() + timedelta(seconds=wait(row.consecutive_failures))
        if row.lease_owner == owner:
            row.lease_owner, row.lease_expires_at = None, None
            row.next_run_at = next_run_at

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
        now = self.clock()
        row = next((s for s in self.sources.values() if s.id == source_id), None)
        if row is None:
            return []
        events: list[str] = []
        event = record_outcome(row, outcome, failing_after=failing_after, now=now)
        if event is not None:
            events.append(self._source_event(row, event[0], event[1], now, router))
        if wait is not None and owner is not None and row.lease_owner == owner:
            row.lease_owner, row.lease_expires_at = None, None
            row.next_run_at = now + timedelta(seconds=wait(row.consecutive_failures))
        return events

    def _source_event(
        self, row: SourceRecord, event_type: str, reason: str | None, now: datetime, router: Router
    ) -> str:
        extra = {
            "error": row.last_error if event_type == "source.failing" else None,
            "reason": reason,
            "consecutive_failures": row.consecutive_failures,
            "url": row.url,
        }
        return self._add_event(
            new_event(
                event_type=event_type,
                occurred_at=now,
                source_id=row.id,
                source_name=row.name,
                router=router,
                extra=extra,
            )
        )

    async def get_validators(self, url: str) -> tuple[str | None, str | None]:
        return self.validators.get(url, (None, None))

    async def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self.validators[url] = (etag, last_modified)

    async def save_validators_many(
        self, validators: Mapping[str, tuple[str | None, str | None]]
    ) -> None:
        self.validators.update(validators)

    # Articles ----------------------------------------------------------------------------

    async def known_and_due(
        self, source_id: int, urls: Sequence[str], *, limit: int
    ) -> tuple[dict[str, ArticleState], list[ArticleState]]:
        now, wanted = self.clock(), set(urls)
        known = {a.url: a.state() for a in self.articles.values() if a.url in wanted}
        due = sorted(
            (
                a
                for a in self.articles.values()
                if a.source_id == source_id
                and a.next_check_at is not None
                and a.next_check_at <= now
            ),
            key=lambda a: (a.next_check_at, a.id),
        )
        return known, [a.state() for a in due[:limit]]

    async def mark_checked(self, article_id: int, plan: CheckPlan) -> None:
        self._plan(self.articles[article_id], plan)

    def _plan(self, row: ArticleRecord, plan: CheckPlan) -> None:
        row.last_checked_at, row.next_check_at = self.clock(), plan.next_check_at
        row.check_count += 1
        if plan.etag is not None or plan.last_modified is not None:
            row.etag, row.last_modified = plan.etag, plan.last_modified
        if plan.listed_updated_at is not None:
            row.listed_updated_at = plan.listed_updated_at

    async def save_articles(
        self, writes: Sequence[ArticleWrite], *, near_duplicates: bool = False
    ) -> list[SaveResult]:
        urls = [w.item.url for w in writes]
        if len(set(urls)) != len(urls):
            raise ValueError("a batch of article writes must not repeat a URL")
        by_url = {a.url: a for a in self.articles.values()}
        return [self._save(w, by_url.get(w.item.url), near_duplicates) for w in writes]

    def _save(
        self, write: ArticleWrite, row: ArticleRecord | None, near_duplicates: bool
    ) -> SaveResult:
        now, item, plan = self.clock(), write.item, write.plan
        dedup = not write.page_watch and bool(item.text)
        if row is None:
            original = self._original(item, near_duplicates) if dedup else None
            row = ArticleRecord(
                next(self._ids["article"]),
                write.source_id,
                item,
                original,
                now,
                now,
                plan.next_check_at,
                plan.etag,
                plan.last_modified,
                plan.listed_updated_at,
                last_checked_at=now,
                versions=[item],
            )
            self.articles[row.id] = row
            if write.page_watch:  # a watched page's first capture is its baseline
                return SaveResult("new", row.id, 1)
            if original is None:
                event = self._article_event(write, "article.new", row, None)
                return SaveResult("new", row.id, 1, None, (event,))
            extra = {"duplicate_of": original}
            event = self._article_event(write, "article.duplicate", row, extra)
            return SaveResult("duplicate", row.id, 1, original, (event,))
        self._plan(row, plan)
        old = row.item
        if old.content_hash == item.content_hash and old.title == item.title:
            return SaveResult("unchanged", row.id, row.version, row.duplicate_of)
        changes = change_summary(old.text, item.text, old.title, item.title)
        was_copy_of, duplicate_of = row.duplicate_of, row.duplicate_of
        has_copies = any(a.duplicate_of == row.id for a in self.articles.values())
        if dedup and not has_copies:
            # An original may become a copy of an earlier article only; a copy may become
            # an original, or a copy of another.
            before = row.id if was_copy_of is None else None
            duplicate_of = self._original(item, near_duplicates, exclude=row.id, before=before)
            if duplicate_of is None and was_copy_of is not None:
                changes["previously_duplicate_of"] = was_copy_of
        row.item, row.duplicate_of, row.updated_at = item, duplicate_of, now
        row.version += 1
        row.versions.append(item)
        if duplicate_of is not None and was_copy_of is None:
            extra = {"duplicate_of": duplicate_of}
            event = self._article_event(write, "article.duplicate", row, extra)
            return SaveResult("duplicate", row.id, row.version, duplicate_of, (event,))
        if duplicate_of is not None:
            return SaveResult("updated", row.id, row.version, duplicate_of)
        event_type = "page.changed" if write.page_watch else "article.updated"
        event = self._article_event(write, event_type, row, {"changes": changes})
        return SaveResult("updated", row.id, row.version, None, (event,))

    def _original(
        self,
        item: ArticleInput,
        near_duplicates: bool,
        *,
        exclude: int | None = None,
        before: int | None = None,
    ) -> int | None:
        """The root of the earliest article with the same text, else of the earliest
        verified near copy sharing an index key (see ``storage.article_writes``)."""

        def other(a: ArticleRecord) -> bool:
            if a.url == item.url or (before is not None and a.id >= before):
                return False
            return exclude is None or exclude not in (a.id, a.duplicate_of)

        candidates = sorted((a for a in self.articles.values() if other(a)), key=lambda a: a.id)
        same = [a for a in candidates if a.item.content_hash == item.content_hash]
        if same:
            return same[0].duplicate_of or same[0].id
        if not near_duplicates or not item.text:
            return None
        keys = {
            (match, value)
            for band, value in enumerate(item.simhash_bands)
            for match in matching_bands(band)
        }
        mine = prepare(item.text)
        for a in candidates:
            shares_a_key = bool(keys.intersection(enumerate(a.item.simhash_bands)))
            if shares_a_key and a.item.text and compare(mine, prepare(a.item.text)).linked:
                return a.duplicate_of or a.id
        return None

    def _article_event(
        self, write: ArticleWrite, event_type: str, row: ArticleRecord, extra: dict[str, Any] | None
    ) -> str:
        item = write.item
        article = article_payload(
            id=row.id,
            url=item.url,
            title=item.title,
            published_at=item.published_at,
            published_date=item.published_date,
            language=item.language,
            content_hash=item.content_hash,
            version=row.version,
            text=item.text,
        )
        return self._add_event(
            new_event(
                event_type=event_type,
                occurred_at=self.clock(),
                source_id=write.source_id,
                source_name=write.source_name,
                router=write.router,
                article_id=row.id,
                article=article,
                extra=extra,
            )
        )

    async def same_content(
        self, source_id: int, content_hash: str, *, limit: int = 20
    ) -> list[StoredArticle]:
        found = sorted(
            (
                a
                for a in self.articles.values()
                if a.source_id == source_id and a.item.content_hash == content_hash
            ),
            key=lambda a: a.id,
        )
        return [StoredArticle(a.id, a.url) for a in found[:limit]]

    async def rename_article(self, article_id: int, url: str) -> bool:
        if article_id not in self.articles or any(a.url == url for a in self.articles.values()):
            return False
        row = self.articles[article_id]
        row.item = replace(row.item, url=url)
        return True

    async def context_params(self, source_id: int) -> frozenset[str]:
        return frozenset(
            name
            for (source, name), param in self.params.items()
            if source == source_id and (param.via == "canonical" or param.evidence >= CONFIRMATIONS)
        )

    async def record_context(
        self,
        source_id: int,
        names: Iterable[str],
        *,
        content_hash: str,
        example_url: str,
        via: str,
    ) -> None:
        for name in sorted({n.lower() for n in names}):
            param = self.params.get((source_id, name))
            if param is None:
                self.params[source_id, name] = _Param(via, 1, content_hash)
                continue
            if via == "canonical":
                param.via = "canonical"
            if param.last_hash != content_hash:
                param.evidence, param.last_hash = param.evidence + 1, content_hash

    # Outbox ------------------------------------------------------------------------------

    def _add_event(self, rows: tuple[dict[str, Any], list[dict[str, Any]]]) -> str:
        event, deliveries = rows
        self.events[event["id"]] = event
        for delivery in deliveries:
            row_id = next(self._ids["delivery"])
            self.deliveries[row_id] = DeliveryRecord(
                row_id,
                event["id"],
                delivery["channel"],
                next_attempt_at=delivery["next_attempt_at"],
            )
        return str(event["id"])

    async def claim_deliveries(
        self, *, owner: str, now: datetime, limit: int, lease_seconds: float = 60.0
    ) -> list[OutboxDelivery]:
        due = [
            r
            for r in sorted(self.deliveries.values(), key=lambda r: r.id)
            if r.status == "pending"
            and (r.next_attempt_at is None or r.next_attempt_at <= now)
            and (r.lease_expires_at is None or r.lease_expires_at < now)
        ][:limit]
        names = {s.id: s.name for s in self.sources.values()}
        claimed = []
        for r in due:
            r.lease_owner, r.lease_expires_at = owner, now + timedelta(seconds=lease_seconds)
            event = self.events[r.event_id]
            claimed.append(
                OutboxDelivery(
                    r.id,
                    r.event_id,
                    r.channel,
                    r.attempts,
                    event["type"],
                    dict(event["payload"]),
                    names.get(event["source_id"]),
                )
            )
        return claimed

    def _held(self, delivery_id: int, owner: str) -> DeliveryRecord | None:
        r = self.deliveries.get(delivery_id)
        return r if r is not None and r.status == "pending" and r.lease_owner == owner else None

    async def delivery_succeeded(self, delivery_id: int, *, owner: str, now: datetime) -> None:
        if (r := self._held(delivery_id, owner)) is not None:
            r.status, r.attempts, r.delivered_at = "delivered", r.attempts + 1, now
            r.last_error = r.lease_owner = r.lease_expires_at = None

    async def delivery_failed(
        self,
        delivery_id: int,
        *,
        owner: str,
        error: str,
        now: datetime,
        next_attempt_at: datetime | None,
    ) -> None:
        if (r := self._held(delivery_id, owner)) is not None:
            r.status = "pending" if next_attempt_at is not None else "dead"
            r.attempts += 1
            r.next_attempt_at, r.last_error = next_attempt_at, error[:2000]
            r.lease_owner = r.lease_expires_at = None

    async def postpone_deliveries(
        self, delivery_ids: Sequence[int], *, owner: str, until: datetime
    ) -> None:
        for delivery_id in delivery_ids:
            if (r := self._held(delivery_id, owner)) is not None:
                r.next_attempt_at = until
                r.lease_owner = r.lease_expires_at = None

    async def retry_dead(self, *, channel: str | None = None, now: datetime) -> int:
        dead = [
            r
            for r in self.deliveries.values()
            if r.status == "dead" and channel in (None, r.channel)
        ]
        for r in dead:
            r.status, r.attempts, r.next_attempt_at = "pending", 0, now
        return len(dead)
