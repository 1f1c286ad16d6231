"""extract() never raises and caps its work, whatever it is given."""

from __future__ import annotations

import os
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.extract import Article, extract

GOLDEN = Path(__file__).resolve().parent / "golden"
REAL_PAGES = [p.read_bytes() for p in sorted(GOLDEN.glob("*.html"))]
TAGS = ["div", "p", "span", "a", "table", "tr", "td", "br", "script", "style", "h1", "li", "ul"]


def _check(article: Article) -> None:
    assert isinstance(article, Article)
    assert article.error is None, article.error  # a crash is not an empty page
    assert isinstance(article.text, str)
    assert isinstance(article.title, str)
    assert "\n\n\n" not in article.text
    assert article.text == article.text.strip()
    if article.published_at is not None:  # a date, a local time, or a time with its offset
        published = article.published_at
        assert type(published).fromisoformat(published.isoformat()) == published
    assert article.language is None or (len(article.language) == 2 and article.language.islower())


markup = st.lists(
    st.one_of(
        st.sampled_from(TAGS).map(lambda t: f"<{t} class='content nav'>"),
        st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
        st.text(max_size=40),
        st.sampled_from(
            ["<!--", "-->", "<![CDATA[", "&amp;", "&#xD800;", "<", ">", "\x00", "\ufeff"]
        ),
    ),
    max_size=80,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markup)
def test_generated_markup(html: str) -> None:
    _check(extract(html, url="https://example.org/a"))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_generated_bytes(data: bytes) -> None:
    _check(extract(data))


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(REAL_PAGES),
    st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 200), st.binary(max_size=20)), max_size=6
    ),
)
def test_mutated_real_pages(page: bytes, edits: list[tuple[int, int, bytes]]) -> None:
    for start, length, insert in edits:
        at = start % (len(page) + 1)
        page = page[:at] + insert + page[at + length :]
    _check(extract(page))
    _check(extract(page.decode("latin-1")))


@settings(max_examples=30, deadline=None)
@given(
    st.text(max_size=30),
    st.text(max_size=30),
    st.lists(st.text(max_size=20), max_size=3),
    st.one_of(st.none(), st.text(max_size=8)),
)
def test_generated_options(url: str, selector: str, removes: list[str], lang: str | None) -> None:
    html = REAL_PAGES[0]
    _check(
        extract(html, url=url, content_selector=selector, remove_selectors=removes, language=lang)
    )


def _timed(html: str | bytes) -> tuple[Article, float]:
    """The extraction and the CPU seconds it took: a bound on work done (a quadratic
    pass over 20 MB costs minutes of CPU), not on wall time, which a busy machine
    stretches."""
    start = time.process_time()
    article = extract(html)
    return article, time.process_time() - start


def test_random_binary() -> None:
    article, _ = _timed(os.urandom(200_000))
    _check(article)


def test_ten_thousand_levels_deep() -> None:
    html = "<div>" * 10_000 + "The deep text survives the flattening." + "</div>" * 10_000
    article, seconds = _timed(html)
    assert article.text == "The deep text survives the flattening."
    assert seconds < 5


def test_two_hundred_thousand_unclosed_levels() -> None:
    article, seconds = _timed("<span><b>" * 100_000 + "tail")
    _check(article)
    assert seconds < 5


def test_twenty_megabytes() -> None:
    para = "<p>A paragraph of text, with commas, repeated to make the page very large.</p>"
    html = "<html><body>" + para * (20_000_000 // len(para)) + "</body></html>"
    article, seconds = _timed(html)
    assert article.text.startswith("A paragraph of text")
    assert seconds < 10


def test_broken_markup() -> None:
    html = "<html><body><p>unclosed <b>bold <i>italic</p></div></td><table><tr><td>cell"
    _check(extract(html))


def test_wrong_encoding_declared() -> None:
    html = '<meta charset="shift_jis"><p>동북아 지방정부 협력 회의가 열렸습니다.</p>'.encode(
        "euc-kr"
    )
    _check(extract(html))


def test_lone_surrogates_and_nul() -> None:
    _check(extract("<p>\ud800 lone surrogate, \x00 NUL, and text.</p>"))
