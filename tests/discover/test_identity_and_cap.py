"""Discovery hands out article links in their identity form, and reads a listing page no
further than ``max_links_per_page`` links."""

from __future__ import annotations

from scraper.discover import discover
from tests.discover.conftest import make_page, make_source, urls

BOARD = "http://near.example/en/page.jsp"


def board_page(page_no: int, ids: list[int], *, next_page: bool = True) -> str:
    rows = "".join(
        f'<li><a href="page.jsp?bod_uid={i}&cmd=258&mnu_uid=2723&pageNo={page_no}'
        f'&srchBgUid=-1&srchEnable=0">NEAR Secretariat news item number {i}</a></li>'
        for i in ids
    )
    paging = (
        f'<div class="paging"><a href="page.jsp?mnu_uid=2723&pageNo={page_no + 1}">'
        f"{page_no + 1}</a></div>"
        if next_page
        else ""
    )
    return f"<html><body><ul class='board'>{rows}</ul>{paging}</body></html>"


def test_drop_params_apply_to_articles_but_not_to_the_next_listing_page() -> None:
    source = make_source(
        f"{BOARD}?mnu_uid=2723",
        follow=[r"page\.jsp\?(?:[^#]*&)?bod_uid=\d+"],
        drop_params=("pageNo", "srchBgUid", "srchEnable"),
    )
    found = discover(make_page(board_page(2, [11, 12]), f"{BOARD}?mnu_uid=2723&pageNo=2"), source)
    assert urls(found) == [
        f"{BOARD}?bod_uid=11&cmd=258&mnu_uid=2723",
        f"{BOARD}?bod_uid=12&cmd=258&mnu_uid=2723",
    ]
    assert found.follow_up == (f"{BOARD}?mnu_uid=2723&pageNo=3",)


def test_learned_context_never_merges_the_links_of_one_page() -> None:
    """Were ``bod_uid`` ever learned as context by mistake, the links of a page that differ
    in it still stay apart: there it tells articles apart."""
    source = make_source(f"{BOARD}?mnu_uid=2723", follow=[r"bod_uid=\d+"])
    page = make_page(board_page(1, [11, 12]), f"{BOARD}?mnu_uid=2723")
    found = discover(page, source, learned={"pageno", "bod_uid", "srchbguid"})
    assert urls(found) == [
        f"{BOARD}?bod_uid=11&cmd=258&mnu_uid=2723&srchEnable=0",
        f"{BOARD}?bod_uid=12&cmd=258&mnu_uid=2723&srchEnable=0",
    ]


def test_a_listing_page_is_read_no_further_than_max_links_per_page() -> None:
    ids = list(range(1, 5001))
    html = board_page(1, ids).replace("<ul", '<div class="paging"><a href="?p=2">2</a></div><ul')
    source = make_source(f"{BOARD}?mnu_uid=2723", follow=[r"bod_uid="], max_links_per_page=100)
    found = discover(make_page(html, f"{BOARD}?mnu_uid=2723"), source)
    assert len(found.links) == 100
    assert urls(found)[0].startswith(f"{BOARD}?bod_uid=1&")
    assert found.links[-1].url.startswith(f"{BOARD}?bod_uid=100&")
    # Everything from the 101st article link on is left unread, and said so.
    anchors = html.count("<a ")
    assert found.cut == anchors - 101
    assert found.follow_up == (f"{BOARD}?p=2",)  # pagination before the cut still counts


def test_a_page_under_the_cap_is_read_to_the_end() -> None:
    source = make_source(f"{BOARD}?mnu_uid=2723", follow=[r"bod_uid="], max_links_per_page=100)
    found = discover(make_page(board_page(1, list(range(1, 101))), f"{BOARD}?x=1"), source)
    assert len(found.links) == 100
    assert found.cut == 0
    # The page was read to its end: the pagination after the last link was seen.
    assert found.follow_up == (f"{BOARD}?mnu_uid=2723&pageNo=2",)
