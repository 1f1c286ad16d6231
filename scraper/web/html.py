"""The web view: server-rendered HTML, usable without JavaScript (the page sends none).

Jinja2 escapes every value (autoescape on for every template); the only links built from
stored data pass ``http_href``, which lets http and https through and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from scraper.web import diffs
from scraper.web.api import known_source, stored_article
from scraper.web.context import read_side
from scraper.web.feeds import published
from scraper.web.params import FILTER_NAMES, encode_cursor, parse_listing, positive_id
from storage.read_repo import ArticleSummary

PAGE_SIZE, MAX_PAGE_SIZE = 30, 100
DEAD_SHOWN = 50
EXCERPT_CHARS = 280


def routes() -> list[BaseRoute]:
    return [
        Route("/", index, methods=["GET", "HEAD"], name="index"),
        Route("/articles/{id}", article, methods=["GET", "HEAD"]),
        Route("/sources", sources, methods=["GET", "HEAD"]),
    ]


def environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["http_href"] = http_href
    env.filters["when"] = _when
    return env


def http_href(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, else None (``javascript:``, ``data:`` and
    the rest are shown as text, never as links)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ord(c) < 33 for c in url.strip()):
        return None
    return url.strip()


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def published_label(article: ArticleSummary) -> str:
    """When the page says it was published: the instant when it gave one, else its own
    calendar day (and wall-clock time, if given), as the publisher wrote it."""
    if article.published_at is not None:
        return _when(article.published_at)
    if article.published_date is None:
        return ""
    label = article.published_date.isoformat()
    if article.published_time is not None:
        label += f" {article.published_time:%H:%M}"
    return label


def _render(request: Request, name: str, **context: object) -> Response:
    template = read_side(request).templates.get_template(name)
    return HTMLResponse(template.render(**context))


async def index(request: Request) -> Response:
    read = read_side(request)
    config = read.config()
    listing = parse_listing(request.query_params, config, default_limit=PAGE_SIZE,
                            max_limit=MAX_PAGE_SIZE)  # fmt: skip
    await known_source(request, listing.where.source)
    rows = await read.repo.list_articles(listing.where, limit=listing.limit + 1,
                                         after=listing.after)  # fmt: skip
    page, more = rows[: listing.limit], len(rows) > listing.limit
    form = {name: request.query_params.get(name, "") for name in FILTER_NAMES}
    filters = {name: value for name, value in form.items() if value}
    next_url = None
    if more and page:
        carried = (
            {**filters, "limit": str(listing.limit)} if "limit" in request.query_params else filters
        )
        next_url = "/?" + urlencode({**carried, "cursor": encode_cursor(page[-1].key)})
    feed_query = urlencode(filters)
    return _render(
        request, "index.html",
        articles=[(a, published(a), published_label(a), a.text[:EXCERPT_CHARS]) for a in page],
        form=form, filters=filters, next_url=next_url, feed_query=feed_query,
        sources=await read.repo.source_names(), languages=await read.repo.languages(),
        topics=[t.name for t in config.topics], first_page=listing.after is None,
    )  # fmt: skip


async def article(request: Request) -> Response:
    read = read_side(request)
    found = await stored_article(request)
    versions = await read.repo.versions(found.id)
    shown = request.query_params.get("diff")
    number = positive_id(shown, "version") if shown else (versions[-1].version if versions else 0)
    current, previous = await read.repo.version_pair(found.id, number) if number else (None, None)
    paragraphs = None
    if current is not None and previous is not None:
        old, new = previous.text, current.text
        paragraphs = await diffs.off_loop_if_large(len(old) + len(new),
                                                   lambda: diffs.readable(old, new))  # fmt: skip
    return _render(
        request, "article.html", article=found, published=published(found),
        published_label=published_label(found), versions=versions,
        current=current, previous=previous, paragraphs=paragraphs,
        paragraphs_of_text=[p for p in found.text.split("\n\n") if p.strip()],
    )  # fmt: skip


async def sources(request: Request) -> Response:
    read = read_side(request)
    health = await read.repo.source_health()
    dead = await read.repo.dead_notifications(limit=DEAD_SHOWN)
    return _render(request, "sources.html", sources=health, dead=dead,
                   failing=sum(1 for s in health if s.failing))  # fmt: skip
