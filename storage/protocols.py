"""What the pipeline asks of a store, one small protocol per role. The poller, the article
writer and the dispatcher depend on these, not on :class:`storage.repository.Store`, so a
test can hand them an in-memory store (``tests/support/memory_store.py``) that the shared
contract tests (``tests/storage/test_store_contract.py``) hold to the real one's behaviour.

- :class:`ArticleStore`: stored articles, their write path (versions, duplicate links,
  the events that announce them) and what was learned of their addresses.
- :class:`SourceStore`: a source's row (its lease, last run, failure streak, next slot)
  and the HTTP validators of the documents it polls.
- :class:`OutboxStore`: the delivery side of the outbox (claim, ack, retry, dead).

Importing this module imports no database code: the value types are named for the type
checker only."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from storage.article_types import ArticleWrite, CheckPlan, SaveResult
    from storage.articles_repo import ArticleState
    from storage.events import Router
    from storage.sources_repo import RunOutcome, SourceSpec, SourceState
    from storage.url_params_repo import StoredArticle

__all__ = ["ArticleStore", "Delivery", "OutboxStore", "PollStore", "SourceStore"]


class ArticleStore(Protocol):
    async def known_and_due(
        self, source_id: int, urls: Sequence[str], *, limit: int
    ) -> tuple[dict[str, ArticleState], list[ArticleState]]:
        """The stored articles among ``urls`` (by URL), and up to ``limit`` of the
        source's articles due for a re-check, soonest first."""
        ...

    async def mark_checked(self, article_id: int, plan: CheckPlan) -> None:
        """A re-check found nothing new: keep its validators, plan the next one."""
        ...

    async def save_articles(
        self, writes: Sequence[ArticleWrite], *, near_duplicates: bool = False
    ) -> list[SaveResult]:
        """Store new articles and new versions with the events announcing them, in one
        transaction, decided in order (a copy later in ``writes`` may point at an
        original earlier in it); one result per write. Exact copies are always linked to
        their earliest original; near copies only with ``near_duplicates``."""
        ...

    async def same_content(
        self, source_id: int, content_hash: str, *, limit: int = 20
    ) -> list[StoredArticle]:
        """Stored articles of the source whose text hashes to ``content_hash``."""
        ...

    async def rename_article(self, article_id: int, url: str) -> bool:
        """Give a stored article another address; False when that address is taken."""
        ...

    async def context_params(self, source_id: int) -> frozenset[str]:
        """The query parameters learned to be listing context for the source."""
        ...

    async def record_context(
        self,
        source_id: int,
        names: Iterable[str],
        *,
        content_hash: str,
        example_url: str,
        via: str,
    ) -> None:
        """Evidence that ``names`` are context parameters (``via`` "content" or
        "canonical")."""
        ...


class SourceStore(Protocol):
    async def sync_sources(
        self, specs: Sequence[SourceSpec], *, respread: bool = False
    ) -> dict[str, int]:
        """Insert and update configured sources, disable the others; name → id."""
        ...

    async def source_state(self, name: str) -> SourceState | None: ...

    async def claim_source(
        self, name: str, *, owner: str, lease_seconds: float, due_only: bool = True
    ) -> SourceState | None:
        """Take the source's poll lease; None when another owner holds it or (with
        ``due_only``) its next slot has not come."""
        ...

    async def renew_lease(self, name: str, *, owner: str, lease_seconds: float) -> bool: ...

    async def release_source(
        self,
        name: str,
        *,
        owner: str,
        next_run_at: datetime | None = None,
        wait: Callable[[int], float] | None = None,
    ) -> None:
        """Hand the lease back, due at ``next_run_at`` or ``wait(failures)`` s from now."""
        ...

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
        """Store a poll's outcome (last run, failure streak; source.failing and
        source.recovered events); with ``owner`` and ``wait`` release the lease too.
        Returns the ids of the events written."""
        ...

    async def get_validators(self, url: str) -> tuple[str | None, str | None]: ...

    async def save_validators(
        self, url: str, etag: str | None, last_modified: str | None
    ) -> None: ...

    async def save_validators_many(
        self, validators: Mapping[str, tuple[str | None, str | None]]
    ) -> None: ...


class PollStore(ArticleStore, SourceStore, Protocol):
    """Everything one poll of one source reads and writes."""


class Delivery(Protocol):
    """One claimed outbox row (``storage.outbox_repo.OutboxDelivery``)."""

    @property
    def id(self) -> int: ...
    @property
    def event_id(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def attempts(self) -> int: ...
    @property
    def event_type(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...
    @property
    def source_name(self) -> str | None: ...


class OutboxStore(Protocol):
    async def claim_deliveries(
        self, *, owner: str, now: datetime, limit: int, lease_seconds: float = 60.0
    ) -> Sequence[Delivery]:
        """Lease up to ``limit`` pending deliveries due at ``now`` and not leased, oldest
        first."""
        ...

    async def delivery_succeeded(self, delivery_id: int, *, owner: str, now: datetime) -> None:
        """Delivered (only while ``owner`` still holds the lease)."""
        ...

    async def delivery_failed(
        self,
        delivery_id: int,
        *,
        owner: str,
        error: str,
        now: datetime,
        next_attempt_at: datetime | None,
    ) -> None:
        """One more failed attempt, due again at ``next_attempt_at``; None: dead."""
        ...

    async def postpone_deliveries(
        self, delivery_ids: Sequence[int], *, owner: str, until: datetime
    ) -> None:
        """Release leased rows untouched (no attempt counted), due again at ``until``."""
        ...

    async def retry_dead(self, *, channel: str | None = None, now: datetime) -> int:
        """Dead deliveries (of ``channel``) pending again, attempts reset; how many."""
        ...
