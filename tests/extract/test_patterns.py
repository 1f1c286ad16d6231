"""Golden tests, one per pattern that used to go wrong (issue 12), with exact expected text.

The fixture pages in ``patterns/`` are written for these tests (short, realistic, in the
region's languages); none is copied from a benchmark.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.extract import extract

PATTERNS = Path(__file__).resolve().parent / "patterns"

EXPECTED = {
    # Blogger wraps every post in "date-posts": a chrome word, not chrome.
    "blogger_date_posts": (
        "The high-speed ferry between Busan and Fukuoka resumed daily sailings on Monday after "
        "a winter break, the operator said.\n\n"
        "Crossings take just under four hours, and the first boats were full with students and "
        "day visitors from both cities.\n\n"
        "Port officials expect about 300,000 passengers this year, close to the numbers seen "
        "before the pandemic."
    ),
    # WordPress puts "tag-<slug>" classes on the article element itself.
    "wordpress_tag_classes": (
        "한국, 중국, 일본, 러시아의 항만 관계자들이 21일 부산에서 만나 "
        "물류 협력 방안을 논의했다.\n\n"
        "참석자들은 항만 간 정보 공유 체계를 구축하고 내년까지 "
        "공동 보고서를 발간하기로 합의했다.\n\n"
        "다음 회의는 내년 봄 블라디보스토크에서 열릴 예정이다."
    ),
    # "…-teaser-detail", "slice copy" and "…--ads" wrappers around the whole article.
    "teaser_detail_ads": (
        "Первый контейнерный поезд по новому маршруту из Владивостока в Монголию отправился во "
        "вторник, сообщили в порту.\n\n"
        "Путь до Улан-Батора займёт около восьми суток, что на два дня быстрее прежнего "
        "маршрута через другие пограничные переходы.\n\n"
        "Перевозчики рассчитывают отправлять до двух поездов в неделю уже летом, если спрос "
        "сохранится на нынешнем уровне.\n\n"
        "Монгольская сторона обещала ускорить таможенное оформление на границе."
    ),
    # Ruby readings dropped; soft hyphens and zero-width characters gone in every script.
    "ruby_invisible": (
        "新潟港と中国の琿春を結ぶ航路の実証実験が、来月から始まることになりました。\n\n"
        "県の担当者は「日本海側の物流を強くする第一歩です」と話しています。実験は三か月続く予定です。\n\n"
        "Морской путь из Ниигаты в Хуньчунь сократит доставку грузов на несколько дней.\n\n"
        "부산항과 니가타항의 협력도 논의되고 있다."
    ),
    # Font-size, print and share widgets inside the article container.
    "widget_lines": (
        "The three governments approved a plan for a cross-border trade zone on the Tumen River "
        "on Thursday.\n\n"
        "The zone will link rail lines from China, Russia and North Korea, and a first "
        "warehouse is due to open in 2026.\n\n"
        "Officials said the plan still needs funding from the regional development bank."
    ),
    # A service page: every section is kept, not only the longest.
    "service_sections": (
        # The page's one <h1> is the title, so the text starts below it.
        "We translate agreements, reports and meeting papers between Chinese, Japanese, Korean, "
        "Mongolian, Russian and English.\n\n"
        "What we translate\n\nAgreements\n\n"
        "Memoranda and treaties, checked by a second translator and a lawyer.\n\n"
        "Reports\n\n"
        "Annual and project reports, with tables and charts laid out as in the original.\n\n"
        "Meetings\n\nAgendas, minutes and speeches, delivered within a day of the meeting.\n\n"
        "Questions\n\nHow long does a translation take?\n\n"
        "Most documents of up to twenty pages are ready within three working days.\n\n"
        "Do you keep documents confidential?\n\n"
        "Yes. Every translator signs a confidentiality agreement before starting."
    ),
    # Infinite scroll appended the next article (its own <h1>): it is not part of this one.
    "infinite_scroll": (
        "六月十日，中国、蒙古和俄罗斯三国交通部门在乌兰巴托举行会议，就跨境公路运输便利化达成一致。\n\n"
        "根据协议，三国将简化过境手续，延长运输许可的有效期，并在主要口岸开设联合查验窗口。\n\n"
        "与会代表表示，新措施有望使货物通关时间缩短一半。"
    ),
    # The markup is an app shell; the article is in JSON-LD articleBody.
    "embedded_jsonld": (
        "Mongolia has joined a study of a power grid linking it with China, Korea, Japan and "
        "Russia.\n\n"
        "The study will look at solar and wind power from the Gobi desert and the lines needed "
        "to carry it.\n\n"
        "A first report is expected next year."
    ),
    # The markup is an app shell; the article is in Next.js __NEXT_DATA__.
    "embedded_next": (
        "Fisheries officials from Korea, Japan and China met in Busan on Tuesday to discuss "
        "quotas for the coming season.\n\n"
        "They agreed to share catch data every month and to meet again in the autumn."
    ),
}


def test_every_fixture_has_an_expectation() -> None:
    assert {p.stem for p in PATTERNS.glob("*.html")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pattern_text(name: str) -> None:
    html = (PATTERNS / f"{name}.html").read_bytes()
    article = extract(html, url=f"https://example.org/{name}")
    assert article.error is None
    assert article.text == EXPECTED[name]


def test_a_one_line_notice_is_not_buried_under_the_footer() -> None:
    """On a short page the copyright footer is a large share of little text: it is still
    chrome, and the notice's one line is the text."""
    from tests.sites import english_article

    article = extract(english_article("Notice", ["Open."]), url="https://example.org/n.html")
    assert (article.title, article.text) == ("Notice", "Open.")
