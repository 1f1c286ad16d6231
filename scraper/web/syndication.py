"""The feed routes: Atom 1.0 and JSON Feed 1.1 of any listing the web view shows, with
``ETag``/``Last-Modified`` and 304 answers for readers that poll."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from scraper.web import feeds
from scraper.web.api import known_source
from scraper.web.context import public_url, read_side
from scraper.web.params import FILTER_NAMES, Listing, parse_listing

DEFAULT_LIMIT, MAX_LIMIT = 50, 200


def routes() -> list[BaseRoute]:
    return [
        Route("/feeds/atom.xml", atom, methods=["GET", "HEAD"]),
        Route("/feeds/feed.json", json_feed, methods=["GET", "HEAD"]),
    ]


async def atom(request: Request) -> Response:
    return await _feed(request, "atom")


async def json_feed(request: Request) -> Response:
    return await _feed(request, "json")


async def _feed(request: Request, kind: str) -> Response:
    read = read_side(request)
    params = request.query_params
    if params.get("cursor"):
        params = type(params)([(k, v) for k, v in params.multi_items() if k != "cursor"])
    listing = parse_listing(params, read.config(), default_limit=DEFAULT_LIMIT,
                            max_limit=MAX_LIMIT)  # fmt: skip
    await known_source(request, listing.where.source)
    items = await read.repo.list_articles(listing.where, limit=listing.limit)
    etag, last_modified = feeds.validators(kind, _listing_key(listing), items)
    headers = {"etag": etag, "cache-control": "no-cache"}
    if last_modified is not None:
        headers["last-modified"] = feeds.http_date(last_modified)
    if feeds.not_modified(request.headers, etag, last_modified):
        return Response(status_code=304, headers=headers)
    info = feeds.FeedInfo(
        title=_title(listing),
        self_url=public_url(request),
        home_url=str(request.url_for("index").include_query_params(**_filters(request))),
        feed_id=f"tag:nea-monitor,2026:feed?{_listing_key(listing)}",
    )
    if kind == "atom":
        body = feeds.atom(info, items, last_modified or datetime.now(UTC))
        media = "application/atom+xml; charset=utf-8"
    else:
        body = feeds.json_feed(info, items)
        media = "application/feed+json; charset=utf-8"
    return Response(body, media_type=media, headers=headers)


def _filters(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k in FILTER_NAMES and v}


def _listing_key(listing: Listing) -> str:
    """The listing as a canonical query string: what the feed shows, whatever the order
    or spelling of the request's parameters."""
    where = listing.where
    pairs = [
        ("source", where.source), ("tag", where.tag), ("topic", listing.topic),
        ("language", where.language), ("q", where.query),
        ("duplicates", "1" if where.duplicates else None), ("limit", str(listing.limit)),
    ]  # fmt: skip
    return urlencode([(k, v) for k, v in pairs if v is not None])


def _title(listing: Listing) -> str:
    where = listing.where
    parts = [
        f"source {where.source}" if where.source else "",
        f"tag {where.tag}" if where.tag else "",
        f"topic {listing.topic}" if listing.topic else "",
        f"language {where.language}" if where.language else "",
        f"search “{where.query}”" if where.query else "",
    ]
    described = ", ".join(p for p in parts if p)
    return f"nea-monitor: {described}" if described else "nea-monitor: newest articles"
