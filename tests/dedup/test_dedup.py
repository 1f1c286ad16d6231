"""Unit behaviour of scraper.dedup."""

from __future__ import annotations

import hashlib
import random

from hypothesis import given
from hypothesis import strategies as st

from scraper import dedup
from scraper.dedup import (
    MIN_SIMHASH_CHARS,
    NEAR_DUPLICATE_DISTANCE,
    content_hash,
    from_signed64,
    hamming,
    is_near_duplicate,
    normalize_text,
    simhash64,
    simhash_bands,
    to_signed64,
)

ARTICLE = (
    "第十四届中国—东北亚博览会于8月23日在长春开幕，来自32个国家和地区的1800余家企业参展。\n\n"
    "本届博览会首次设立跨境电商专区，吉林省中小企业可以在线对接韩国、日本采购商。"
)
U64 = st.integers(min_value=0, max_value=2**64 - 1)


# normalize_text / content_hash ---------------------------------------------------------


def test_normalize_folds_width_case_and_whitespace() -> None:
    assert (
        normalize_text("  Ｎｅａｒ\u3000Ｎｅｗｓ　２０２５\n\n\tＳＥＯＵＬ ")
        == "near news 2025 seoul"
    )
    assert normalize_text("ｶﾀｶﾅ") == "カタカナ"  # half-width katakana
    assert normalize_text("①  Straße") == "1 strasse"
    assert normalize_text("") == ""


def test_normalize_keeps_punctuation() -> None:
    assert normalize_text("“Hello,” she said.") == "“hello,” she said."


def test_content_hash_is_sha256_of_the_normal_form() -> None:
    expected = hashlib.sha256(b"near news 2025").hexdigest()
    assert content_hash("NEAR   news\n\n２０２５") == expected
    assert len(content_hash("x")) == 64


def test_content_hash_ignores_width_whitespace_and_case_only() -> None:
    assert content_hash(ARTICLE) == content_hash(ARTICLE.replace("\n\n", "\n").replace("8", "８"))
    assert content_hash("Ulaanbaatar") == content_hash("ULAANBAATAR")
    assert content_hash(ARTICLE) == content_hash(ARTICLE.replace("，", ","))  # full-width form
    assert content_hash(ARTICLE) != content_hash(ARTICLE.replace("。", "."))  # other mark
    assert content_hash("Seoul") != content_hash("Busan")


# simhash64 -----------------------------------------------------------------------------


def test_simhash_is_stable_across_processes_and_versions() -> None:
    """Stored fingerprints are compared with new ones: any change to the algorithm must
    be deliberate (and comes with a migration that recomputes stored simhashes)."""
    assert simhash64(ARTICLE) == 0x048BA4FEDECF6342
    assert simhash64("Northeast Asia " * 5) == simhash64("NORTHEAST-ASIA. " * 5)


def test_simhash_none_for_short_text() -> None:
    assert simhash64("") is None
    assert simhash64("短い。" * 5) is None
    assert simhash64("a" * (MIN_SIMHASH_CHARS - 1) + " ... !!!") is None
    assert simhash64("a" * MIN_SIMHASH_CHARS) is not None


def test_simhash_ignores_punctuation_whitespace_width_and_case() -> None:
    variant = ARTICLE.replace("，", ",").replace("。", ". ").replace("—", "-").upper()
    variant = variant.replace("23", "２３").replace("\n\n", "\n\n\n  ")
    assert simhash64(variant) == simhash64(ARTICLE)


def test_simhash_is_an_unsigned_64_bit_int() -> None:
    values = [simhash64(f"article number {n} of the series " * 3) for n in range(50)]
    assert all(v is not None and 0 <= v < 2**64 for v in values)
    assert any(v is not None and v >= 2**63 for v in values)


def test_chrome_lines_barely_move_the_hash() -> None:
    text = "\n\n".join([ARTICLE] * 3)
    page = (
        f"首页 > 新闻中心 > 区域合作\n\n分享到：微信 微博\n\n{text}\n\n版权所有 © 2025 东北亚新闻网"
    )
    a, b = simhash64(text), simhash64(page)
    assert a is not None
    assert b is not None
    assert hamming(a, b) <= NEAR_DUPLICATE_DISTANCE


def test_different_articles_are_far_apart() -> None:
    other = (
        "大图们倡议第二十四次政府间协商委员会部长级会议9月14日在乌兰巴托举行，四个成员国的部长出席。\n\n"
        "会议回顾了交通、贸易便利化、能源和旅游四个优先领域的合作进展。"
    )
    a, b = simhash64(ARTICLE), simhash64(other)
    assert a is not None
    assert b is not None
    assert hamming(a, b) > 2 * NEAR_DUPLICATE_DISTANCE


def test_bit_counts_match_a_plain_reference() -> None:
    rng = random.Random(5)
    digests = bytes(rng.randrange(256) for _ in range(8 * 301))
    words = [int.from_bytes(digests[i : i + 8], "little") for i in range(0, len(digests), 8)]
    expected = [sum((w >> bit) & 1 for w in words) for bit in range(64)]
    assert dedup._bit_counts(digests) == expected


@given(st.text(max_size=400))
def test_simhash_never_fails(text: str) -> None:
    value = simhash64(text)
    assert value is None or 0 <= value < 2**64


# hamming, bands, signed form ---------------------------------------------------------


@given(U64, U64)
def test_hamming(a: int, b: int) -> None:
    assert hamming(a, b) == hamming(b, a) == bin(a ^ b).count("1")
    assert hamming(to_signed64(a), b) == hamming(a, b)
    assert hamming(a, a) == 0


@given(U64)
def test_signed_round_trip(h: int) -> None:
    signed = to_signed64(h)
    assert -(2**63) <= signed < 2**63
    assert from_signed64(signed) == h


@given(U64)
def test_bands_fit_int32_and_rebuild_the_hash(h: int) -> None:
    bands = simhash_bands(h)
    assert len(bands) == NEAR_DUPLICATE_DISTANCE + 1
    assert all(-(2**31) <= v < 2**31 for v in bands)
    assert simhash_bands(to_signed64(h)) == bands
    widths = dedup._band_widths(len(bands))
    assert sum(widths) == 64
    rebuilt, shift = 0, 0
    for value, width in zip(bands, widths, strict=True):
        rebuilt |= (value & ((1 << width) - 1)) << shift
        shift += width
    assert rebuilt == h


@given(U64, st.sets(st.integers(0, 63), max_size=NEAR_DUPLICATE_DISTANCE))
def test_pigeonhole_within_threshold_shares_a_band(h: int, flips: set[int]) -> None:
    other = h
    for bit in flips:
        other ^= 1 << bit
    assert is_near_duplicate(h, other)
    assert any(x == y for x, y in zip(simhash_bands(h), simhash_bands(other), strict=True))


def test_is_near_duplicate() -> None:
    assert not is_near_duplicate(None, 0)
    assert not is_near_duplicate(0, None)
    assert is_near_duplicate(0, (1 << NEAR_DUPLICATE_DISTANCE) - 1)
    assert not is_near_duplicate(0, (1 << (NEAR_DUPLICATE_DISTANCE + 1)) - 1)


def test_band_widths_for_32_bit_bands() -> None:
    assert dedup._band_widths(2) == (32, 32)
    assert dedup._band_widths(7) == (10, 9, 9, 9, 9, 9, 9)
