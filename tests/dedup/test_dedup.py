"""Unit behaviour of scraper.dedup."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.dedup import (
    KEY_BANDS,
    MIN_FINGERPRINT_CHARS,
    content_hash,
    fingerprint,
    fold,
    from_signed64,
    hamming,
    matching_bands,
    normalize_text,
    simhash64,
    simhash_pair_keys,
    to_signed64,
)
from scraper.dedup_verify import compare, prepare, shares_key

ARTICLE = (
    "第十四届中国—东北亚博览会于8月23日在长春开幕，来自32个国家和地区的1800余家企业参展。\n\n"
    "本届博览会首次设立跨境电商专区，吉林省中小企业可以在线对接韩国、日本采购商。"
)
U64 = st.integers(min_value=0, max_value=2**64 - 1)
# simhash (unsigned), first and last index key of ARTICLE: changing them needs a migration.
STABLE = (0xA85937223BD056FC, 1379773478, 1626706470)


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


# fold, simhash64, index keys ------------------------------------------------------------

REFLOWED = ARTICLE.replace("\n\n", "").replace("，", "，\n\n", 2).replace("23", "２３")


def test_fold_drops_punctuation_whitespace_width_and_case() -> None:
    assert fold("Seoul, KOREA.\n\n２０２５ —  ok") == "seoulkorea2025ok"


def test_fold_keeps_exactly_the_word_characters_but_underscore() -> None:
    # fold filters by str.isalnum: the same characters as the regular expression
    # [^\W_] (letters, digits, CJK, kana, hangul), over every code point; what the stored
    # keys were computed with (migration 0009) must not change.
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert fold(every) == re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", every).casefold())


def test_fold_of_text_within_the_basic_plane_takes_the_same_characters() -> None:
    # Text without astral characters folds by a table of the plane: the same choice.
    def in_plane(c: int) -> bool:  # a few compatibility ideographs fold to astral ones
        folded = unicodedata.normalize("NFKC", chr(c)).casefold()
        return not 0xD800 <= c < 0xE000 and max(map(ord, folded)) < 0x10000

    plane = "".join(chr(c) for c in range(0x10000) if in_plane(c))
    normalized = unicodedata.normalize("NFKC", plane).casefold()
    assert max(map(ord, normalized)) < 0x10000  # the table path, not the general one
    assert fold(plane) == re.sub(r"[\W_]+", "", normalized)
    assert fold("Seoul, KOREA_2025.") == "seoulkorea2025"


def test_fingerprint_does_not_depend_on_paragraph_breaks() -> None:
    """The old paragraph-weighted simhash moved by 10 bits when only the breaks moved."""
    assert simhash64(REFLOWED) == simhash64(ARTICLE)
    assert fingerprint(REFLOWED).keys == fingerprint(ARTICLE).keys


def test_fingerprint_is_stable_across_processes_and_versions() -> None:
    """Stored keys are compared with new ones: any change to the algorithm must be
    deliberate (and comes with a migration that recomputes them)."""
    found = fingerprint(ARTICLE)
    assert found.simhash is not None
    assert (from_signed64(found.simhash), found.keys[0], found.keys[-1]) == STABLE


def test_simhash_none_for_short_text() -> None:
    assert simhash64("") is None
    assert simhash64("a" * (MIN_FINGERPRINT_CHARS - 1) + " ... !!!") is None
    assert simhash64("a" * MIN_FINGERPRINT_CHARS) is not None


def test_short_texts_still_get_the_folded_text_key() -> None:
    """A short notice and its copy with other punctuation and width meet in the index."""
    a, b = fingerprint("Office closed on 3 October."), fingerprint("OFFICE closed on ３ October!")
    assert a.simhash is None
    assert len(a.keys) == KEY_BANDS
    assert a.keys[-1] == b.keys[-1]
    assert fingerprint("").keys == ()


def test_keys_are_signed_32_bit() -> None:
    keys = fingerprint(ARTICLE * 3).keys
    assert all(-(2**31) <= k < 2**31 for k in keys)


def test_whole_text_keys_meet_the_lede_keys_of_a_longer_text() -> None:
    assert matching_bands(0) == (0, 24)
    assert matching_bands(30) == (6, 30)
    assert matching_bands(KEY_BANDS - 1) == (KEY_BANDS - 1,)


@given(st.text(max_size=400))
def test_fingerprint_never_fails(text: str) -> None:
    found = fingerprint(text)
    assert found.simhash is None or -(2**63) <= found.simhash < 2**63
    assert len(found.keys) in (0, KEY_BANDS)


# verification ------------------------------------------------------------------------

LONG = (
    "Ministers from China, Mongolia, the Republic of Korea and Russia met in Ulaanbaatar on "
    "14 September for the annual Consultative Commission of the Greater Tumen Initiative.\n\n"
    "The ministers reviewed progress in four priority areas: transport, trade facilitation, "
    "energy and tourism. They welcomed the completion of a feasibility study on the Tumen "
    "River multimodal transport corridor and asked the secretariat to prepare an investment "
    "plan for the border crossings that have the heaviest traffic.\n\n"
    "A new agreement on the mutual recognition of authorised economic operators is expected "
    "to shorten customs clearance for trucks moving goods between Mongolia and the Chinese "
    "provinces of Jilin and Inner Mongolia."
)


def test_a_copy_with_chrome_and_reflowed_paragraphs_is_linked() -> None:
    copy = "Home > News\n\n" + LONG.replace("\n\n", " ").replace(". ", ".\n\n", 3) + "\n\nShare"
    a, b = prepare(LONG), prepare(copy)
    assert shares_key(a, b)
    result = compare(a, b)
    assert result.linked, result.decision()
    assert result.facts == ()


def test_an_excerpt_is_linked_both_ways() -> None:
    excerpt = LONG[: int(len(LONG) * 0.6)].rsplit(".", 1)[0] + ".\n\nRead more"
    a, b = prepare(LONG), prepare(excerpt)
    assert shares_key(a, b)
    assert shares_key(b, a)
    assert compare(a, b).linked
    assert compare(b, a).linked


def test_a_shared_paragraph_is_not_a_repost() -> None:
    other = "Officials met in Busan to discuss a ferry route.\n\n" + LONG.split("\n\n")[2]
    assert not compare(prepare(LONG), prepare(other)).linked


def test_same_template_different_facts_are_distinct() -> None:
    notice = "The {}th working meeting of the {} was held in {} on {}. Representatives of "
    notice += "member governments reviewed joint projects and agreed on the next agenda."
    a = notice.format(11, "Committee on Environment", "Pohang", "12 May 2025")
    b = notice.format(25, "Committee on Tourism", "Toyama", "3 June 2025")
    result = compare(prepare(a), prepare(b))
    assert not result.linked
    assert ("the11", "the25") in result.facts  # facts are shown folded
    copy = compare(prepare(a), prepare(a.replace(".", "。").upper()))
    assert copy.linked


def test_a_changed_number_in_a_long_article_is_an_edit_not_a_new_story() -> None:
    edited = LONG.replace("14 September", "15 September")
    result = compare(prepare(LONG), prepare(edited))
    assert result.facts == (("4", "5"),)  # the differing characters, folded
    assert result.linked


def test_the_explanation_says_why() -> None:
    linked, reason = compare(prepare(LONG), prepare("Unrelated text " * 20)).decision()
    assert not linked
    assert "shared" in reason  # no shared index key, or too little shared


# hamming, pair keys, signed form ---------------------------------------------------------


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
def test_pair_keys_for_migrations_are_the_pairs_of_8_bit_blocks(h: int) -> None:
    keys = simhash_pair_keys(h)
    assert len(keys) == 28
    assert keys[0] == ((h & 0xFF) << 8) | ((h >> 8) & 0xFF)


def test_a_text_found_whole_in_another_aligns_as_through_the_anchors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The substring path gives the comparison the anchors give (a copy with a headline
    and a source line, and an excerpt that stands whole inside its original)."""
    from scraper import dedup_verify

    copy = "Seoul wire, 3 June\n\n" + REFLOWED + "\n\nSource: wire"
    excerpt = ARTICLE[: len(ARTICLE) * 3 // 5]
    pairs = [(ARTICLE, copy), (copy, ARTICLE), (excerpt, ARTICLE)]
    fast = [compare(prepare(a), prepare(b)) for a, b in pairs]
    assert all(dedup_verify._contained(prepare(a), prepare(b)) for a, b in pairs)
    monkeypatch.setattr(dedup_verify, "_contained", lambda _a, _b: None)
    assert fast == [compare(prepare(a), prepare(b)) for a, b in pairs]
    assert fast[0].linked
    assert fast[1].linked


def test_a_text_contained_twice_is_still_aligned() -> None:
    """No shingle of it occurs once in the longer text (no anchor): the substring search
    still finds it whole."""
    page = ARTICLE + "\n\n" + ARTICLE
    comparison = compare(prepare(ARTICLE), prepare(page))
    assert comparison.aligned == prepare(ARTICLE).size
    assert comparison.facts == ()
