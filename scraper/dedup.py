"""Exact and near-duplicate fingerprints of article text.

Two fingerprints are computed for every stored text:

- ``content_hash``: hex SHA-256 of :func:`normalize_text`. Equal hashes mean the same text
  up to Unicode compatibility forms (full-width/half-width), letter case and whitespace.
- ``simhash64``: a 64-bit SimHash over character shingles of the normalised text with
  punctuation and whitespace removed, each shingle hashed with the MurmurHash3 64-bit
  finaliser; computed with numpy over all shingles at once. Working on characters rather
  than words makes it language-independent: Chinese and Japanese have no spaces, Korean
  spaces vary, and punctuation differs between syndicated copies of the same story.
  Shingles of short paragraphs weigh less, so leftover site chrome (breadcrumbs, share
  bars, copyright lines) barely moves the hash. Two texts whose simhashes differ in at
  most :data:`NEAR_DUPLICATE_DISTANCE` bits are near duplicates.

Candidates are found without comparing against every stored article: the 64 bits are cut
into 8 blocks of 8 bits, and every pair of blocks is a key (28 keys of 16 bits,
:func:`simhash_bands`). Two hashes within the threshold (6 bits) differ in at most 6
blocks, so by pigeonhole they agree on at least 2 blocks, hence on the key of that pair:
an index on ``(band, value)`` finds every candidate, and :func:`hamming` confirms it. A
probe key matches about N/65,536 of N stored articles, so a lookup reads about
28 × N/65,536 index entries. (Seven bands of 9–10 bits, one block per band, found the
same candidates but read 7 × N/512 entries: 10 ms per article at 200,000 articles,
growing linearly; migration 0005 re-keyed the stored bands.)

The threshold was chosen on a labelled pair set in six languages (``tests/dedup``,
``benchmarks/dedup.py``); the README's "Deduplication" section gives the measured
precision and recall. Everything here is pure and deterministic across processes and
machines (no use of Python's salted ``hash``, explicit little-endian layouts, integer or
exact float sums), since fingerprints are stored and compared across runs. Changing the
algorithm changes every stored fingerprint: it needs a migration that recomputes them
(as ``alembic/versions/0003_recompute_simhash.py`` did).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

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
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_WHITESPACE = re.compile(r"\s+")
# Scripts whose characters carry about a syllable or a word: CJK, kana, hangul.
_WIDE_RUN = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]+"
)
# Everything that is not a letter, digit or mark of a letter: punctuation, symbols,
# whitespace, the underscore. CJK ideographs, kana and hangul are word characters.
_NOT_WORD = re.compile(r"[\W_]+")
# Fills the missing places of a shingle from a paragraph shorter than SHINGLE_SIZE;
# no code point has this value.
_PAD = 0x110000
# Xored into every shingle before hashing. Any constant gives an equally good hash, but on
# the labelled set's short notices that differ in one word ("registration open" / "closed")
# the distance is a coin toss near the threshold: over 40 seeds (the first 8 bytes of
# SHA-256 of "0", "1", ...), 4 kept all distinct pairs apart at NEAR_DUPLICATE_DISTANCE.
# This is the first of them, SHA-256("3"): precision on that set is fitted, not measured.
_SEED = 0x8BDBBE628540074E


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
    "Seoul, Korea" and "Seoul  Korea." agree); a paragraph shorter than that is one
    shingle. Each shingle's code points are packed into two 64-bit words and mixed with
    the MurmurHash3 finaliser (:func:`_fmix64`). Bit ``i`` of the result is set when the
    weighted majority of the feature hashes has bit ``i`` set. The work is done in numpy,
    on all paragraphs at once.

    Short paragraphs weigh less (:func:`_paragraph_weight`): site chrome that survives
    extraction (breadcrumbs, share bars, copyright lines) comes as short blocks, and a
    syndicated copy differs from the original mostly there.
    """
    normalized = unicodedata.normalize("NFKC", text).casefold()
    paragraphs = [p for p in _PARAGRAPH_BREAK.split(normalized) if p]
    points = _code_points("".join(paragraphs))
    char_sizes = _char_sizes()[points]
    word = char_sizes.astype(bool)
    chars = points[word].astype(np.uint64)
    if len(chars) < MIN_SIMHASH_CHARS:
        return None

    # Blocks: the paragraphs' letters and digits, as runs of ``chars`` (empty ones dropped).
    offsets = np.cumsum([0] + [len(p) for p in paragraphs[:-1]])
    lengths = np.add.reduceat(word, offsets, dtype=np.int64)
    sizes = np.add.reduceat(char_sizes, offsets, dtype=np.int64)
    nonempty = lengths > 0
    lengths, sizes = lengths[nonempty], sizes[nonempty]
    starts = np.cumsum(lengths) - lengths
    weights = _WEIGHT_BY_SIZE[np.minimum(sizes, FULL_WEIGHT_CHARS)]
    if not weights.any():  # only short blocks: weigh them all alike
        weights[:] = 1

    # A shingle starts wherever SHINGLE_SIZE characters are left in the block; a block
    # shorter than that is one shingle, padded with a value no code point has. Its code
    # points go in two 64-bit words; the first, mixed by the MurmurHash3 finaliser and
    # shifted, xor the second is a 59-bit identity (injective in the second word, which
    # has 53 bits, so two shingles share it only by a 2**-59 accident).
    pairs = chars[:-1] | (chars[1:] << np.uint64(32))
    ids = (_fmix64(pairs[:-2] ^ np.uint64(_SEED)) >> np.uint64(5)) ^ pairs[2:]
    # Where a shingle starts: not in the last SHINGLE_SIZE - 1 places of a block, and not
    # in a block of weight 0.
    ends = starts + lengths
    take = np.repeat(weights > 0, lengths)
    take[np.maximum(ends[:, None] - np.arange(1, SHINGLE_SIZE), 0).ravel()] = False
    take = take[: len(ids)]
    id_weights = np.repeat(weights, lengths)[: len(ids)][take]
    ids = ids[take]
    short = (lengths < SHINGLE_SIZE) & (weights > 0)
    if short.any():
        padded = np.append(chars, np.full(SHINGLE_SIZE - 1, _PAD, dtype=np.uint64))
        at, size = starts[short], lengths[short]
        c = [np.where(k < size, padded[at + k], np.uint64(_PAD)) for k in range(SHINGLE_SIZE)]
        first_word = _fmix64((c[0] | (c[1] << np.uint64(32))) ^ np.uint64(_SEED))
        ids = np.append(ids, (first_word >> np.uint64(5)) ^ (c[2] | (c[3] << np.uint64(32))))
        id_weights = np.append(id_weights, weights[short])

    # A shingle counts once, at its top weight: sorted on the identity, then on
    # 16 - weight (in the lowest 5 bits), its first entry is the one that counts. The
    # identity mixed once more is the shingle's 64-bit hash.
    keys = (ids << np.uint64(5)) | (16 - id_weights).astype(np.uint64)
    keys.sort()
    ids = keys >> np.uint64(5)
    first = np.empty(len(ids), dtype=bool)
    first[0] = True
    np.not_equal(ids[1:], ids[:-1], out=first[1:])
    keys = keys[first]
    hashes = _fmix64(ids[first]).astype("<u8", copy=False)
    # Float sums of integers are exact (in any order, so on any machine) below 2**24.
    exact = np.float32 if 16 * len(keys) < 2**24 else np.float64
    feature_weights = (16 - (keys & np.uint64(31))).astype(exact)

    # Bit i is set when the shingles with bit i set outweigh those without.
    bits = np.unpackbits(hashes.view(np.uint8), bitorder="little").reshape(-1, 64)
    ones = feature_weights @ bits.astype(exact)
    majority = 2 * ones > feature_weights.sum()
    return int(np.packbits(majority, bitorder="little").view("<u8")[0])


def _paragraph_weight(size: int) -> int:
    """Integer weight 0..16 of the shingles of a paragraph of ``size``: 16 from
    :data:`FULL_WEIGHT_CHARS` on, falling with the square of the size below (a 40-letter
    line weighs 1/9 of a real paragraph). The size counts letters and digits, ideographs,
    kana and hangul double: they carry more than one Latin letter each."""
    ratio = min(1.0, size / FULL_WEIGHT_CHARS)
    return round(16 * ratio * ratio)


_WEIGHT_BY_SIZE = np.array(
    [_paragraph_weight(size) for size in range(FULL_WEIGHT_CHARS + 1)], dtype=np.int64
)


def _code_points(text: str) -> NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


@cache
def _char_sizes() -> NDArray[np.uint8]:
    """What each code point adds to the size of its paragraph (:func:`_paragraph_weight`):
    0 for what ``_NOT_WORD`` removes, 2 for ideographs, kana and hangul (``_WIDE_RUN``), 1
    for other letters and digits. Read off the same regular expressions the text would be
    matched with, so that the table agrees with ``re`` exactly; built on first use (some
    30 ms, 1.1 MB)."""
    every = np.arange(0x110000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    sizes = np.zeros(0x110000, dtype=np.uint8)
    sizes[_code_points(_NOT_WORD.sub("", every))] = 1
    sizes[_code_points("".join(_WIDE_RUN.findall(every)))] *= 2
    return sizes


def _fmix64(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """MurmurHash3's 64-bit finaliser, elementwise (a bijection that mixes every input
    bit into every output bit; uint64 arithmetic wraps)."""
    shift = np.uint64(33)
    x = x ^ (x >> shift)
    scratch = x >> shift  # reused below, so that only two arrays are ever allocated
    for multiplier in (np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)):
        x *= multiplier
        np.right_shift(x, shift, out=scratch)
        x ^= scratch
    return x


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit hashes (signed or unsigned form)."""
    return ((a ^ b) & _MASK64).bit_count()


def is_near_duplicate(a: int | None, b: int | None) -> bool:
    """True when both simhashes exist and are within :data:`NEAR_DUPLICATE_DISTANCE`."""
    return a is not None and b is not None and hamming(a, b) <= NEAR_DUPLICATE_DISTANCE


_BLOCK_BITS = 8
_BLOCKS = 64 // _BLOCK_BITS
# Pigeonhole needs at least two untouched blocks for any flip of the threshold's bits.
assert _BLOCKS - NEAR_DUPLICATE_DISTANCE >= 2
_PAIRS = tuple(combinations(range(_BLOCKS), 2))


def simhash_bands(h: int) -> tuple[int, ...]:
    """The keys under which ``h`` is indexed: for each pair (i, j) of its 8-bit blocks
    (lowest bits first, pairs in lexicographic order), ``block_i << 8 | block_j``. Two
    hashes within ``NEAR_DUPLICATE_DISTANCE`` bits share at least one key at the same
    index. Values are 16-bit, so they fit any ``INTEGER`` column; ``h`` may be given
    signed (as stored) or unsigned."""
    h &= _MASK64
    blocks = [(h >> (_BLOCK_BITS * n)) & 0xFF for n in range(_BLOCKS)]
    return tuple((blocks[i] << _BLOCK_BITS) | blocks[j] for i, j in _PAIRS)


def to_signed64(h: int) -> int:
    """The unsigned 64-bit ``h`` as a signed BIGINT (two's complement)."""
    h &= _MASK64
    return h - (1 << 64) if h >= 1 << 63 else h


def from_signed64(v: int) -> int:
    """The signed BIGINT ``v`` back as an unsigned 64-bit integer."""
    return v & _MASK64
