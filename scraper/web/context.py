"""What every route of the read side reads from, kept on the app's state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jinja2
from starlette.requests import Request

from scraper.config.types import Config
from storage.read_repo import ReadRepo


@dataclass(frozen=True)
class ReadSide:
    """The queries, the current configuration (a callable: the daemon reloads it) and
    the templates."""

    repo: ReadRepo
    config: Callable[[], Config]
    templates: jinja2.Environment


def read_side(request: Request) -> ReadSide:
    read: ReadSide = request.app.state.read
    return read


def public_url(request: Request) -> str:
    """The request's own URL without the read token (feeds' self links, next pages)."""
    return str(request.url.remove_query_params("token"))
