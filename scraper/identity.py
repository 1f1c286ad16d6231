"""One article, one address: which query parameters of an article URL name the article,
and which only say how it was reached.

Boards addressed by query string (``page.jsp?bod_uid=59381&mnu_uid=2723&pageNo=24&
srchBgUid=-1``) carry listing context in their article links: the page of the listing
the link was on, the search that was active. The same article reached from page 1 and
from page 24 must be one stored article. Three kinds of knowledge decide it, strongest
first:

- the source's ``keep_params`` (only these name an article) and ``drop_params`` (these
  never do), written by the operator;
- the page's own ``<link rel="canonical">`` when it names the same path: the parameters
  it leaves out are context;
- what the poller learns: when two URLs of one source that differ only in some
  parameters give the same content hash, those parameters are context candidates.

These functions are pure; the poller (``scraper.pipeline.poll``) records what it learns
through the store, and discovery rewrites links with ``IdentityRules``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

from scraper.urls import host_of, normalize_url, registrable_domain

__all__ = [
    "IdentityRules",
    "canonical_context",
    "differing_params",
    "param_names",
]

Param = tuple[str, str | None]


@dataclass(frozen=True)
class IdentityRules:
    """How one source's article URLs are reduced to their identity.

    ``keep`` (when not empty) lists the only parameters that name an article; ``drop``
    lists parameters that never do; ``learned`` are context parameters the poller found
    (ignored for names in ``keep``). Rules apply to URLs on the source's own site only:
    a followed off-site URL is somebody else's address scheme. Names compare without
    regard to case (``pageNo`` and ``pageno`` are one parameter to the operator)."""

    site: str = ""
    keep: frozenset[str] = frozenset()
    drop: frozenset[str] = frozenset()
    learned: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        source_url: str,
        keep: Iterable[str] = (),
        drop: Iterable[str] = (),
        learned: Iterable[str] = (),
    ) -> IdentityRules:
        return cls(
            site=registrable_domain(host_of(source_url)),
            keep=frozenset(k.lower() for k in keep),
            drop=frozenset(d.lower() for d in drop),
            learned=frozenset(x.lower() for x in learned),
        )

    @property
    def empty(self) -> bool:
        return not (self.keep or self.drop or self.learned)

    def applies_to(self, url: str) -> bool:
        return bool(self.site) and registrable_domain(host_of(url)) == self.site

    def identity(self, url: str, *, learned: bool = True) -> str:
        """``url`` (normalised) without its context parameters."""
        if self.empty or not self.applies_to(url):
            return url
        parts = urlsplit(url)
        if not parts.query:
            return url
        kept = [(k, v) for k, v in _pairs(parts.query) if self._names(k, learned)]
        query = "&".join(k if v is None else f"{k}={v}" for k, v in kept)
        rebuilt = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
        return normalize_url(rebuilt) or rebuilt

    def without(self, names: Iterable[str]) -> IdentityRules:
        """These rules with learned names withdrawn (on the listing page at hand they
        tell its links apart, so there they name articles)."""
        gone = {n.lower() for n in names}
        return IdentityRules(self.site, self.keep, self.drop, self.learned - gone)

    def _names(self, key: str, learned: bool) -> bool:
        name = unquote(key).lower()
        if self.keep:
            return name in self.keep
        if name in self.drop:
            return False
        return not (learned and name in self.learned)


def param_names(url: str) -> frozenset[str]:
    return frozenset(unquote(k).lower() for k, _ in _pairs(urlsplit(url).query))


def differing_params(a: str, b: str) -> frozenset[str] | None:
    """The parameters (lower-case names) in which two URLs differ, when they name the same
    host and path; None when they do not (another path is another resource)."""
    pa, pb = urlsplit(a), urlsplit(b)
    if _place(pa.netloc, pa.path) != _place(pb.netloc, pb.path):
        return None
    qa, qb = _as_dict(pa.query), _as_dict(pb.query)
    return frozenset(k for k in qa.keys() | qb.keys() if qa.get(k, _ABSENT) != qb.get(k, _ABSENT))


def canonical_context(url: str, canonical: str | None) -> frozenset[str] | None:
    """The parameters of ``url`` that the page's canonical URL leaves out, when the
    canonical names the same host and path and keeps every other parameter's value;
    None when the canonical says something else (another path, other values: then it
    is not a statement about context parameters and is left alone)."""
    if not canonical:
        return None
    target = normalize_url(canonical, url)
    if target is None:
        return None
    mine, theirs = urlsplit(url), urlsplit(target)
    if _place(mine.netloc, mine.path) != _place(theirs.netloc, theirs.path):
        return None
    have, keep = _as_dict(mine.query), _as_dict(theirs.query)
    if any(have.get(k, _ABSENT) != v for k, v in keep.items()):
        return None
    return frozenset(have.keys() - keep.keys())


# Internals ---------------------------------------------------------------------------

_ABSENT = "\x00absent"


def _pairs(query: str) -> list[Param]:
    out: list[Param] = []
    for pair in query.split("&"):
        if pair:
            key, equals, value = pair.partition("=")
            out.append((key, value if equals else None))
    return out


def _as_dict(query: str) -> dict[str, str | None]:
    return {unquote(k).lower(): v for k, v in _pairs(query)}


def _place(netloc: str, path: str) -> tuple[str, str]:
    """Host and path as one resource: ``www.`` and a trailing slash make no other."""
    host = netloc.lower().removeprefix("www.")
    return host, (path.rstrip("/") or "/")
