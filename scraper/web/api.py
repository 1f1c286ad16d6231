"""The JSON API: articles with keyset pagination, one article with its versions, a
version, the diff to the version before, source health, and the OpenAPI schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from scraper.errors import BadRequest
from scraper.web import diffs
from scraper.web.context import read_side
from scraper.web.openapi import SCHEMA
from scraper.web.params import encode_cursor, parse_listing, positive_id
from storage.read_repo import ArticleSummary, SourceStatus, VersionText

DEFAULT_LIMIT, MAX_LIMIT = 50, 200
EXCERPT_CHARS = 300


def routes() -> list[BaseRoute]:
    return [
        Route("/api/articles", articles, methods=["GET"]),
        Route("/api/articles/{id}", article, methods=["GET"]),
        Route("/api/articles/{id}/versions/{version}", version, methods=["GET"]),
        Route("/api/articles/{id}/versions/{version}/diff", diff, methods=["GET"]),
        Route("/api/sources", sources, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]


async def articles(request: Request) -> Response:
    read = read_side(request)
    listing = parse_listing(
        request.query_params, read.config(), default_limit=DEFAULT_LIMIT, max_limit=MAX_LIMIT
    )
    await known_source(request, listing.where.source)
    # One more than asked tells whether a next page exists without a count.
    rows = await read.repo.list_articles(listing.where, limit=listing.limit + 1,
                                         after=listing.after)  # fmt: skip
    page, more = rows[: listing.limit], len(rows) > listing.limit
    return JSONResponse({
        "items": [summary_json(a, excerpt=True) for a in page],
        "next_cursor": encode_cursor(page[-1].key) if more and page else None,
    })  # fmt: skip


async def known_source(request: Request, name: str | None) -> None:
    if name is not None and name not in await read_side(request).repo.source_names():
        raise BadRequest(f"no source named {name!r}", status=404)


async def article(request: Request) -> Response:
    read = read_side(request)
    found = await stored_article(request)
    versions = await read.repo.versions(found.id)
    body = summary_json(found, excerpt=False)
    body["versions"] = [
        {"version": v.version, "title": v.title, "content_hash": v.content_hash,
         "fetched_at": _iso(v.fetched_at),
         "url": f"/api/articles/{found.id}/versions/{v.version}"}
        for v in versions
    ]  # fmt: skip
    return JSONResponse(body)


async def stored_article(request: Request) -> ArticleSummary:
    article_id = positive_id(request.path_params["id"], "article")
    found = await read_side(request).repo.article(article_id)
    if found is None:
        raise BadRequest(f"no article {article_id}", status=404)
    return found


async def stored_version(request: Request) -> tuple[int, VersionText, VersionText | None]:
    """The article id, the version the path names and the stored version before it."""
    article_id = positive_id(request.path_params["id"], "article")
    number = positive_id(request.path_params["version"], "version")
    current, previous = await read_side(request).repo.version_pair(article_id, number)
    if current is None:
        raise BadRequest(f"no version {number} of article {article_id}", status=404)
    return article_id, current, previous


async def version(request: Request) -> Response:
    article_id, current, _ = await stored_version(request)
    return JSONResponse({
        "article_id": article_id, "version": current.version, "title": current.title,
        "text": current.text, "content_hash": current.content_hash,
        "fetched_at": _iso(current.fetched_at),
    })  # fmt: skip


async def diff(request: Request) -> Response:
    article_id, current, previous = await stored_version(request)
    old = previous.text if previous is not None else ""
    old_name = f"version {previous.version}" if previous is not None else "nothing"
    text = await diffs.off_loop_if_large(
        len(old) + len(current.text),
        lambda: diffs.unified(old, current.text, old_name=old_name,
                              new_name=f"version {current.version}"),
    )  # fmt: skip
    return JSONResponse({
        "article_id": article_id, "version": current.version,
        "previous_version": previous.version if previous is not None else None,
        "title_before": previous.title if previous is not None else None,
        "title": current.title, "diff": text,
    })  # fmt: skip


async def sources(request: Request) -> Response:
    health = await read_side(request).repo.source_health()
    return JSONResponse({"items": [source_json(s) for s in health]})


async def openapi(request: Request) -> Response:
    return JSONResponse(SCHEMA)


def summary_json(a: ArticleSummary, *, excerpt: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": a.id, "source": a.source, "url": a.url, "canonical_url": a.canonical_url,
        "title": a.title, "author": a.author, "published_at": _iso(a.published_at),
        "published_date": _iso(a.published_date), "language": a.language,
        "version": a.version, "duplicate_of": a.duplicate_of,
        "first_seen_at": _iso(a.first_seen_at), "updated_at": _iso(a.updated_at),
        "content_hash": a.content_hash,
    }  # fmt: skip
    if excerpt:
        body["excerpt"] = a.text[:EXCERPT_CHARS]
    else:
        body["text"] = a.text
    return body


def source_json(s: SourceStatus) -> dict[str, Any]:
    return {
        "name": s.name, "url": s.url, "kind": s.kind, "enabled": s.enabled,
        "tags": list(s.tags), "failing": s.failing, "last_status": s.last_status,
        "last_error": s.last_error, "consecutive_failures": s.consecutive_failures,
        "last_run_at": _iso(s.last_run_at), "last_success_at": _iso(s.last_success_at),
        "next_run_at": _iso(s.next_run_at), "articles": s.articles,
    }  # fmt: skip


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")
