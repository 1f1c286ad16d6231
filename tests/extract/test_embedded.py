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
