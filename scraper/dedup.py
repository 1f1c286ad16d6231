"""Exact and near-duplicate fingerprints of article text.

Two fingerprints are computed for every stored text:

- ``content_hash``: hex SHA-256 of :func:`normalize_text`. Equal hashes mean the same text
  up to Unicode compatibility forms (full-width/half-width), letter case and whitespace.
- ``simhash64``: a 64-bit SimHash over character shingles of the normalised text with
  punctuation and whitespace removed. Working on characters rather than words makes it
  language-independent: Chinese and Japanese have no spaces, Korean spaces vary, and
  punctuation differs between syndicated copies of the same story. Shingles of short
  paragraphs weigh less, so leftover site chrome (breadcrumbs, share bars, copyright
  lines) barely moves the hash. Two texts whose simhashes differ in at most
  :data:`NEAR_DUPLICATE_DISTANCE` bits are near duplicates.

Candidates are found without comparing against every stored article: the 64 bits are cut
into ``NEAR_DUPLICATE_DISTANCE + 1`` bands (:func:`simhash_bands`); by pigeonhole, two
hashes within the threshold agree exactly on at least one band, so an index on
``(band, value)`` finds every candidate, and :func:`hamming` confirms it.

The threshold was chosen on a labelled pair set in six languages (``tests/dedup``,
``benchmarks/dedup.py``); ``docs/notifications.md`` gives the measured precision and
recall. Everything here is pure and deterministic across processes and machines (no use of
Python's salted ``hash``), since fingerprints are stored and compared across runs.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import partial

__all__ = [
    "FULL_WEIGHT_CHARS",
    "MIN_SIMHASH_CHARS",
    "NEAR_DUPLICATE_DISTANCE",
    "SHINGLE_SIZE",
    "content_hash",
    "from_signed64",
    "hamming",
    "is_near_duplicate",
    "normalize_text",
    "simhash64",
    "simhash_bands",
    "to_signed64",
]

#: Largest Hamming distance between two simhashes that still counts as a near duplicate.
#: Measured on the labelled set in ``tests/dedup`` (see ``benchmarks/dedup.py``).
NEAR_DUPLICATE_DISTANCE = 6

#: Characters per shingle (after punctuation and whitespace are removed).
SHINGLE_SIZE = 4

#: Texts with fewer letters/digits than this get no simhash: too short to judge.
MIN_SIMHASH_CHARS = 40

#: Paragraphs at least this long (letters and digits, CJK/kana/hangul counted double)
#: weigh fully in the simhash; shorter ones less (see ``_paragraph_weight``).
FULL_WEIGHT_CHARS = 120

_MASK64 = (1 << 64) - 1
_WHITESPACE = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Scripts whose characters carry about a syllable or a word: CJK, kana, hangul.
_WIDE = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]+"
)
# Everything that is not a letter, digit or mark of a letter: punctuation, symbols,
# whitespace, the underscore. CJK ideographs, kana and hangul are word characters.
_NOT_WORD = re.compile(r"[\W_]+")
_digest8 = partial(hashlib.blake2b, digest_size=8)


def normalize_text(text: str) -> str:
    """The canonical form that ``content_hash`` hashes.

    Unicode NFKC (full-width Latin letters and digits become ASCII, half-width katakana
    become full-width, the ideographic space becomes a space, compatibility ligatures and
    circled numbers are unfolded), then case-folded (a change of letter case alone is not
    a new version of an article), then every run of whitespace (paragraph breaks
    included) collapsed to one space, trimmed. Punctuation is kept: a changed quote mark
    is a real, if minor, edit, and near-duplicate detection ignores it anyway.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WHITESPACE.sub(" ", folded).strip()


def content_hash(text: str) -> str:
    """Hex SHA-256 of :func:`normalize_text` (UTF-8)."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def simhash64(text: str) -> int | None:
    """Unsigned 64-bit SimHash of ``text``, or None when it has fewer than
    :data:`MIN_SIMHASH_CHARS` letters and digits.

    Features are the distinct shingles of :data:`SHINGLE_SIZE` consecutive letters/digits
    within each paragraph of the normalised text (punctuation and whitespace removed, so
    "Seoul, Korea" and "Seoul  Korea." agree), each hashed with BLAKE2b to 8 bytes. Bit
    ``i`` of the result is set when the weighted majority of the feature hashes has bit
    ``i`` set.

    Short paragraphs weigh less (:func:`_paragraph_weight`): site chrome that survives
    extraction (breadcrumbs, share bars, copyright lines) comes as short blocks, and a
    syndicated copy differs from the original mostly there.
    """
    normalized = unicodedata.normalize("NFKC", text).casefold()
    blocks = [b for b in (_NOT_WORD.sub("", p) for p in _PARAGRAPH_BREAK.split(normalized)) if b]
    if sum(map(len, blocks)) < MIN_SIMHASH_CHARS:
        return None
    groups: dict[int, set[bytes]] = {}
    for block in blocks:
        groups.setdefault(_paragraph_weight(block), set()).update(_shingles(block))
    if set(groups) == {0}:  # only short blocks: weigh them all alike
        groups = {1: groups[0]}
    totals = [0] * 64
    seen: set[bytes] = set()
    for weight in sorted(groups, reverse=True):  # a shingle counts once, at its top weight
        if weight == 0:
            break
        shingles = groups[weight] - seen
        seen |= shingles
        digests = b"".join([_digest8(s).digest() for s in shingles])
        for bit, ones in enumerate(_bit_counts(digests)):
            totals[bit] += weight * (2 * ones - len(shingles))
    return sum(1 << bit for bit, total in enumerate(totals) if total > 0)


def _paragraph_weight(block: str) -> int:
    """Integer weight 0..16 of a paragraph's shingles: 16 from :data:`FULL_WEIGHT_CHARS`
    on, falling with the square of the length below (a 40-letter line weighs 1/9 of a
    real paragraph). Ideographs, kana and hangul count double: they carry more than one
    Latin letter each."""
    size = len(block) + sum(map(len, _WIDE.findall(block)))
    ratio = min(1.0, size / FULL_WEIGHT_CHARS)
    return round(16 * ratio * ratio)


def _shingles(block: str) -> set[bytes]:
    # UTF-32 gives every character 4 bytes, so a shingle is a plain byte slice.
    data = block.encode("utf-32-le")
    width = 4 * SHINGLE_SIZE
    if len(data) <= width:
        return {data}
    return {data[i : i + width] for i in range(0, len(data) - width + 4, 4)}


def _bit_counts(digests: bytes) -> list[int]:
    """For each bit ``8*k + b``, how many of the 8-byte digests concatenated in
    ``digests`` have bit ``b`` of byte ``k`` set. Each byte column becomes one big
    integer; masking and ``int.bit_count`` then count in C, 64 times per call rather than
    64 times per digest."""
    n = len(digests) // 8
    masks = [int.from_bytes(bytes((1 << b,)) * n, "little") for b in range(8)]
    counts = [0] * 64
    for k in range(8):
        column = int.from_bytes(digests[k::8], "little")
        for b, mask in enumerate(masks):
            counts[8 * k + b] = (column & mask).bit_count()
    return counts


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit hashes (signed or unsigned form)."""
    return ((a ^ b) & _MASK64).bit_count()


def is_near_duplicate(a: int | None, b: int | None) -> bool:
    """True when both simhashes exist and are within :data:`NEAR_DUPLICATE_DISTANCE`."""
    return a is not None and b is not None and hamming(a, b) <= NEAR_DUPLICATE_DISTANCE


def _band_widths(bands: int) -> tuple[int, ...]:
    base, extra = divmod(64, bands)
    return tuple(base + 1 if i < extra else base for i in range(bands))


_BAND_WIDTHS = _band_widths(NEAR_DUPLICATE_DISTANCE + 1)


def simhash_bands(h: int) -> tuple[int, ...]:
    """The 64 bits cut into ``NEAR_DUPLICATE_DISTANCE + 1`` consecutive bands, lowest bits
    first. Two hashes within the threshold share at least one band value at the same band
    index. Each value fits a signed 32-bit integer (a 32-bit band is returned in two's
    complement), so it can be stored in an ``INTEGER`` column."""
    h &= _MASK64
    values = []
    shift = 0
    for width in _BAND_WIDTHS:
        value = (h >> shift) & ((1 << width) - 1)
        if width == 32 and value >= 1 << 31:
            value -= 1 << 32
        values.append(value)
        shift += width
    return tuple(values)


def to_signed64(h: int) -> int:
    """The unsigned 64-bit ``h`` as a signed BIGINT (two's complement)."""
    h &= _MASK64
    return h - (1 << 64) if h >= 1 << 63 else h


def from_signed64(v: int) -> int:
    """The signed BIGINT ``v`` back as an unsigned 64-bit integer."""
    return v & _MASK64
