"""The OpenAPI 3.1 document of the JSON API and the feeds, served at ``/openapi.json``.
Written out rather than generated: seven routes, and a test checks that every route of
the app under /api/ and /feeds/ is described here."""

from __future__ import annotations

from typing import Any

from scraper import __version__


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}  # fmt: skip


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "integer", "minimum": 1}}  # fmt: skip


FILTERS = [
    _query("source", "only this source (its name); unknown: 404"),
    _query("tag", "only sources with this tag"),
    _query("topic", "only articles matching this topic of sources.yaml; unknown: 404"),
    _query("language", "ISO 639-1 code, e.g. zh, ko, ru"),
    _query("q", "full-text search: every word must occur (at most 200 characters)"),
    _query("duplicates", "1: include duplicates of other articles (default: originals only)",
           {"type": "string", "enum": ["0", "1"]}),
]  # fmt: skip
LIMIT = _query("limit", "items per page", {"type": "integer", "minimum": 1, "maximum": 200,
                                            "default": 50})  # fmt: skip
CURSOR = _query("cursor", "the next_cursor of the previous page (opaque)")
ERRORS = {
    "400": {"description": "a bad parameter (plain text)"},
    "401": {"description": "NEA_READ_TOKEN is set and the request did not carry it"},
    "404": {"description": "no such article, version, source or topic (plain text)"},
}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_STRING_OR_NULL = {"type": ["string", "null"]}

ARTICLE = {
    "type": "object",
    "required": ["id", "source", "url", "title", "version", "first_seen_at", "updated_at"],
    "properties": {
        "id": {"type": "integer"},
        "source": {"type": "string"},
        "url": {"type": "string"},
        "canonical_url": _STRING_OR_NULL,
        "title": {"type": "string"},
        "author": _STRING_OR_NULL,
        "published_at": _TIME,
        "published_date": {"type": ["string", "null"], "format": "date"},
        "language": _STRING_OR_NULL,
        "version": {"type": "integer"},
        "duplicate_of": {"type": ["integer", "null"]},
        "first_seen_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "content_hash": {"type": "string"},
        "excerpt": {"type": "string", "description": "listings: the first 300 characters"},
        "text": {"type": "string", "description": "one article: the clean text"},
        "versions": {"type": "array", "items": {"$ref": "#/components/schemas/VersionInfo"}},
    },
}
VERSION_INFO = {
    "type": "object",
    "properties": {
        "version": {"type": "integer"}, "title": {"type": "string"},
        "content_hash": {"type": "string"}, "fetched_at": {"type": "string", "format": "date-time"},
        "url": {"type": "string"},
    },
}  # fmt: skip
VERSION = {
    "type": "object",
    "properties": {
        "article_id": {"type": "integer"}, "version": {"type": "integer"},
        "title": {"type": "string"}, "text": {"type": "string"},
        "content_hash": {"type": "string"}, "fetched_at": {"type": "string", "format": "date-time"},
    },
}  # fmt: skip
DIFF = {
    "type": "object",
    "properties": {
        "article_id": {"type": "integer"}, "version": {"type": "integer"},
        "previous_version": {"type": ["integer", "null"],
                             "description": "null for the first stored version"},
        "title_before": _STRING_OR_NULL, "title": {"type": "string"},
        "diff": {"type": "string", "description": "unified diff of the texts, by line"},
    },
}  # fmt: skip
SOURCE = {
    "type": "object",
    "properties": {
        "name": {"type": "string"}, "url": {"type": "string"}, "kind": {"type": "string"},
        "enabled": {"type": "boolean"}, "tags": {"type": "array", "items": {"type": "string"}},
        "failing": {"type": "boolean"}, "last_status": _STRING_OR_NULL,
        "last_error": _STRING_OR_NULL, "consecutive_failures": {"type": "integer"},
        "last_run_at": _TIME, "last_success_at": _TIME, "next_run_at": _TIME,
        "articles": {"type": "integer"},
    },
}  # fmt: skip


def _ok(schema: dict[str, Any], media: str = "application/json") -> dict[str, Any]:
    return {"description": "OK", "content": {media: {"schema": schema}}}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _feed(kind: str, schema: dict[str, Any], media: str) -> dict[str, Any]:
    return {
        "get": {
            "summary": f"{kind} feed of the newest articles (ETag and Last-Modified; "
            "If-None-Match / If-Modified-Since give 304)",
            "parameters": [*FILTERS, LIMIT],
            "responses": {
                "200": _ok(schema, media),
                "304": {"description": "not modified"},
                **ERRORS,
            },
        }
    }


SCHEMA: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "nea-monitor read API",
        "version": __version__,
        "description": "Read-only. With NEA_READ_TOKEN set, send `Authorization: Bearer "
        "<token>` or `?token=<token>`. Lists are newest first (by first sight).",
    },
    "components": {
        "schemas": {
            "Article": ARTICLE,
            "VersionInfo": VERSION_INFO,
            "Version": VERSION,
            "Diff": DIFF,
            "Source": SOURCE,
        },
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "query": {"type": "apiKey", "in": "query", "name": "token"},
        },
    },
    "paths": {
        "/api/articles": {
            "get": {
                "summary": "articles, newest first, one page",
                "parameters": [*FILTERS, LIMIT, CURSOR],
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["items", "next_cursor"],
                            "properties": {
                                "items": {"type": "array", "items": _ref("Article")},
                                "next_cursor": _STRING_OR_NULL,
                            },
                        }
                    ),
                    **ERRORS,
                },
            }
        },
        "/api/articles/{id}": {
            "get": {
                "summary": "one article: text, metadata and its versions",
                "parameters": [_path("id", "article id")],
                "responses": {"200": _ok(_ref("Article")), **ERRORS},
            }
        },
        "/api/articles/{id}/versions/{version}": {
            "get": {
                "summary": "one stored version of an article",
                "parameters": [_path("id", "article id"), _path("version", "version number")],
                "responses": {"200": _ok(_ref("Version")), **ERRORS},
            }
        },
        "/api/articles/{id}/versions/{version}/diff": {
            "get": {
                "summary": "the diff of a version to the stored version before it",
                "parameters": [_path("id", "article id"), _path("version", "version number")],
                "responses": {"200": _ok(_ref("Diff")), **ERRORS},
            }
        },
        "/api/sources": {
            "get": {
                "summary": "every source's health, failing first",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "properties": {"items": {"type": "array", "items": _ref("Source")}},
                        }
                    ),
                    **ERRORS,
                },
            }
        },
        "/feeds/atom.xml": _feed("Atom 1.0", {"type": "string"}, "application/atom+xml"),
        "/feeds/feed.json": _feed("JSON Feed 1.1", {"type": "object"}, "application/feed+json"),
        "/openapi.json": {
            "get": {
                "summary": "this document",
                "responses": {"200": _ok({"type": "object"})},
            }
        },
    },
    "security": [{}, {"bearer": []}, {"query": []}],
}
