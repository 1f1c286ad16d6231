"""How much reading a text holds, whatever its script: one place for length thresholds.

A Han, kana or Hangul character carries about what two or three Latin letters do, and
Chinese and Japanese put no spaces between words; Cyrillic, Greek and accented Latin
letters carry what a Latin letter does. Thresholds that measure an amount of text ("a
paragraph of prose", "a large block") compare ``reading_length``, not ``len``: with
``len`` a Chinese page's 80-character paragraph (a full paragraph) reads like an English
caption, and its short article like a notice.
"""

from __future__ import annotations

# Extra weight of a character outside the two-byte UTF-8 range (U+0800 and above: Han,
# kana, Hangul, full-width punctuation), in halves: such a character counts 2.5. The
# typographic characters of Western text (curly quotes, dashes, bullets, €, ™) are
# three-byte too but count 1.
WIDE_EXTRA_HALVES = 3


def reading_length(text: str, limit: int | None = None) -> int:
    """``len(text)`` with every CJK character counted as 2.5 Latin ones.

    With ``limit``, a text of at least ``limit`` characters returns its length unweighed
    (already past the limit: callers compare with it or cap at it), for speed.

    Counted in C, without a loop over characters in Python: the UTF-8 size minus twice
    the length plus the ASCII count is the number of three-byte characters (two-byte
    ones, Cyrillic or accented Latin, cancel out); the same count over the characters
    that cp1252 holds is the typographic ones among them.
    """
    size = len(text)
    if text.isascii() or (limit is not None and size >= limit):
        return size
    ascii_count = len(text.encode("ascii", "ignore"))
    wide = len(text.encode("utf-8", "surrogatepass")) - 2 * size + ascii_count
    # typographic quotes, dashes, bullets, the euro and trademark signs (three bytes in
    # UTF-8, one Latin character in reading): those cp1252 holds
    latin = text.encode("cp1252", "ignore").decode("cp1252")
    typographic = len(latin.encode("utf-8")) - 2 * len(latin) + ascii_count
    return size + ((wide - typographic) * WIDE_EXTRA_HALVES) // 2
