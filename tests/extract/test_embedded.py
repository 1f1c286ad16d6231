"""Pages whose article is only in embedded data: Next.js App Router flight payloads
(``self.__next_f.push``), with the publication date escaped inside them."""

from __future__ import annotations

import json

from scraper.extract import extract

PARAGRAPHS = [
    "Officials from Jilin and Primorsky met in Hunchun on Monday to reopen talks on a "
    "cross-border rail freight line through the Tumen river valley.",
    "Both sides agreed to publish a joint timetable by the end of the year and to meet "
    "again in Vladivostok in the spring.",
]


def _flight_page() -> str:
    """An app shell; the article's paragraphs and date sit in the RSC stream, split over
    several pushes, among class lists and paths that are not prose."""
    payload = json.dumps(
        {
            "className": "article-body mx-auto max-w-3xl text-lg",
            "href": "/news/hunchun-rail-talks",
            "publishedAt": "2025-08-26T09:30:00+08:00",
            "blocks": [{"type": "paragraph", "text": text} for text in PARAGRAPHS],
        }
    )
    half = len(payload) // 2
    pushes = "".join(
        f"<script>self.__next_f.push([1,{json.dumps(chunk)}])</script>"
        for chunk in ("1:" + payload[:half], payload[half:])
    )
    return (
        "<!DOCTYPE html><html><head><title>Hunchun rail talks resume | Border Desk</title>"
        "</head><body><div id='__next'><nav><a href='/'>Border Desk</a> "
        f"<a href='/news'>News</a></nav></div>{pushes}</body></html>"
    )


def test_article_and_date_from_a_flight_payload() -> None:
    article = extract(_flight_page(), url="https://desk.example/news/hunchun-rail-talks")
    assert article.title == "Hunchun rail talks resume"
    assert article.text == "\n\n".join(PARAGRAPHS)
    published = article.published_at
    assert published is not None
    assert published.isoformat() == "2025-08-26T09:30:00+08:00"


def test_short_chinese_paragraphs_of_a_next_data_page() -> None:
    """Prose strings are told from labels by reading length: a 20-character Chinese
    sentence is a paragraph (an English label of 20 letters is not)."""
    lines = [
        "珲春至扎鲁比诺港的货运班列本周恢复运行。",
        "两地海关将延长口岸通关时间至晚上八点。",
        "首批货物为吉林大米和俄罗斯海产品。",
    ]
    data = {"props": {"pageProps": {"label": "Subscribe to updates", "blocks": lines}}}
    html = (
        "<html><head><title>货运班列恢复运行</title></head><body><div id='__next'></div>"
        f"<script id='__NEXT_DATA__' type='application/json'>{json.dumps(data)}</script>"
        "</body></html>"
    )
    assert extract(html, url="https://example.org/n/1").text == "\n\n".join(lines)
