"""The store: every query the service runs, behind one object built on an injected engine.
The query families live in their own modules; this class only puts them together."""

from __future__ import annotations

from storage.articles_repo import (
    ArticleInput,
    ArticleQueries,
    ArticleState,
    ArticleWrite,
    CheckPlan,
    SaveResult,
)
from storage.events import Router
from storage.outbox_repo import OutboxDelivery, OutboxQueries
from storage.overrides_repo import OverrideQueries
from storage.reads import ArticleListing, DeadDelivery, ReadQueries, SourceHealth
from storage.sources_repo import Backlog, RunOutcome, SourceQueries, SourceSpec, SourceState
from storage.url_params_repo import StoredArticle, UrlParamQueries


class Store(
    SourceQueries, ArticleQueries, OutboxQueries, ReadQueries, OverrideQueries, UrlParamQueries
):
    """All persistence the daemon needs. Create with ``Store(create_engine(url))``."""


__all__ = [
    "ArticleInput",
    "ArticleListing",
    "ArticleState",
    "ArticleWrite",
    "Backlog",
    "CheckPlan",
    "DeadDelivery",
    "OutboxDelivery",
    "Router",
    "RunOutcome",
    "SaveResult",
    "SourceHealth",
    "SourceSpec",
    "SourceState",
    "Store",
    "StoredArticle",
]
