"""The public contract of ``scraper.extract`` (DESIGN.md, Python API)."""

from __future__ import annotations

import dataclasses

import scraper.extract
from scraper.extract import Article, extract

ARTICLE = """
<html lang="en"><head><title>Ports agree on green shipping | Forum</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<div class="sidebar"><h3>Popular</h3>
  <ul><li><a href="/1">One</a></li><li><a href="/2">Two</a></li></ul></div>
<div class="article-body">
  <p>Port authorities from five countries agreed on Monday to cut emissions from ships.</p>
  <p>The agreement covers shore power, cleaner fuels and a shared reporting system,
     and it will be reviewed every two years by a joint committee.</p>
  <p class="note">Operators welcomed the plan, which starts next year.</p>
</div>
<div class="share"><a href="#">Share</a> <a href="#">Print</a></div>
<footer>Copyright 2024 Forum</footer>
</body></html>
"""


def test_public_surface() -> None:
    assert scraper.extract.__all__ == ["Article", "extract", "learn_site_names"]
    assert [f.name for f in dataclasses.fields(Article)] == [
        "title", "text", "author", "published_at", "language", "canonical_url", "page_title",
        "error",
    ]  # fmt: skip


def test_clean_text_in_paragraphs() -> None:
    article = extract(ARTICLE, url="https://forum.example.org/news/1")
    assert article.title == "Ports agree on green shipping"
    assert article.text == (
        "Port authorities from five countries agreed on Monday to cut emissions from ships.\n\n"
        "The agreement covers shore power, cleaner fuels and a shared reporting system, "
        "and it will be reviewed every two years by a joint committee.\n\n"
        "Operators welcomed the plan, which starts next year."
    )
    assert article.language == "en"
    assert article.canonical_url == "https://forum.example.org/news/1"


def test_str_and_bytes_give_the_same_article() -> None:
    assert extract(ARTICLE.encode("utf-8")) == extract(ARTICLE)


def test_bytes_in_a_declared_legacy_charset() -> None:
    html = '<meta charset="euc-kr"><p>동북아 지방정부 협력 회의가 열렸습니다.</p>'
    assert "지방정부" in extract(html.encode("euc-kr")).text


def test_content_selector_overrides_scoring() -> None:
    article = extract(ARTICLE, content_selector="p.note")
    assert article.text == "Operators welcomed the plan, which starts next year."


def test_content_selector_that_matches_nothing_falls_back() -> None:
    assert "Port authorities" in extract(ARTICLE, content_selector="div.nothing").text


def test_invalid_content_selector_falls_back() -> None:
    assert "Port authorities" in extract(ARTICLE, content_selector="p[[[").text


def test_remove_selectors_drop_before_scoring() -> None:
    article = extract(ARTICLE, remove_selectors=["p.note", "!!bad selector"])
    assert "Operators" not in article.text
    assert "Port authorities" in article.text


def test_chrome_is_not_in_the_text() -> None:
    text = extract(ARTICLE).text
    for chrome in ("Home", "Popular", "Share", "Print", "Copyright"):
        assert chrome not in text


def test_cjk_lines_join_without_spaces_but_hangul_keeps_them() -> None:
    html = (
        "<p>东北亚地区地方政府\n联合会召开全体会议。</p>"
        "<p>동북아 지방정부\n협력 회의가 열렸습니다.</p>"
    )
    assert (
        extract(html).text
        == "东北亚地区地方政府联合会召开全体会议。\n\n동북아 지방정부 협력 회의가 열렸습니다."
    )


def test_line_breaks_make_paragraphs() -> None:
    html = (
        "<div class='view_con'>첫째 문단입니다.<br><br>둘째 문단입니다.<br>셋째 문단입니다.</div>"
    )
    assert extract(html).text == "첫째 문단입니다.\n\n둘째 문단입니다.\n\n셋째 문단입니다."


def test_inline_markup_keeps_words_apart() -> None:
    html = "<p>one <b>two</b> <i>three</i>four, with more words in this sentence.</p>"
    assert extract(html).text == "one two threefour, with more words in this sentence."


def test_table_rows_are_lines() -> None:
    html = (
        "<article><p>Results of the vote, as counted by the secretariat today.</p>"
        "<table><tr><td>Busan</td><td>12</td></tr><tr><td>Niigata</td><td>9</td></tr></table>"
        "</article>"
    )
    assert extract(html).text.endswith("Busan 12\n\nNiigata 9")


def test_empty_inputs() -> None:
    for html in ("", "   ", b"", "<html></html>", "<p></p>"):
        article = extract(html)
        assert article.text == ""
        assert article.title == ""


def test_short_closing_sentence_is_not_mistaken_for_navigation() -> None:
    html = (
        "<div><p>The ministers met in Busan on Tuesday to sign the roadmap.</p>"
        "<p>Next, they visited the port.</p></div>"
    )
    assert extract(html).text.endswith("Next, they visited the port.")


def test_deeply_nested_inline_markup_keeps_following_paragraphs() -> None:
    html = "<div>" + "<b>" * 300 + "Deep inline text." + "</b>" * 300 + "<p>Then more.</p></div>"
    assert extract(html).text == "Deep inline text.\n\nThen more."


def test_binary_content_gives_empty_text() -> None:
    noise = bytes(range(256)) * 64
    assert extract(noise).text == ""
    assert extract(noise.decode("latin-1")).text == ""


def test_content_selector_wins_over_chrome_like_class_names() -> None:
    html = (
        "<div class='sidebar'><p>Menu text that is not wanted here.</p></div>"
        "<div class='board-comment-view'><p>The notice body lives in an oddly named box.</p></div>"
    )
    article = extract(html, content_selector="div.board-comment-view")
    assert article.text == "The notice body lives in an oddly named box."


def test_content_selector_may_point_into_the_page_footer() -> None:
    html = (
        "<main><p>A short notice about the office move, with the new opening hours.</p></main>"
        "<footer><div class='contact'><p>Office: 3 Harbour Road, Rason. Open 9 to 5.</p></div>"
        "</footer>"
    )
    assert "Harbour Road" not in extract(html).text  # the page's footer is not its text
    article = extract(html, content_selector="div.contact")
    assert article.text == "Office: 3 Harbour Road, Rason. Open 9 to 5."


def test_closing_sentences_that_start_like_chrome_are_kept() -> None:
    closings = [
        "By 2030, the region aims to double exchanges.",
        "Twitter said it would review the policy.",
        "Related talks will follow next year.",
        "Ассамблея пройдет в следующем году.",
        "シェアを拡大した。",
        "조회 결과를 발표했다.",
    ]
    for closing in closings:
        html = (
            "<article><p>The ministers met in Busan on Tuesday to sign the regional roadmap, "
            f"which covers tourism and trade.</p><p>{closing}</p></article>"
        )
        assert extract(html).text.endswith(closing), closing


def test_link_list_after_a_teaser_label_is_dropped() -> None:
    html = (
        "<article><p>Port authorities from five countries agreed to cut emissions from ships.</p>"
        "<p>DON'T MISS</p>"
        "<p><a href='/1'>Ferry routes reopen between Busan and Fukuoka</a> [VIDEO]</p>"
        "<p><a href='/2'>New terminal opens in Vladivostok</a> [INSIGHT]</p>"
        "<p>The agreement will be reviewed every two years by a joint committee.</p></article>"
    )
    assert extract(html).text == (
        "Port authorities from five countries agreed to cut emissions from ships.\n\n"
        "The agreement will be reviewed every two years by a joint committee."
    )


def test_lenient_about_argument_types() -> None:
    html = (
        "<article><p class='x'>Keep this sentence, it is the article.</p>"
        "<p class='y'>Drop.</p></article>"
    )
    assert extract(html, remove_selectors="p.y").text == "Keep this sentence, it is the article."
    assert extract(memoryview(html.encode())).text.startswith("Keep this sentence")
    assert extract(None).text == ""  # type: ignore[arg-type]
