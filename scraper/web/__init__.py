"""The read side: web view, Atom and JSON feeds, JSON API (docs/reference/http.md)."""

from scraper.web.app import create_app

__all__ = ["create_app"]
