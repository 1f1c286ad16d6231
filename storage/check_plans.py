"""The re-check bookkeeping of a stored article: one UPDATE that records a look at it
(when, when to look again, the validators its URL answered with)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, func
from sqlalchemy import update as sql_update

from storage.article_types import CheckPlan
from storage.models import ArticleRow

_ARTICLES = cast(Table, ArticleRow.__table__)


def plan_update() -> Any:
    """Record a look at an article: when, when to look again, the validators its URL
    answered with (kept when it sent none), and the latest date a listing gave for it."""
    columns = _ARTICLES.c
    return (
        sql_update(_ARTICLES)
        .where(columns.id == bindparam("_id"))
        .values(
            last_checked_at=bindparam("_now"),
            next_check_at=bindparam("_next_check_at"),
            check_count=func.coalesce(columns.check_count, 0) + 1,
            etag=case((bindparam("_set_validators"), bindparam("_etag")), else_=columns.etag),
            last_modified=case(
                (bindparam("_set_validators"), bindparam("_last_modified")),
                else_=columns.last_modified,
            ),
            listed_updated_at=func.coalesce(
                bindparam("_listed_updated_at", type_=columns.listed_updated_at.type),
                columns.listed_updated_at,
            ),
        )
    )


PLAN_UPDATE = plan_update()


def plan_values(article_id: int, plan: CheckPlan, now: datetime) -> dict[str, Any]:
    return {
        "_id": article_id,
        "_now": now,
        "_next_check_at": plan.next_check_at,
        "_set_validators": plan.etag is not None or plan.last_modified is not None,
        "_etag": plan.etag,
        "_last_modified": plan.last_modified,
        "_listed_updated_at": plan.listed_updated_at,
    }
