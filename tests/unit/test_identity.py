"""Article identity: which query parameters name an article (``scraper.identity``)."""

from __future__ import annotations

from scraper.identity import (
    IdentityRules,
    canonical_context,
    differing_params,
)

BOARD = "http://www.neargov.org/en/page.jsp"
ARTICLE_P1 = f"{BOARD}?bod_uid=59381&cmd=258&mnu_uid=2723&pageNo=1&srchBgUid=-1&srchEnable=0"
ARTICLE_P24 = f"{BOARD}?bod_uid=59381&cmd=258&mnu_uid=2723&pageNo=24&srchBgUid=-1&srchEnable=0"


def test_drop_params_remove_context_case_insensitively() -> None:
    rules = IdentityRules.of(BOARD, drop=["pageno", "SRCHBGUID", "srchEnable"])
    expected = f"{BOARD}?bod_uid=59381&cmd=258&mnu_uid=2723"
    assert rules.identity(ARTICLE_P1) == expected
    assert rules.identity(ARTICLE_P24) == expected


def test_keep_params_keep_only_those() -> None:
    rules = IdentityRules.of(BOARD, keep=["bod_uid"])
    assert rules.identity(ARTICLE_P24) == f"{BOARD}?bod_uid=59381"


def test_learned_params_are_dropped_unless_kept() -> None:
    rules = IdentityRules.of(BOARD, learned=["pageNo", "bod_uid"], keep=["bod_uid", "cmd"])
    assert rules.identity(ARTICLE_P1) == f"{BOARD}?bod_uid=59381&cmd=258"
    learned_only = IdentityRules.of(BOARD, learned=["pageno"])
    assert "pageNo" not in learned_only.identity(ARTICLE_P24)
    assert "pageNo=24" in learned_only.identity(ARTICLE_P24, learned=False)


def test_rules_leave_other_sites_and_plain_urls_alone() -> None:
    rules = IdentityRules.of(BOARD, drop=["pageNo", "skin"])
    off_site = "http://ein.iconnect007.com/index.php/article/1/x/2/?pageNo=3&skin=ein"
    assert rules.identity(off_site) == off_site
    plain = "http://www.neargov.org/en/news/1.html"
    assert rules.identity(plain) == plain
    assert IdentityRules.of(BOARD).identity(ARTICLE_P1) == ARTICLE_P1


def test_valueless_keys_are_parameters_too() -> None:
    """GTI addresses its articles ``?info-821-1.html``: a key without a value."""
    rules = IdentityRules.of("http://www.tumenprogramme.org/", drop=["from"])
    url = "http://www.tumenprogramme.org/?from=home&info-821-1.html"
    assert rules.identity(url) == "http://www.tumenprogramme.org/?info-821-1.html"
    other = "http://www.tumenprogramme.org/?info-820-1.html"
    assert differing_params(url, other) == {"from", "info-821-1.html", "info-820-1.html"}


def test_differing_params() -> None:
    assert differing_params(ARTICLE_P1, ARTICLE_P24) == {"pageno"}
    assert differing_params(ARTICLE_P1, ARTICLE_P1) == frozenset()
    # www. and a trailing slash do not make another resource; another path does.
    assert differing_params("http://a.org/x/?p=1", "http://www.a.org/x?p=2") == {"p"}
    assert differing_params("http://a.org/x?p=1", "http://a.org/y?p=1") is None


def test_canonical_context() -> None:
    canonical = f"{BOARD}?bod_uid=59381&cmd=258&mnu_uid=2723"
    assert canonical_context(ARTICLE_P24, canonical) == {"pageno", "srchbguid", "srchenable"}
    relative = "page.jsp?bod_uid=59381&cmd=258&mnu_uid=2723"
    assert canonical_context(ARTICLE_P24, relative) == {"pageno", "srchbguid", "srchenable"}
    # Another path, another value or no canonical at all say nothing about context.
    assert canonical_context(ARTICLE_P24, "http://www.neargov.org/en/") is None
    assert canonical_context(ARTICLE_P24, f"{BOARD}?bod_uid=1") is None
    assert canonical_context(ARTICLE_P24, None) is None
    assert canonical_context(ARTICLE_P24, ARTICLE_P24) == frozenset()


def test_one_poll_claims_an_address_once_and_finds_its_twins() -> None:
    from scraper.pipeline.poll import _AddressBook

    book = _AddressBook(frozenset(), keep=frozenset({"bod_uid"}))
    assert book.claim(ARTICLE_P1, "h") is None
    assert book.claim(ARTICLE_P24, "h") == (ARTICLE_P1, {"pageno"})
    assert book.claim(ARTICLE_P1, "h") == (ARTICLE_P1, frozenset())  # one canonical URL
    # Same text under another kept parameter: two articles (a duplicate, not a twin).
    other = ARTICLE_P1.replace("59381", "59382")
    assert book.claim(other, "h") is None
    assert book.claim(f"{BOARD}x?bod_uid=59381", "h") is None  # another path
    assert book.claim(ARTICLE_P24, "other text") is None
