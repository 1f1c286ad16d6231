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
# kana, Hangul, full-width punctuation), in halves: such a character counts 2.5.
WIDE_EXTRA_HALVES = 3


def reading_length(text: str) -> int:
    """``len(text)`` with every CJK character counted as 2.5 Latin ones.

    Counted in C: the UTF-8 size minus twice the length plus the ASCII count is the number
    of three-byte characters (two-byte ones, Cyrillic or accented Latin, cancel out), so
    no per-character work happens in Python. Typographic quotes and dashes are three-byte
    too; a few per paragraph do not matter.
    """
    size = len(text)
    if text.isascii():
        return size
    utf8 = len(text.encode("utf-8", "surrogatepass"))
    wide = utf8 - 2 * size + len(text.encode("ascii", "ignore"))
    return size + (wide * WIDE_EXTRA_HALVES) // 2
