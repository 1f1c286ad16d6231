"""decode_html with legacy pages declaring their charset in the header, in <meta charset>,
in http-equiv, nowhere, or wrongly."""

from __future__ import annotations

import codecs
import random
import re

import pytest

from scraper.config.types import Source
from scraper.encoding import decode_html, looks_binary, normalize_charset
from scraper.fetch import Fetcher
from tests.support.httpserver import FixtureServer, Response

# (label a site would declare, codec we expect, a paragraph of real-looking text)
SAMPLES = [
    ("gbk", "gb18030", "图们江区域合作新闻：东北亚地方政府合作论坛在长春召开，各方代表就"
     "经济走廊建设、跨境物流和旅游合作交换了意见，并签署了多项合作备忘录。"),
    ("big5", "big5hkscs", "東北亞區域合作新聞：地方政府合作論壇在首爾召開，各方代表就經濟"
     "走廊建設、跨境物流與觀光合作交換意見，並簽署了多項合作備忘錄。"),
    ("euc-kr", "cp949", "동북아 지역 협력 뉴스: 지방정부 협력 포럼이 서울에서 개최되었으며 "
     "각국 대표들이 경제 회랑 건설과 국경 간 물류, 관광 협력에 대해 의견을 교환했다."),
    ("shift_jis", "cp932", "北東アジア地域協力ニュース：地方政府協力フォーラムが新潟で開催され、"
     "各国代表が経済回廊の建設と国境を越える物流、観光協力について意見を交換しました。"),
    ("euc-jp", "euc_jp", "北東アジア地域協力ニュース：地方政府協力フォーラムが新潟で開催され、"
     "各国代表が経済回廊の建設と国境を越える物流、観光協力について意見を交換しました。"),
    ("windows-1251", "cp1251", "Новости регионального сотрудничества: форум местных органов "
     "власти Северо-Восточной Азии прошёл во Владивостоке, участники обсудили транспортные "
     "коридоры, приграничную логистику и туризм."),
    ("koi8-r", "koi8-r", "Новости регионального сотрудничества: форум местных органов "
     "власти Северо-Восточной Азии прошёл во Владивостоке, участники обсудили транспортные "
     "коридоры, приграничную логистику и туризм."),
]  # fmt: skip
IDS = [label for label, _, _ in SAMPLES]


def page(text: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head>{head}<title>news</title></head>"
        f"<body><div class='nav'>home</div><p>{text}</p><p>{text}</p></body></html>"
    )


def encode(html: str, label: str) -> bytes:
    return html.encode(codecs.lookup(label).name)


def same_family(got: str, expected: str) -> bool:
    """Detection may pick a superset of the expected codec (e.g. EUC-JIS-2004)."""
    supersets = {"euc_jp": {"euc_jis_2004", "euc_jisx0213"}}
    return got == expected or got in supersets.get(expected, set())


@pytest.mark.parametrize(("label", "codec", "text"), SAMPLES, ids=IDS)
def test_declared_in_http_header(label: str, codec: str, text: str) -> None:
    decoded, used = decode_html(encode(page(text), label), declared=label.upper())
    assert used == codec
    assert text in decoded


@pytest.mark.parametrize(("label", "codec", "text"), SAMPLES, ids=IDS)
def test_declared_in_meta_charset(label: str, codec: str, text: str) -> None:
    html = page(text, head=f'<meta charset="{label}">')
    decoded, used = decode_html(encode(html, label))
    assert used == codec
    assert text in decoded


@pytest.mark.parametrize(("label", "codec", "text"), SAMPLES, ids=IDS)
def test_declared_in_http_equiv(label: str, codec: str, text: str) -> None:
    head = f'<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset={label}">'
    decoded, used = decode_html(encode(page(text, head), label))
    assert used == codec
    assert text in decoded


@pytest.mark.parametrize(("label", "codec", "text"), SAMPLES, ids=IDS)
def test_not_declared_at_all(label: str, codec: str, text: str) -> None:
    decoded, used = decode_html(encode(page(text), label))
    assert same_family(used, codec), used
    assert text in decoded


@pytest.mark.parametrize(("label", "codec", "text"), SAMPLES, ids=IDS)
def test_header_lies_utf8_meta_tells_truth(label: str, codec: str, text: str) -> None:
    html = page(text, head=f'<meta http-equiv="content-type" content="text/html;charset={label}">')
    decoded, used = decode_html(encode(html, label), declared="utf-8")
    assert used == codec
    assert text in decoded


@pytest.mark.parametrize(("label", "codec", "text"), SAMPLES, ids=IDS)
def test_everything_lies(label: str, codec: str, text: str) -> None:
    html = page(text, head='<meta charset="utf-8">')
    decoded, used = decode_html(encode(html, label), declared="utf-8")
    assert same_family(used, codec), used
    assert text in decoded


def test_koi8_declared_as_windows_1251() -> None:
    text = SAMPLES[-1][2]
    decoded, used = decode_html(encode(page(text), "koi8-r"), declared="windows-1251")
    assert used == "koi8-r"
    assert text in decoded


def test_utf8_declared_as_windows_1251() -> None:
    text = SAMPLES[-1][2]
    decoded, used = decode_html(page(text).encode("utf-8"), declared="windows-1251")
    assert used == "utf-8"
    assert text in decoded


def test_override_beats_everything() -> None:
    text = SAMPLES[2][2]
    body = encode(page(text, '<meta charset="utf-8">'), "euc-kr")
    decoded, used = decode_html(body, declared="iso-8859-1", override="euc-kr")
    assert used == "cp949"
    assert text in decoded


def test_bom_beats_declaration() -> None:
    body = codecs.BOM_UTF8 + page("한국어").encode("utf-8")
    decoded, used = decode_html(body, declared="euc-kr")
    assert used == "utf-8"
    assert "한국어" in decoded
    assert not decoded.startswith("\ufeff")


def test_utf16_with_bom() -> None:
    body = codecs.BOM_UTF16_LE + page("日本語").encode("utf-16-le")
    decoded, used = decode_html(body)
    assert used == "utf-16-le"
    assert "日本語" in decoded


def test_xml_declaration() -> None:
    xml = '<?xml version="1.0" encoding="GB2312"?><rss><channel><title>新闻</title></channel></rss>'
    decoded, used = decode_html(xml.encode("gb2312"))
    assert used == "gb18030"
    assert "新闻" in decoded


def test_gb18030_only_characters_under_gb2312_label() -> None:
    text = "珲春市 𠀀 镕基"  # 珲/镕 are outside GB2312, 𠀀 needs GB18030 four-byte form
    decoded, used = decode_html(page(text).encode("gb18030"), declared="gb2312")
    assert used == "gb18030"
    assert text in decoded


def test_meta_inside_comment_is_ignored() -> None:
    text = SAMPLES[0][2]
    html = page(text, head='<!-- <meta charset="big5"> --><meta charset="gbk">')
    assert decode_html(encode(html, "gbk"))[1] == "gb18030"


def test_truncated_multibyte_tail_still_counts_as_clean() -> None:
    body = page(SAMPLES[0][2]).encode("gbk")[:-40] + "合".encode("gbk")[:1]
    decoded, used = decode_html(body, declared="gbk")
    assert used == "gb18030"
    assert SAMPLES[0][2][:20] in decoded


def test_ascii_and_empty() -> None:
    assert decode_html(b"<p>hello</p>") == ("<p>hello</p>", "utf-8")
    assert decode_html(b"") == ("", "utf-8")
    assert decode_html(b"<p>hi</p>", declared="euc-kr")[1] == "cp949"


def test_unknown_labels_are_skipped() -> None:
    assert normalize_charset("x-no-such-charset") is None
    text = SAMPLES[0][2]
    _, used = decode_html(encode(page(text), "gbk"), declared="x-no-such", override="bogus")
    assert used == "gb18030"


def test_never_raises_on_garbage() -> None:
    text, used = decode_html(bytes(range(256)) * 10, declared="utf-8")
    assert isinstance(text, str)
    assert used


async def test_fetcher_decodes_legacy_pages_end_to_end() -> None:
    source = Source(name="enc", url="http://127.0.0.1/", per_host_delay=0.0, respect_robots=False)
    with FixtureServer() as server:
        for label, _, text in SAMPLES:
            server.route(f"/header/{label}", Response(body=encode(page(text), label),
                         content_type=f"text/html; charset={label}"))  # fmt: skip
            server.route(f"/none/{label}", Response(body=encode(page(text), label),
                         content_type="text/html"))  # fmt: skip
        async with Fetcher() as fetcher:
            for label, codec, text in SAMPLES:
                for where in ("header", "none"):
                    got = await fetcher.fetch(server.url(f"/{where}/{label}"), source)
                    assert text in got.text, (label, where)
                    assert same_family(got.encoding, codec)


# A page long enough for the byte statistics to speak, as real article pages are.
LONG_CHINESE = SAMPLES[0][2] * 6


def test_undeclared_gb2312_is_not_read_as_a_cyrillic_charset() -> None:
    body = page(LONG_CHINESE).encode("gb2312")
    decoded, used = decode_html(body)
    assert used == "gb18030"
    assert decoded == page(LONG_CHINESE)


def test_declared_gb2312_with_a_dozen_invalid_sequences_is_replaced_not_emptied() -> None:
    html = page(LONG_CHINESE, head='<meta charset="gb2312">')
    body = bytearray(html.encode("gb2312"))
    start = body.index(b"<p>") + 3
    for n in range(12):  # a lead byte followed by a space: invalid in GB2312 and GB18030
        at = start + 40 * n
        body[at : at + 2] = b"\x81 "
    decoded, used = decode_html(bytes(body))
    assert used == "gb18030"
    assert decoded.count("\ufffd") == 12
    assert SAMPLES[0][2][-30:] in decoded


@pytest.mark.parametrize(
    ("label", "codec"),
    [("euc-kr", "cp949"), ("shift_jis", "cp932"), ("gbk", "gb18030"), ("windows-1251", "cp1251")],
)
@pytest.mark.parametrize("latin", ["iso-8859-1", "latin1", "windows-1252", "us-ascii"])
def test_latin_label_on_other_bytes_is_a_lie(label: str, codec: str, latin: str) -> None:
    text = next(t for lab, _, t in SAMPLES if lab == label) * 3
    decoded, used = decode_html(encode(page(text), label), declared=latin)
    assert used == codec
    assert text in decoded


def test_latin_label_on_latin_text_is_believed() -> None:
    text = (
        "Größere Zusammenarbeit: Ökonomische Beziehungen wurden gestärkt. Le café de l'été "
        "à Montréal accueille une réunion régionale; coopération économique élargie. "
    ) * 3
    decoded, used = decode_html(page(text).encode("cp1252"), declared="iso-8859-1")
    assert used == "cp1252"
    assert text in decoded


def test_random_bytes_decode_to_no_text() -> None:
    noise = random.Random(3).randbytes(100_000)
    for declared in (None, "iso-8859-1", "utf-8", "gb2312"):
        text, _ = decode_html(noise, declared=declared)
        assert looks_binary(text), declared
    assert not looks_binary(page(LONG_CHINESE))


# The CJK samples in their own charset, each with the labels a page could carry.
CJK = [sample for sample in SAMPLES if sample[1] in ("gb18030", "cp949", "cp932", "euc_jp")]
CJK_IDS = [label for label, _, _ in CJK]


def _broken(data: bytes, every: int = 150) -> bytes:
    """One high byte in ``every`` replaced by 0xFF (invalid in every CJK charset)."""
    out = bytearray(data)
    high = [i for i, byte in enumerate(out) if byte >= 0x80]
    for i in high[every // 2 :: every]:
        out[i] = 0xFF
    return bytes(out)


@pytest.mark.parametrize(("label", "codec", "text"), CJK, ids=CJK_IDS)
def test_cyrillic_label_on_cjk_bytes_is_a_lie(label: str, codec: str, text: str) -> None:
    """A template's stale windows-1251 label: the bytes read as CJK text, not Cyrillic."""
    html = page(text * 3, '<meta charset="windows-1251">')
    decoded, used = decode_html(encode(html, label))
    assert (used, text in decoded) == (codec, True)


@pytest.mark.parametrize(("label", "codec", "text"), CJK, ids=CJK_IDS)
@pytest.mark.parametrize("declared", [True, False], ids=["declared", "undeclared"])
def test_a_few_invalid_bytes_are_replaced(
    label: str, codec: str, text: str, declared: bool
) -> None:
    """About one character in 75 broken, declared or not: still that charset, the rest
    of the text intact and the broken ones replaced (a Shift_JIS trail byte left alone
    may read as one stray character before the text resumes)."""
    head = f'<meta charset="{label}">' if declared else ""
    data = _broken(encode(page(text * 6, head), label))
    decoded, used = decode_html(data)
    assert same_family(used, codec)
    assert "\ufffd" in decoded
    # windows-31J reads a lone 0xFF as a private-use character, not as U+FFFD
    intact = [part for part in re.split("[\ufffd\uf8f0-\uf8f3]", decoded) if len(part) >= 20]
    assert all(part.strip("<>/p ") and not looks_binary(part) for part in intact)
    assert sum(part[2:] in text * 6 for part in intact if "<" not in part) >= 2


def test_utf8_under_a_multibyte_label_is_utf8() -> None:
    """Clean UTF-8 outweighs an EUC-KR label that its bytes do not fit."""
    text = SAMPLES[2][2]
    decoded, used = decode_html(page(text, '<meta charset="euc-kr">').encode("utf-8"))
    assert (used, text in decoded) == ("utf-8", True)
