from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scraper.extract import extract
from scraper.extract._dates import date_from_url, find_date_in_text, find_labelled_date, parse_date

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("발행 2023-12-13 게시", date(2023, 12, 13)),
        ("등록일 2023.12.13", date(2023, 12, 13)),
        ("2023. 12. 13. 오후", date(2023, 12, 13)),
        ("2023/12/13 10:20", datetime(2023, 12, 13, 10, 20)),
        ("发布时间：2025年8月26日 09:30", datetime(2025, 8, 26, 9, 30)),
        ("掲載日：2025年8月26日更新", date(2025, 8, 26)),
        ("작성일 2023년 12월 13일", date(2023, 12, 13)),
        ("26 августа 2025 г.", date(2025, 8, 26)),
        ("Опубликовано 5 мая 2021 г., 10:15", datetime(2021, 5, 5, 10, 15)),
        ("Posted August 26, 2025", date(2025, 8, 26)),
        ("Sept. 5, 2019 at noon", date(2019, 9, 5)),
        ("on 3 May 2024", date(2024, 5, 3)),
        ("Огноо: 13.12.2023", date(2023, 12, 13)),
        ("First Published on Nov 20, 2019 01:38 pm", datetime(2019, 11, 20, 13, 38)),
        ("2019-11-20 12:05 AM", datetime(2019, 11, 20, 0, 5)),
        # Japanese era years, as prefectures write them
        ("掲載日：令和7年8月26日", date(2025, 8, 26)),
        ("更新日 令和元年5月1日 10:00", datetime(2019, 5, 1, 10, 0)),
        ("平成31年4月30日", date(2019, 4, 30)),
        # Mongolian
        ("Нийтэлсэн: 2025 оны 8 сарын 26", date(2025, 8, 26)),
        ("2023 оны 12-р сарын 13 14:05", datetime(2023, 12, 13, 14, 5)),
    ],
)
def test_dates_written_in_text(text: str, expected: datetime) -> None:
    assert find_date_in_text(text, NOW) == expected


@pytest.mark.parametrize(
    "text",
    ["no date here", "in 2019 we grew", "2023-13-45", "Copyright 1999-2025", "30 февраля 2020"],
)
def test_text_without_a_valid_date(text: str) -> None:
    assert find_date_in_text(text, NOW) is None


def test_future_and_ancient_dates_are_implausible() -> None:
    assert find_date_in_text("2031-01-01", NOW) is None
    assert find_date_in_text("1970-01-01", NOW) is None


def test_first_date_in_the_text_wins() -> None:
    text = "Updated 2024-02-02. Originally 2023-01-01."
    assert find_date_in_text(text, NOW) == date(2024, 2, 2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # an offset is kept, and with it the publisher's day
        ("2023-12-13T09:00:00+09:00", "2023-12-13T09:00:00+09:00"),
        ("2020-02-24T21:25:54-05:00", "2020-02-24T21:25:54-05:00"),
        ("2023-12-13T09:00:00Z", "2023-12-13T09:00:00+00:00"),
        ("Mon, 24 Feb 2020 21:25:54 -0500", "2020-02-24T21:25:54-05:00"),
        # a time without an offset stays a local time: no zone is invented
        ("2023-12-13 09:00:00", "2023-12-13T09:00:00"),
        ("2023-12-13", "2023-12-13"),
        ("Wed, December 13, 2023", "2023-12-13"),
        ("发布时间：2025年8月26日 09:30 北京时间", "2025-08-26T09:30:00+08:00"),
        ("Posted 2019-11-20 12:05 AM GMT+8", "2019-11-20T00:05:00+08:00"),
        ("2023-12-13 10:20 - 5 comments", "2023-12-13T10:20:00"),
        ("", None),
        (None, None),
        ("garbage", None),
    ],
)
def test_parse_date_keeps_what_the_publisher_wrote(value: str | None, expected: str | None) -> None:
    parsed = parse_date(value, NOW)
    assert (parsed.isoformat() if parsed is not None else None) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.org/2019/11/19/story.html", date(2019, 11, 19)),
        ("http://wb.jl.gov.cn/gzdt/202508/t20250826_3301.html", date(2025, 8, 26)),
        ("https://x.org/news/2023-12-13-meeting", date(2023, 12, 13)),
        ("https://x.org/news/view.do?id=20231399", None),
        ("https://x.org/about/", None),
        # the month as a word in the path
        ("https://x.org/blog/2023/october/03/wine-types", date(2023, 10, 3)),
        ("https://x.org/2021/Sep/7/", date(2021, 9, 7)),
        ("https://x.org/2023/may/", None),
        ("https://x.org/2023/october/32/", None),
        ("https://x.org/2023/octopus/03/", None),
        (None, None),
    ],
)
def test_date_from_url(url: str | None, expected: datetime | None) -> None:
    assert date_from_url(url, NOW) == expected


def iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _page(head: str, body: str = "<p>Body text of the article, long enough to count.</p>") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_meta_tag_date_first() -> None:
    html = _page('<meta property="article:published_time" content="2023-12-13T01:02:03Z">')
    assert iso(extract(html).published_at) == "2023-12-13T01:02:03+00:00"


def test_jsonld_date() -> None:
    ld = '{"@type": "NewsArticle", "datePublished": "2022-05-06T07:08:09+00:00"}'
    html = _page(f'<script type="application/ld+json">{ld}</script>')
    assert iso(extract(html).published_at) == "2022-05-06T07:08:09+00:00"


def test_jsonld_graph_date() -> None:
    ld = '{"@graph": [{"@type": "WebPage"}, {"@type": "Article", "datePublished": "2021-01-02"}]}'
    html = _page(f'<script type="application/ld+json">{ld}</script>')
    assert extract(html).published_at == date(2021, 1, 2)


def test_time_element_date() -> None:
    html = _page("", '<time datetime="2020-02-03">Feb 3</time><p>Article text here.</p>')
    assert extract(html).published_at == date(2020, 2, 3)


def test_url_date_refined_by_the_text_of_the_same_day() -> None:
    body = "<div>发布时间：2025年8月26日 09:30</div><p>正文内容，很长的一段文字。</p>"
    article = extract(_page("", body), url="http://x.cn/202508/t20250826_1.html")
    assert article.published_at == datetime(2025, 8, 26, 9, 30)


def test_no_date_at_all() -> None:
    assert extract(_page("")).published_at is None


def test_labelled_date_beats_dates_in_the_body() -> None:
    body = (
        "<div class='info'>发布时间：2025-08-26 来源：省外办</div>"
        "<div class='con'><p>论坛将于2025年9月1日在长春开幕，来自五国的代表将出席会议。</p></div>"
    )
    assert extract(_page("", body)).published_at == date(2025, 8, 26)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("작성자 사무국 작성일 2023.12.13 조회 5", date(2023, 12, 13)),
        ("Event on 2024-01-05. Posted on March 3, 2024", date(2024, 3, 3)),
        ("Опубликовано: 26 августа 2025 г.", date(2025, 8, 26)),
        ("no label 2024-01-05", None),
    ],
)
def test_find_labelled_date(text: str, expected: datetime | None) -> None:
    from scraper.extract._dates import find_labelled_date

    assert find_labelled_date(text, NOW) == expected


# Golden pages: the date exactly as the publisher meant it, through extract().
@pytest.mark.parametrize(
    ("page", "url", "expected"),
    [
        # an offset keeps the publisher's day: the 24th, not the 25th as in UTC
        (
            _page('<meta property="article:published_time" content="2020-02-24T21:25:54-05:00">'),
            None,
            "2020-02-24T21:25:54-05:00",
        ),
        # a UTC value from the CMS, shown in the offset the page's other dates carry
        (
            _page(
                '<meta property="article:published_time" content="2025-12-19T02:41:41+00:00">',
                '<time datetime="2025-12-18T21:41:41-05:00">Dec 18</time><p>Body text.</p>',
            ),
            None,
            "2025-12-18T21:41:41-05:00",
        ),
        # a UTC value the day after the URL's: the URL's day is the publisher's
        (
            _page('<meta property="article:published_time" content="2025-12-19T03:05:00Z">'),
            "https://blog.example.org/2025/12/18/a-post/",
            "2025-12-18",
        ),
        # a local time without an offset, on a Chinese page: never labelled UTC
        (
            _page("", "<div class='info'>发布时间：2005-08-22 19:13:18</div><p>正文内容。</p>"),
            None,
            "2005-08-22T19:13:18",
        ),
        # a two-digit-year Korean board date after its label
        (
            _page("", "<table><tr><th>작성일</th><td>24-05-21</td></tr></table><p>본문</p>"),
            None,
            "2024-05-21",
        ),
        (
            _page(
                "", "<p class='date'>등록일 : 23.12.13 14:05</p><p>회의 결과를 알려드립니다.</p>"
            ),
            None,
            "2023-12-13T14:05:00",
        ),
        # no date anywhere: null, never today
        (_page("", "<p>Open every day from 9 to 5.</p>"), "https://example.org/about", None),
    ],
)
def test_golden_publication_dates(page: str, url: str | None, expected: str | None) -> None:
    assert iso(extract(page, url=url).published_at) == expected


RUSSIAN_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                  "сентября", "октября", "ноября", "декабря"]  # fmt: skip


@pytest.mark.parametrize("month", range(1, 13))
def test_russian_month_names(month: int) -> None:
    name = RUSSIAN_MONTHS[month - 1]
    assert find_date_in_text(f"Опубликовано 3 {name} 2024 г.", NOW) == date(2024, month, 3)
    capitalised = f"Дата: 17 {name.capitalize()} 2021 года, 09:45"
    assert find_date_in_text(capitalised, NOW) == datetime(2021, month, 17, 9, 45)


def test_two_digit_years_need_a_cjk_label_or_language() -> None:
    from scraper.extract._dates import find_labelled_date

    assert find_labelled_date("작성일 24-05-21", NOW) == date(2024, 5, 21)
    assert find_labelled_date("Дата 21.05.24", NOW) is None  # Russian writes the day first
    assert find_date_in_text("24-05-21", NOW) is None
    assert find_date_in_text("24-05-21", NOW, year_first_short=True) == date(2024, 5, 21)


def _ld(published: str, modified: str | None = None) -> str:
    extra = f', "dateModified": "{modified}"' if modified else ""
    ld = f'{{"@type": "BlogPosting", "datePublished": "{published}"{extra}}}'
    return f'<script type="application/ld+json">{ld}</script><title>Tea guide</title>'


# Golden pages for what a site builder or a script-built page declares.
@pytest.mark.parametrize(
    ("page", "url", "expected"),
    [
        # JSON-LD refreshed on republication; the byline keeps the first day
        (
            _page(_ld("Jun 24, 2025"), "<h1>Tea guide</h1><p>By Ann · August 25, 2024</p>"),
            None,
            "2024-08-25",
        ),
        # ... but a later byline day is an update, not the publication
        (
            _page(
                _ld("2024-02-01T15:46:14+00:00", "2025-04-19T23:02:46+00:00"),
                "<h1>Tea guide</h1><p>Updated April 19, 2025</p>",
            ),
            None,
            "2024-02-01T15:46:14+00:00",
        ),
        # ... and an earlier byline day that is the declared modification is not either
        (
            _page(_ld("2024-02-01", "2023-05-06"), "<h1>Tea guide</h1><p>Reviewed May 6, 2023</p>"),
            None,
            "2024-02-01",
        ),
        # JSON escaped inside a Next.js payload string, and inside an attribute
        (
            _page(
                "",
                '<script>self.__next_f.push([1,"{\\"title\\":\\"A\\",\\"publishedAt\\":'
                '\\"2024-03-05T08:00:00+09:00\\"}"])</script><p>Body.</p>',
            ),
            None,
            "2024-03-05T08:00:00+09:00",
        ),
        (
            _page(
                "", '<div data-props="{&quot;datePublished&quot;:&quot;2025-11-17&quot;}">x</div>'
            ),
            None,
            "2025-11-17",
        ),
        # a post's time in a custom element's attribute named for its creation
        (
            _page(
                "",
                '<shreddit-post created-timestamp="2024-03-03T09:47:05.754000+0000">'
                "<h1>Best laptop?</h1></shreddit-post>",
            ),
            None,
            "2024-03-03T09:47:05.754000+00:00",
        ),
        # a forum's US-style dashed date with its time
        (
            _page("", "<div class='postdate'>11-29-2024, 09:03 AM</div><p>First post.</p>"),
            None,
            "2024-11-29T09:03:00",
        ),
        # the byline under the headline, though a search box's <h1> comes first and the
        # headline stands after a long menu
        (
            _page(
                "<title>Trends in care | Psychiatry</title>",
                "<h1>Search</h1>"
                + "<a href='/x'>menu entry</a>" * 3000
                + "<h1>Trends in care</h1><ul><li>December 24, 2024</li></ul><p>Body.</p>",
            ),
            None,
            "2024-12-24",
        ),
    ],
)
def test_golden_declared_and_shown_dates(page: str, url: str | None, expected: str) -> None:
    assert iso(extract(page, url=url).published_at) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # a time with its offset: not after that offset's today
        ("2026-01-01T08:00:00+09:00", "2026-01-01T08:00:00+09:00"),
        ("2026-01-02T08:00:00+09:00", None),
        ("2026-01-01T08:00:00-05:00", None),  # still 31 December in New York
        # a day or a local time: not after the first place on Earth where it is today
        ("2026-01-01", "2026-01-01"),
        ("2026-01-02", None),
        ("2026-01-01 23:30", "2026-01-01T23:30:00"),
    ],
)
def test_never_a_future_date(value: str, expected: str | None) -> None:
    now = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
    assert iso(parse_date(value, now)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11-29-2024, 09:03 AM", datetime(2024, 11, 29, 9, 3)),
        ("29-11-2024", date(2024, 11, 29)),
        ("02-12-2025", None),  # 2 December or 12 February: not guessed
    ],
)
def test_dashed_day_and_month_only_when_unambiguous(text: str, expected: date | None) -> None:
    assert find_date_in_text(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a year ending a headline is not the year of the byline's month and day
        ("The best tutoring franchises of 2024\nSeptember 1st, 2023 By Emily", date(2023, 9, 1)),
        ("Top picks 2024 September 1st, 2023", date(2023, 9, 1)),
        # year, month, day as citations write it, still read on one line
        ("Lancet. 2023 Jan 7;401", date(2023, 1, 7)),
    ],
)
def test_a_year_before_a_month_and_day_is_theirs_only_on_one_line(
    text: str, expected: date
) -> None:
    assert find_date_in_text(text, NOW) == expected


def test_headline_year_does_not_join_the_byline_date() -> None:
    page = (
        "<html><head><title>The best tutoring franchises of 2024</title></head><body>"
        "<article><h1>The best tutoring franchises of 2024</h1>"
        "<div class='meta'>September 1st, 2023 <span>By Emily Norwood</span></div>"
        "<p>" + "Tutoring franchises grow as parents look for help. " * 20 + "</p>"
        "</article></body></html>"
    )
    assert iso(extract(page).published_at) == "2023-09-01"


def test_jsonld_main_entity_date_beats_the_replies_microdata() -> None:
    # A forum thread: JSON-LD names the page a WebPage whose mainEntity is the first
    # post; the replies carry itemprop=datePublished of their own, later days.
    jsonld = (
        '{"@context": "https://schema.org", "@type": "WebPage", "mainEntity": '
        '{"@type": "DiscussionForumPosting", "headline": "Cameras in 2024",'
        ' "datePublished": "2024-01-10T17:47:16+00:00"}}'
    )
    replies = "".join(
        f"<article><time itemprop='datePublished' datetime='2024-01-1{n}T19:11:34-0500'>"
        f"Jan 1{n}</time><p>{'A reply about cameras and phones. ' * 8}</p></article>"
        for n in (1, 2, 3)
    )
    page = (
        f"<html><head><title>Cameras in 2024</title>"
        f"<script type='application/ld+json'>{jsonld}</script></head><body>"
        f"<h1>Cameras in 2024</h1><time datetime='2024-01-10T12:47:16-0500'>Jan 10</time>"
        f"<p>{'The first post of the thread asks about cameras. ' * 8}</p>{replies}"
        "</body></html>"
    )
    # the first post's day, in the offset the page's own times carry
    assert iso(extract(page).published_at) == "2024-01-10T12:47:16-05:00"


def test_question_created_before_its_answers_published() -> None:
    # A Q&A page's microdata: the question's dateCreated, then each answer's datePublished.
    answers = "".join(
        f"<div itemprop='suggestedAnswer'><time itemprop='datePublished' "
        f"datetime='2016-0{n}-17T13:23:29Z'>answered</time>"
        f"<p>{'Press Alt and D to focus the address bar. ' * 6}</p></div>"
        for n in (3, 5, 8)
    )
    page = (
        "<html><head><title>Explorer shortcut to focus the file list</title></head><body>"
        "<div itemscope itemtype='https://schema.org/Question'>"
        "<h1 itemprop='name'>Explorer shortcut to focus the file list</h1>"
        "<time itemprop='dateCreated' datetime='2012-06-29 10:51:01Z'>13 years ago</time>"
        f"<p>{'Which key moves the focus to the list of files? ' * 6}</p>{answers}</div>"
        "</body></html>"
    )
    assert iso(extract(page).published_at) == "2012-06-29T10:51:01+00:00"


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        # hAtom microformat (older blog themes): the time is in the title attribute
        (
            "<abbr class='published' title='2008-03-14T09:30:00+01:00'>March 14</abbr>",
            "2008-03-14T09:30:00+01:00",
        ),
        # a portal's <meta name="ptime">
        ("<meta name='ptime' content='2019-11-20 12:05:00'>", "2019-11-20T12:05:00"),
    ],
)
def test_more_declared_publication_marks(marks: str, expected: str) -> None:
    page = (
        f"<html><head><title>A story</title>{marks if 'meta' in marks else ''}</head><body>"
        f"<h1>A story</h1>{marks if 'abbr' in marks else ''}"
        f"<p>{'Text of the story without any date in it. ' * 10}</p></body></html>"
    )
    assert iso(extract(page).published_at) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a sentence that happens to hold a label's word is no byline
        ("Facts posted before December 12, 2018 are outdated. Date: 2019-08-27", date(2019, 8, 27)),
        ("Published after March 3, 2020 rules changed", None),
        # a byline still is, with its author between the label and the date
        ("Posted by John Smith on March 3, 2020", date(2020, 3, 3)),
    ],
)
def test_label_words_in_a_sentence_are_not_labels(text: str, expected: date | None) -> None:
    assert find_labelled_date(text, NOW) == expected


def test_other_date_meta_names_earliest_first() -> None:
    # Meta names outside the known list: a "published-time" that is the page's build time
    # stands before the "published-date" of the article.
    page = (
        "<html><head><title>Emerging technologies</title>"
        "<meta name='published-time' content='2025-03-09T08:45:32.183Z'>"
        "<meta name='modified-date' content='2024-07-30'>"
        "<meta name='published-date' content='2021-02-16'></head><body>"
        f"<h1>Emerging technologies</h1><p>{'Sensors watch the sea and the air. ' * 10}</p>"
        "</body></html>"
    )
    assert iso(extract(page).published_at) == "2021-02-16"
