from __future__ import annotations

import pytest

from scraper.extract import extract
from scraper.extract._language import choose, detect, normalise_code

KO = "동북아지역자치단체연합 사무국은 포항에서 실무위원회를 개최한다고 밝혔습니다."
ZH = "东北亚地区地方政府联合会第十五届全体会议在俄罗斯召开，各国代表出席会议。"
JA = "北東アジア地域自治体連合の総会に知事が出席しました。交流の拡大を提案しました。"
RU = "Генеральная ассамблея пройдет во Владивостоке в сентябре этого года."
MN = "Чуулганаар гишүүн орнуудын орон нутгийн засаг захиргаад хамтран ажиллах төлөвлөгөө."
EN = "Tourism ministers from five countries met in Busan and agreed on a roadmap."
DE = "Die Minister haben sich auf einen gemeinsamen Fahrplan für den Tourismus geeinigt."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("zh-CN", "zh"),
        ("ko_KR", "ko"),
        ("EN-us", "en"),
        ("ja", "ja"),
        ("", None),
        (None, None),
        ("x-default", None),
        ("english", None),
        ("r", None),
    ],
)
def test_normalise_code(value: str | None, expected: str | None) -> None:
    assert normalise_code(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (KO, "ko"),
        (ZH, "zh"),
        (JA, "ja"),
        (RU, "ru"),
        (MN, "mn"),
        (EN, "en"),
        (DE, "de"),
        ("", None),
    ],
)
def test_detect_by_script(text: str, expected: str | None) -> None:
    assert detect(text) == expected


def test_declared_language_wins_when_the_text_agrees() -> None:
    assert choose(["zh-TW"], ZH) == "zh"
    assert choose([None, "en-GB"], EN) == "en"


def test_declared_language_contradicted_by_the_script() -> None:
    # Templates often say lang="en" on pages written in Korean.
    assert choose(["en"], KO * 3) == "ko"
    assert choose(["ko"], RU * 3) == "ru"


def test_html_lang_used_and_stripped() -> None:
    html = f'<html lang="zh-CN"><body><p>{ZH}</p></body></html>'
    assert extract(html).language == "zh"


def test_language_hint_is_used() -> None:
    html = f"<html><body><p>{JA}</p></body></html>"
    assert extract(html, language="ja").language == "ja"
    assert extract(f"<html><body><p>{EN}</p></body></html>", language="ko").language == "en"


def test_detected_without_declaration() -> None:
    assert extract(f"<html><body><p>{MN}</p></body></html>").language == "mn"
