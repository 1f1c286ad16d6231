"""URL normalisation, site identity and address safety.

``normalize_url`` makes one article one URL: scheme and host lower-cased (IDN hosts in
punycode), default ports and fragments dropped, dot segments resolved, percent-escapes
made canonical, tracking and session parameters removed, the remaining query sorted,
``index.html``-style file names dropped (``/news/index.html`` → ``/news/``). A trailing
slash is kept: servers disagree on whether ``/news`` and ``/news/`` are one resource and
some answer 404 for the other, so the URL stays one the site really serves; ``url_key``
ignores it, for telling whether two URLs name the same article.

``registrable_domain`` uses the bundled public suffix list (offline); ``same_site``
compares registrable domains. ``is_private_address`` / ``resolves_private`` are the SSRF
checks the fetcher applies to every URL and redirect hop.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from publicsuffixlist import PublicSuffixList

__all__ = [
    "Resolver",
    "host_of",
    "is_private_address",
    "is_private_host",
    "normalize_url",
    "registrable_domain",
    "resolve_checked",
    "resolve_host",
    "resolves_private",
    "same_site",
    "url_key",
]

Resolver = Callable[[str], Awaitable[list[str]]]
"""Maps a host name to its IP addresses (as strings)."""

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmb_")
_TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "spm", "scm", "ref_src", "ref_url",
        "share_source", "share_medium", "from_source", "_hsenc", "_hsmi", "mkt_tok",
        "oly_anon_id", "oly_enc_id", "vero_id", "wt_mc", "wt.mc_id", "cmpid",
        "jsessionid", "phpsessid", "sessionid", "sid_", "cfid", "cftoken",
        "aspsessionid", "isappinstalled", "scene", "srcid",
    }
)  # fmt: skip
_INDEX_PAGE = re.compile(r"/(?:index|default)\.(?:html?|shtml|php|jsp|aspx?)$", re.IGNORECASE)
_SESSION_PATH_PARAM = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_STRIP_CHARS = re.compile(r"[\t\n\r]")


def normalize_url(url: str, base: str | None = None) -> str | None:
    """The canonical absolute form of ``url`` (resolved against ``base``), or None when it
    is not an http(s) URL (``javascript:``, ``mailto:``, ``data:``, unparseable...)."""
    url = _STRIP_CHARS.sub("", url).strip()
    if not url:
        return None if base is None else normalize_url(base)
    try:
        if base is not None:
            url = urljoin(_STRIP_CHARS.sub("", base).strip(), url)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        host = _normalize_host(parts.hostname)
        port = parts.port
    except (ValueError, UnicodeError):
        return None
    if host is None:
        return None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _normalize_path(parts.path)
    query = _normalize_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def url_key(url: str) -> str:
    """An identity key for a normalised URL: ``/news/1/`` and ``/news/1`` are the same
    article. Use it to compare URLs, never to fetch."""
    scheme, netloc, path, query, _ = urlsplit(url)
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return urlunsplit((scheme, netloc, path, query, ""))


def host_of(url: str) -> str:
    """The lower-case host of a URL (or of a bare host name), without port."""
    if "//" not in url:
        url = "//" + url
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def registrable_domain(host: str) -> str:
    """``news.tumen.gov.cn`` → ``tumen.gov.cn``; IP addresses and bare suffixes as given."""
    host = host.strip().rstrip(".").lower()
    if host.startswith("[") or ":" in host:  # IPv6 literal, or a host:port
        host = host_of(host)
    if not host or _ip(host) is not None:
        return host
    return _psl().privatesuffix(host) or host


def same_site(a: str, b: str) -> bool:
    """Whether two URLs (or hosts) share a registrable domain."""
    host_a, host_b = host_of(a), host_of(b)
    if not host_a or not host_b:
        return False
    return registrable_domain(host_a) == registrable_domain(host_b)


def is_private_address(address: str) -> bool:
    """Loopback, private, link-local, multicast, reserved or unspecified (also when
    IPv4-mapped in IPv6). Anything that is not a valid address counts as private."""
    ip = _ip(address)
    if ip is None:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def is_private_host(host: str) -> bool:
    """A check without DNS: a private IP literal, or a local-only name."""
    if _local_name(host):
        return True
    return _ip(host) is not None and is_private_address(host)


async def resolve_host(host: str) -> list[str]:
    """The default ``Resolver``: IP literals as themselves, names through the event
    loop's ``getaddrinfo`` (run in a thread, never blocking the loop)."""
    host = host.strip("[]")
    if _ip(host) is not None:
        return [host]
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolves_private(host: str, resolver: Resolver = resolve_host) -> bool:
    """Whether ``host`` is local by name or any of its addresses (as ``resolver`` gives
    them; IP literals included, so tests can pretend) is private."""
    private, _ = await resolve_checked(host, resolver)
    return private


async def resolve_checked(host: str, resolver: Resolver = resolve_host) -> tuple[bool, list[str]]:
    """``resolves_private`` and the addresses it judged: the ones a connection to a host
    *name* must then use, or a second lookup could answer differently (DNS rebinding).
    No addresses for local names and IP literals, which connect as they are."""
    if _local_name(host):
        return True, []
    addresses = await resolver(host)
    private = not addresses or any(is_private_address(a) for a in addresses)
    return private, [] if _ip(host.strip("[]")) is not None else addresses


# Internals ---------------------------------------------------------------------------


def _local_name(host: str) -> bool:
    host = host.strip("[]").rstrip(".").lower()
    return host == "localhost" or host.endswith((".localhost", ".local", ".internal"))


@functools.cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    host = host.strip("[]")
    if ":" not in host and not host.replace(".", "").isdigit():
        return None  # a name: skip the (costly) failing parse
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def _normalize_host(host: str) -> str | None:
    host = host.rstrip(".").lower()
    if not host:
        return None
    ip = _ip(host)
    if ip is not None:
        return f"[{ip.compressed}]" if ip.version == 6 else ip.compressed
    if not host.isascii():
        host = host.encode("idna").decode("ascii")
    if not re.fullmatch(r"[a-z0-9_.\-]+", host):
        return None
    return host


def _canonical_escapes(text: str, safe: str) -> str:
    """Decode escapes of unreserved characters, upper-case the rest, quote the unsafe."""

    def unescape(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    text = _ESCAPE.sub(unescape, text)
    return quote(text, safe=safe + "%")


def _normalize_path(path: str) -> str:
    path = _SESSION_PATH_PARAM.sub("", path)
    path = _remove_dot_segments(path or "/")
    path = _canonical_escapes(path, safe="/:@!$&'()*+,;=~")
    return _INDEX_PAGE.sub("/", path)


def _remove_dot_segments(path: str) -> str:
    if "." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        if segment == "..":
            if len(out) > 1:
                out.pop()
        elif segment != ".":
            out.append(segment)
        if segment in (".", "..") and i == len(segments) - 1:
            out.append("")
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def _normalize_query(query: str) -> str:
    if not query:
        return ""
    kept: list[tuple[str, str | None]] = []
    for pair in query.split("&"):
        if not pair:
            continue
        key, equals, value = pair.partition("=")
        name = unquote(key).lower()
        if name.startswith(_TRACKING_PREFIXES) or name in _TRACKING_PARAMS:
            continue
        key = _canonical_escapes(key, safe="!$'()*+,;:@/?~")
        kept.append((key, _canonical_escapes(value, safe="!$'()*+,;:@/?=~") if equals else None))
    kept.sort(key=lambda kv: kv[0])
    return "&".join(k if v is None else f"{k}={v}" for k, v in kept)
