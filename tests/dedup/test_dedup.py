"""Unit behaviour of scraper.dedup."""

from __future__ import annotations

import hashlib
import re
import unicodedata

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
    assert simhash64(ARTICLE) == 0xC4295681D0F9F2CC
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


def _reference_simhash(text: str) -> int | None:
    """simhash64 spelled out in plain Python, one shingle at a time: the numpy version must
    agree with it exactly."""
    mask = (1 << 64) - 1

    def fmix64(x: int) -> int:
        x ^= x >> 33
        x = (x * 0xFF51AFD7ED558CCD) & mask
        x ^= x >> 33
        x = (x * 0xC4CEB9FE1A85EC53) & mask
        return x ^ (x >> 33)

    def shingle_hash(shingle: str) -> int:
        c = [ord(ch) for ch in shingle] + [dedup._PAD] * (dedup.SHINGLE_SIZE - len(shingle))
        first = fmix64((c[0] | c[1] << 32) ^ dedup._SEED)
        return fmix64((first >> 5) ^ (c[2] | c[3] << 32))

    def weight(block: str) -> int:
        wide = re.findall(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff"
                          r"\uac00-\ud7af\uf900-\ufaff]", block)  # fmt: skip
        ratio = min(1.0, (len(block) + len(wide)) / dedup.FULL_WEIGHT_CHARS)
        return round(16 * ratio * ratio)

    normalized = unicodedata.normalize("NFKC", text).casefold()
    paragraphs = re.split(r"\n\s*\n", normalized)
    blocks = [b for b in (re.sub(r"[\W_]+", "", p) for p in paragraphs) if b]
    if sum(map(len, blocks)) < MIN_SIMHASH_CHARS:
        return None
    weights = [weight(b) for b in blocks]
    if not any(weights):
        weights = [1] * len(blocks)
    top: dict[str, int] = {}
    for block, w in zip(blocks, weights, strict=True):
        size = dedup.SHINGLE_SIZE
        shingles = (
            [block]
            if len(block) < size
            else [block[i : i + size] for i in range(len(block) - size + 1)]
        )
        for shingle in shingles:
            top[shingle] = max(top.get(shingle, 0), w)
    totals = [0] * 64
    for shingle, w in top.items():
        h = shingle_hash(shingle)
        for bit in range(64):
            totals[bit] += w if h >> bit & 1 else -w
    return sum(1 << bit for bit in range(64) if totals[bit] > 0)


def test_simhash_matches_a_plain_reference() -> None:
    texts = [
        ARTICLE,
        "\n\n".join([ARTICLE] * 3),
        "首页 > 新闻\n\nab\n \t\ncd\n\n" + ARTICLE,  # short blocks, one under 4 letters
        "Seoul, Korea.\n\n" * 5,  # only short blocks
        "\n\n\nEmpty paragraphs first\n\n\n\n" + "and then some text " * 5,
        "lone \ud800 surrogate and ｆｕｌｌ－ｗｉｄｔｈ, ｶﾀｶﾅ and ① " * 3,
    ]
    for text in texts:
        assert simhash64(text) == _reference_simhash(text)


@given(st.text(alphabet=st.sampled_from("ab c\n\n.한국中文ｶﾞ"), max_size=300))
def test_simhash_matches_the_reference_on_random_text(text: str) -> None:
    assert simhash64(text) == _reference_simhash(text)


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
def test_band_keys_are_the_pairs_of_8_bit_blocks(h: int) -> None:
    keys = simhash_bands(h)
    assert len(keys) == 28  # pairs of 8 blocks
    assert all(0 <= k < 2**16 for k in keys)
    assert simhash_bands(to_signed64(h)) == keys
    blocks = [(h >> (8 * n)) & 0xFF for n in range(8)]
    # The first seven keys pair block 0 with blocks 1..7: together they rebuild the hash.
    assert [k >> 8 for k in keys[:7]] == [blocks[0]] * 7
    assert [k & 0xFF for k in keys[:7]] == blocks[1:]


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


def test_hashes_one_bit_past_the_threshold_may_share_no_key() -> None:
    """The keys find candidates, they do not decide: 7 flipped bits in 7 blocks leave one
    block intact, and no pair of blocks agrees."""
    h = 0
    other = sum(1 << (8 * n) for n in range(7))
    assert not any(x == y for x, y in zip(simhash_bands(h), simhash_bands(other), strict=True))
