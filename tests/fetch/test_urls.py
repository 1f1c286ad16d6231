from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.urls import (
    host_of,
    is_private_address,
    is_private_host,
    normalize_url,
    registrable_domain,
    resolve_host,
    resolves_private,
    same_site,
    url_key,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://WWW.Tumen.GOV.cn:80/News/1.html", "http://www.tumen.gov.cn/News/1.html"),
        ("https://x.kr:443/a", "https://x.kr/a"),
        ("https://x.kr:8443/a", "https://x.kr:8443/a"),
        ("http://x.kr/a#comments", "http://x.kr/a"),
        ("http://x.kr", "http://x.kr/"),
        ("http://x.kr/a/./b/../c.html", "http://x.kr/a/c.html"),
        ("http://x.kr/news/", "http://x.kr/news/"),
        ("http://x.kr/news", "http://x.kr/news"),
        ("http://x.kr/news/index.html", "http://x.kr/news/"),
        ("http://x.kr/news/default.aspx", "http://x.kr/news/"),
        ("http://x.kr/board/index.do?x=1", "http://x.kr/board/index.do?x=1"),
        ("http://x.kr/index.php", "http://x.kr/"),
        ("http://x.kr/v?utm_source=tw&utm_medium=s&id=3&fbclid=Z", "http://x.kr/v?id=3"),
        ("http://x.kr/v?b=2&a=1", "http://x.kr/v?a=1&b=2"),
        ("http://x.kr/v?spm=a.b.c&id=9", "http://x.kr/v?id=9"),
        ("http://x.kr/v?", "http://x.kr/v"),
        ("http://x.kr/v;jsessionid=0A1B?id=2", "http://x.kr/v?id=2"),
        ("http://x.kr/%7euser/%e6%96%b0", "http://x.kr/~user/%E6%96%B0"),
        ("http://x.kr/新闻/一.html", "http://x.kr/%E6%96%B0%E9%97%BB/%E4%B8%80.html"),
        ("http://新闻.中国/", "http://xn--efvy88h.xn--fiqs8s/"),
        ("http://X.KR./a", "http://x.kr/a"),
        ("  http://x.kr/a\n ", "http://x.kr/a"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("http://x.kr/view.do?flag", "http://x.kr/view.do?flag"),
    ],
)
def test_normalize(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    ("href", "base", "expected"),
    [
        ("../view/12.html", "http://x.kr/news/list/", "http://x.kr/news/view/12.html"),
        ("view.php?id=12", "http://x.kr/bbs/list.php?page=2", "http://x.kr/bbs/view.php?id=12"),
        ("?page=3", "http://x.kr/bbs/list.php?page=2", "http://x.kr/bbs/list.php?page=3"),
        ("//cdn.x.kr/a", "https://x.kr/", "https://cdn.x.kr/a"),
        ("", "http://x.kr/a", "http://x.kr/a"),
    ],
)
def test_normalize_relative(href: str, base: str, expected: str) -> None:
    assert normalize_url(href, base) == expected


@pytest.mark.parametrize(
    "url",
    ["javascript:void(0)", "mailto:info@x.kr", "tel:+82", "data:text/html,x", "ftp://x.kr/",
     "http://", "http://exa mple.com/", "about:blank", ""],
)  # fmt: skip
def test_not_http_is_none(url: str) -> None:
    assert normalize_url(url) is None


BASES = ["http://x.kr/", "https://a.b.co.jp/news/list?page=2", "http://127.0.0.2:8080/n/"]


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30), st.sampled_from(BASES))
def test_normalize_is_idempotent(href: str, base: str) -> None:
    once = normalize_url(href, base)
    if once is not None:
        assert normalize_url(once) == once


def test_url_key_ignores_the_trailing_slash() -> None:
    assert url_key("http://x.kr/news/1/") == url_key("http://x.kr/news/1")
    assert url_key("http://x.kr/") == "http://x.kr/"
    assert url_key("http://x.kr/a/?p=1") == "http://x.kr/a?p=1"


def test_registrable_domain() -> None:
    assert registrable_domain("news.tumen.gov.cn") == "tumen.gov.cn"
    assert registrable_domain("www.bbc.co.uk") == "bbc.co.uk"
    assert registrable_domain("WWW.Example.COM.") == "example.com"
    assert registrable_domain("127.0.0.2") == "127.0.0.2"
    assert registrable_domain("localhost") == "localhost"
    assert registrable_domain("co.kr") == "co.kr"


def test_same_site() -> None:
    assert same_site("https://www.jl.gov.cn/a", "http://news.jl.gov.cn/b")
    assert not same_site("https://jl.gov.cn/", "https://ln.gov.cn/")
    assert not same_site("http://127.0.0.2/", "http://127.0.0.3/")
    assert same_site("http://127.0.0.2:8000/", "http://127.0.0.2:9000/")
    assert not same_site("javascript:x", "http://x.kr")
    assert host_of("http://A.B:9/x") == "a.b"


@pytest.mark.parametrize(
    ("address", "private"),
    [("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.1", True), ("172.16.5.4", True),
     ("169.254.169.254", True), ("::1", True), ("fe80::1", True), ("fc00::1", True),
     ("::ffff:127.0.0.1", True), ("0.0.0.0", True), ("224.0.0.1", True), ("nonsense", True),
     ("8.8.8.8", False), ("93.184.215.14", False), ("2606:4700::1111", False)],
)  # fmt: skip
def test_private_addresses(address: str, private: bool) -> None:
    assert is_private_address(address) is private


def test_private_hosts_without_dns() -> None:
    assert is_private_host("localhost")
    assert is_private_host("printer.local")
    assert is_private_host("[::1]")
    assert not is_private_host("example.org")


async def test_resolution() -> None:
    assert await resolve_host("127.0.0.2") == ["127.0.0.2"]
    assert await resolves_private("localhost")
    assert await resolves_private("127.0.0.1")

    async def public(host: str) -> list[str]:
        return ["93.184.215.14"]

    async def nothing(host: str) -> list[str]:
        return []

    assert not await resolves_private("example.org", public)
    assert await resolves_private("example.org", nothing)
