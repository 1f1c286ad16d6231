"""Golden pages: raw bytes in each site's legacy encoding, with the expected article.

Regenerate the expected JSON with ``tests/extract/regenerate.py`` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper.extract import extract

from .regenerate import GOLDEN, expected_of, url_for

PAGES = sorted(GOLDEN.glob("*.html"))
CHROME = {
    "ko_board": ["본문 바로가기", "첨부파일", "이전글", "다음글", "Copyright", "홈 >", "조회수"],
    "en_notice": ["Notices", "Title", "Hits", "List", "founded in 1996", "Address", "Contact"],
    "ko_news": [
        "글자크게",
        "관련기사",
        "많이 본 뉴스",
        "기자",
        "무단전재",
        "Copyright",
        "회사소개",
    ],
    "zh_trs": ["您的位置", "字号", "分享到", "上一篇", "下一篇", "版权所有", "搜索"],
    "zh_gov": ["当前位置", "打印本页", "关闭窗口", "版权所有", "相关新闻", "浏览次数"],
    "ja_pref": ["本文へ", "トップページ", "シェア", "関連リンク", "Copyright", "お問い合わせ"],
    "ru_news": ["Поделиться", "Читайте также", "Главная", "Все права защищены"],
    "mn_news": ["Нүүр", "Шошго", "Бүх эрх", "Үзсэн"],
    "en_secretariat": [
        "Skip to content",
        "Reading time",
        "Suggested Items",
        "File attachment",
        "Your current location",
        "Share this",
        "cookies",
        "All rights reserved",
        "About us",
        "Leave a Reply",
        "Building a community",
    ],
}


def test_every_language_has_a_golden_page() -> None:
    assert {p.stem for p in PAGES} >= set(CHROME)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_golden_page_matches_expected(page: Path) -> None:
    expected = json.loads(page.with_suffix(".json").read_text("utf-8"))
    assert expected_of(page.read_bytes(), url_for(page.stem)) == expected


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_golden_page_has_no_chrome(page: Path) -> None:
    article = extract(page.read_bytes(), url=url_for(page.stem))
    if page.stem != "en_notice":  # a one-paragraph notice
        assert article.text.count("\n\n") >= 2  # paragraphs stay paragraphs
    assert article.title
    assert article.title not in article.text
    for chrome in CHROME[page.stem]:
        assert chrome not in article.text, chrome


def test_golden_pages_are_stored_in_their_legacy_encoding() -> None:
    for name, marker in [("ko_board", "동북아"), ("zh_gov", "东北亚"), ("ja_pref", "北東アジア")]:
        raw = (GOLDEN / f"{name}.html").read_bytes()
        assert marker.encode("utf-8") not in raw
    assert "Приморье".encode("cp1251") in (GOLDEN / "ru_news.html").read_bytes()
