"""The fast primitives of extraction give exactly what the plain definitions give."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from scraper.extract._dom import link_chars, node_text, unwrap_noscript
from scraper.extract._patterns import COMMA_CHARS, COMMAS, INLINE_JUNK, WIDGET_LINE
from scraper.extract._script import reading_length
from scraper.extract._text import Paragraph, clean_paragraphs, count_commas, normalise

GOLDEN = Path(__file__).resolve().parent / "golden"
PAGES = [p.read_text("utf-8", "replace") for p in sorted(GOLDEN.glob("*.html"))]
TAGS = ["div", "p", "span", "a", "b", "li", "ul", "td", "template", "svg"]

markup = st.lists(
    st.one_of(
        st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
        st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
        st.text(max_size=20),
        st.sampled_from(["<!-- note -->", "&amp;", "\x00", "\u00ad", "é", "中文", "\U0001f600"]),
    ),
    max_size=40,
).map("".join)


def _same_text(html: str) -> None:
    tree = LexborHTMLParser(html)
    root = tree.root
    assert root is not None
    for node in root.traverse():
        if node.is_element_node:
            assert node_text(node) == node.text()
            assert link_chars(node) == sum(len(a.text()) for a in node.css("a"))


def test_text_and_links_match_on_real_pages() -> None:
    assert PAGES
    for html in PAGES:
        _same_text(html)


@settings(max_examples=200, deadline=None)
@given(markup)
def test_text_and_links_match_on_any_markup(html: str) -> None:
    _same_text(html)


def test_text_after_removal() -> None:
    tree = LexborHTMLParser("<div id=a>one <a>two</a><p>three <a>four</a></p></div>")
    div = tree.css_first("#a")
    assert div is not None
    paragraph = div.css_first("p")
    assert paragraph is not None
    paragraph.remove()  # nothing is cached: a changed tree reads as changed
    assert node_text(div) == "one two"
    assert link_chars(div) == 3


@given(st.text(alphabet=st.sampled_from(COMMA_CHARS + "ab 。x,中"), max_size=60) | st.text())
def test_count_commas(text: str) -> None:
    assert count_commas(text) == len(COMMAS.findall(text))


@given(st.text(alphabet=st.sampled_from("a b\n\t中文\u00ad\u200b\u200d\ufeff\u3000é"), max_size=40))
def test_normalise_drops_invisible_characters(text: str) -> None:
    out = normalise(text)
    assert not set(out) & set("\u00ad\u200b\u200c\u200d\u2060\ufeff")
    assert out == normalise(out)


def test_unwrap_noscript() -> None:
    small = "<p>a</p><noscript><img src=x></noscript>"
    assert unwrap_noscript(small) is small  # nothing to unwrap: the page itself, not a copy
    page = "<div>" + "<p>text</p>" * 300 + "</div>"
    html = f"<noscript>{page}</noscript><noscript><img></noscript>"
    assert unwrap_noscript(html) == f"{page}<noscript><img></noscript>"


@given(st.text(max_size=200))
@settings(max_examples=300)
def test_reading_length_counts_wide_characters_two_and_a_half(text: str) -> None:
    """The C-side count equals the per-character definition (ASCII, Cyrillic, accented
    Latin and cp1252's typographic characters 1, other characters from U+0800 on 2.5,
    astral characters as two of those halves more)."""

    def typographic(ch: str) -> bool:
        return ord(ch) >= 0x800 and ch.encode("cp1252", "ignore") != b""

    wide = sum(
        1
        for ch in text
        if (0x800 <= ord(ch) < 0xD800 or 0xE000 <= ord(ch) <= 0xFFFF) and not typographic(ch)
    )
    astral = sum(1 for ch in text if ord(ch) > 0xFFFF)
    surrogates = sum(1 for ch in text if 0xD800 <= ord(ch) < 0xE000)
    extra = wide + 2 * astral + surrogates
    assert reading_length(text) == len(text) + (extra * 3) // 2


def test_reading_length_of_the_region_scripts() -> None:
    assert reading_length("Forum opens") == 11
    assert reading_length("Форум открыт") == 12  # Cyrillic reads like Latin
    assert reading_length("论坛开幕") == 10  # four Han characters: ten Latin ones
    assert reading_length("포럼 개막") == 11
    assert reading_length("“Forum” — opens…") == 16  # typographic marks read as Latin


def test_a_chinese_passage_printed_twice_is_read_once() -> None:
    """80 of reading is 32 Han characters: a lede repeated under the summary goes."""
    lede = "东北亚地方政府联合会第十五届全体会议在符拉迪沃斯托克召开，六十余个地方政府代表出席。"
    pars = [Paragraph(lede, 0, "p"), Paragraph("会议审议通过了工作报告。", 0, "p")]
    assert clean_paragraphs([*pars, Paragraph(lede, 0, "p")], "") == [p.text for p in pars]


@pytest.mark.parametrize(
    "line",
    [
        "放大字体 缩小字体",
        "【字体：大 中 小】",
        "【Fonts: A+ A A- Print",
        "【打印本页】【关闭窗口】",
        "【收藏】【打印】【关闭】",
        "扫一扫在手机打开当前页",
        "목록",
        "글자 크게 글자 작게",
        "페이스북 트위터 카카오스토리 URL 복사",
        "文字サイズ 標準 大きく",
        "ツイート LINEで送る はてなブックマーク",
        "Поделиться: ВКонтакте Одноклассники Телеграм",
        "Хуваалцах",
    ],
)
def test_widget_lines_of_the_region(line: str) -> None:
    assert WIDGET_LINE.match(line)


@pytest.mark.parametrize(
    "line",
    ["Fonts and typography matter", "中国-东北亚博览会开幕", "목록에 오른 기업은 20곳이다."],
)
def test_sentences_are_no_widget_lines(line: str) -> None:
    assert WIDGET_LINE.match(line) is None


@pytest.mark.parametrize(
    ("line", "junk"),
    [
        ("동해항 여객터미널 [강원도 제공]", True),
        ("회의 모습 [강원도 제공. 재판매 및 DB 금지]", True),
        ("[연합뉴스 자료사진]", True),
        ("（新华社记者 李明 摄）", True),
        ("도는 다음 달부터 운항을 재개한다고 밝혔다.", False),
        ("我们一起拍摄了照片。", False),
    ],
)
def test_photo_credit_lines(line: str, junk: bool) -> None:
    assert (INLINE_JUNK.search(line) is not None) is junk
