"""Fingerprints of article text: the exact hash, and the keys that find near-duplicate
candidates.

- ``content_hash``: hex SHA-256 of :func:`normalize_text`. Equal hashes mean the same text
  up to Unicode compatibility forms (full-width/half-width), letter case and whitespace.
- Shingles: every run of :data:`SHINGLE_SIZE` characters of :func:`fold` (NFKC, case
  folded, every character that is not a letter or digit removed: punctuation, symbols,
  whitespace and so paragraph breaks). Characters rather than words make them work for
  Chinese and Japanese (no spaces), Korean (variable spacing) and spaced scripts alike;
  folding makes them blind to another site's punctuation, character width and line breaks.
- ``lsh_keys``: MinHash LSH over the shingle set. :data:`BANDS` bands of :data:`ROWS`
  minimum hashes each; a band's key is a 32-bit hash of its rows. Two texts whose shingle
  sets have Jaccard resemblance *s* share at least one key with probability
  ``1 - (1 - s**ROWS)**BANDS``: 0.79 at s = 0.5, 0.96 at 0.6, 0.000013 at 0.027 (the median
  resemblance of two unrelated English news articles in 5-character shingles). Keys are
  candidates only: :mod:`scraper.dedup_verify` decides on the texts themselves.
- ``simhash64``: a 64-bit SimHash over the same shingle hashes, stored in
  ``articles.simhash`` for downstream readers; the store no longer decides on it.

Nothing here depends on where paragraphs break, and no constant was chosen by looking at
how a data set comes out: the hash constants are derived from their names with SHA-256
(:func:`_constant`). Everything is deterministic across processes and machines (no use of
Python's salted ``hash``, explicit little-endian layouts, integer sums), since keys are
stored and compared across runs. Changing anything here changes every stored key: it
needs a migration that recomputes them (as ``alembic/versions/0009_minhash_keys.py`` does).
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
    "BANDS",
    "KEY_BANDS",
    "MIN_FINGERPRINT_CHARS",
    "ROWS",
    "SHINGLE_SIZE",
    "Fingerprint",
    "content_hash",
    "fingerprint",
    "fold",
    "from_signed64",
    "hamming",
    "lsh_keys",
    "matching_bands",
    "normalize_text",
    "shingle_hashes",
    "shingle_sequence",
    "simhash64",
    "simhash_pair_keys",
    "to_signed64",
]

#: Characters per shingle, after folding. Five characters are a word or two in spaced
#: scripts and two or three words in Chinese or Japanese; unrelated English articles share
#: about 3 % of their 5-shingles (8 % at the 99th percentile), so LSH keys stay selective.
SHINGLE_SIZE = 5

#: Texts with fewer folded letters and digits than this get no simhash.
MIN_FINGERPRINT_CHARS = 40

#: LSH bands and minimum hashes per band (128 hashes in all); see the module docstring.
BANDS = 24
ROWS = 4

_MASK64 = (1 << 64) - 1
_WHITESPACE = re.compile(r"\s+")


def _constant(name: str) -> int:
    """A 64-bit constant derived from its name (nothing up the sleeve)."""
    return int.from_bytes(hashlib.sha256(f"nea-dedup/{name}".encode()).digest()[:8], "little")


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


def fold(text: str) -> str:
    """NFKC, case-folded, with everything but letters and digits removed: what shingles
    are taken from. "Seoul, Korea" and "SEOUL\\n\\nKorea." fold alike."""
    # Kept: what str.isalnum accepts, i.e. what the regular expression [^\W_] matches
    # (tests/dedup/test_dedup.py checks every code point); faster than re.sub.
    # CJK ideographs, kana and hangul are kept; punctuation, symbols, whitespace go.
    if not unicodedata.is_normalized("NFKC", text):
        text = _narrowed(text)
    normalized = unicodedata.normalize("NFKC", text).casefold()
    points = np.frombuffer(normalized.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    if len(points) and int(points.max()) < 0x10000:
        # The same choice by table for the Basic Multilingual Plane, in a few numpy
        # passes instead of a call per character (several times faster on an article).
        kept = points[_bmp_alnum()[points]]
        return bytes(kept.tobytes()).decode("utf-32-le", "surrogatepass")
    return "".join(filter(str.isalnum, normalized))


def _narrowed(text: str) -> str:
    """``text`` with the full-width forms of ASCII (U+FF01..U+FF5E) and the ideographic
    space replaced by what NFKC makes of them (their compatibility decompositions, one
    starter each), so NFKC of the result is NFKC of ``text``. Chinese and Japanese text
    with full-width punctuation then passes NFKC's quick check and is not renormalized
    character by character (about half the cost of folding it)."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").copy()
    wide = (points >= 0xFF01) & (points <= 0xFF5E)
    points[wide] -= 0xFEE0
    points[points == 0x3000] = 0x20
    return bytes(points.tobytes()).decode("utf-32-le", "surrogatepass")


@cache
def _bmp_alnum() -> NDArray[np.bool_]:
    """str.isalnum of every code point of the Basic Multilingual Plane, by code point."""
    return np.fromiter((chr(c).isalnum() for c in range(0x10000)), dtype=bool, count=0x10000)


def shingle_hashes(folded: str) -> NDArray[np.uint64]:
    """Sorted distinct :func:`shingle_sequence`."""
    return np.unique(shingle_sequence(folded))


def shingle_sequence(folded: str) -> NDArray[np.uint64]:
    """The 64-bit hashes of the :data:`SHINGLE_SIZE`-character shingles of ``folded``,
    in text order (a text shorter than that is one shingle). Five code points (21 bits
    each) go into two words, which the MurmurHash3 finaliser mixes into one hash."""
    points = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    chars = points.astype(np.uint64)
    if len(chars) == 0:
        return np.empty(0, dtype=np.uint64)
    if len(chars) < SHINGLE_SIZE:
        chars = np.append(chars, np.full(SHINGLE_SIZE - len(chars), 0x110000, dtype=np.uint64))
    n = len(chars) - SHINGLE_SIZE + 1
    c = [chars[k : k + n] for k in range(SHINGLE_SIZE)]
    high = c[0] | (c[1] << np.uint64(21)) | (c[2] << np.uint64(42))
    low = c[3] | (c[4] << np.uint64(21))
    return _fmix64(_fmix64(high ^ np.uint64(_SEED_SHINGLE)) ^ low)


def _fmix64(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """MurmurHash3's 64-bit finaliser, elementwise (a bijection that mixes every input
    bit into every output bit; uint64 arithmetic wraps)."""
    shift = np.uint64(33)
    x = x ^ (x >> shift)
    x = x * np.uint64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> shift)
    x = x * np.uint64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> shift)


_SEED_SHINGLE = _constant("shingle")


@cache
def _permutations() -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
    """Multipliers (odd) and addends of the BANDS * ROWS hash functions ``a*x + b``
    (mod 2**64) over the already mixed shingle hashes."""
    count = BANDS * ROWS
    a = np.array([_constant(f"minhash-a/{i}") | 1 for i in range(count)], dtype=np.uint64)
    b = np.array([_constant(f"minhash-b/{i}") for i in range(count)], dtype=np.uint64)
    return a[:, None], b[:, None]


def minhash(sequence: NDArray[np.uint64]) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
    """The BANDS * ROWS minimum hashes of a non-empty shingle sequence, and those of its
    first half (the lede), computed together in chunks so that memory stays bounded."""
    a, b = _permutations()
    top = np.iinfo(np.uint64).max
    whole = np.full(BANDS * ROWS, top, dtype=np.uint64)
    lede = np.full(BANDS * ROWS, top, dtype=np.uint64)
    half = max(1, len(sequence) // 2)
    for start in range(0, len(sequence), 2048):
        chunk = sequence[start : start + 2048]
        values = a * chunk + b
        np.minimum(whole, values.min(axis=1), out=whole)
        if start < half:
            np.minimum(lede, values[:, : half - start].min(axis=1), out=lede)
    return whole, lede


def lsh_keys(folded: str, sequence: NDArray[np.uint64]) -> tuple[int, ...]:
    """The index keys of a folded text and its shingle sequence, one signed 32-bit value
    per band (:data:`KEY_BANDS` of them): bands ``0 .. BANDS-1`` over the whole text,
    ``BANDS .. 2*BANDS-1`` over its first half (an excerpt repost is a leading part of
    its original, and its whole resembles the original's first half far more than the
    original's whole), and band ``2*BANDS`` the hash of the folded text itself (texts
    equal up to punctuation, width and spacing, however short). () for an empty text."""
    if len(sequence) == 0:
        return ()
    whole, lede = minhash(sequence)
    rows = np.concatenate([whole, lede]).reshape(2 * BANDS, ROWS)
    key = np.full(2 * BANDS, _SEED_BAND, dtype=np.uint64)
    for r in range(ROWS):
        key = _fmix64(key ^ rows[:, r])
    same = int.from_bytes(hashlib.sha256(folded.encode()).digest()[:4], "little")
    unsigned = [*(key >> np.uint64(32)).tolist(), same]
    return tuple(v - (1 << 32) if v >= 1 << 31 else v for v in unsigned)


#: Keys per text: LSH bands over the whole text and its first half, and the folded text.
KEY_BANDS = 2 * BANDS + 1


@cache  # called for every key of every lookup
def matching_bands(band: int) -> tuple[int, ...]:
    """The stored bands a probe key of ``band`` is looked up in: the same band over the
    whole text and over the first half (whole against lede finds excerpts both ways);
    the folded-text key only against itself."""
    if band == 2 * BANDS:
        return (band,)
    base = band % BANDS
    return base, base + BANDS


_SEED_BAND = _constant("band")


def simhash64(text: str) -> int | None:
    """Unsigned 64-bit SimHash of the text's shingle set (every shingle weighs the same),
    or None when it folds to fewer than :data:`MIN_FINGERPRINT_CHARS` characters."""
    folded = fold(text)
    if len(folded) < MIN_FINGERPRINT_CHARS:
        return None
    return _simhash(shingle_hashes(folded))


def _simhash(hashes: NDArray[np.uint64]) -> int:
    bits = np.unpackbits(hashes.astype("<u8").view(np.uint8), bitorder="little").reshape(-1, 64)
    ones = bits.sum(axis=0, dtype=np.int64)
    majority = 2 * ones > len(hashes)
    return int(np.packbits(majority, bitorder="little").view("<u8")[0])


class Fingerprint:
    """What the store keeps of a text for near-duplicate search: the signed simhash
    (``articles.simhash``, None for texts too short to judge) and the index keys
    (``simhash_bands``, empty for an empty text)."""

    __slots__ = ("keys", "simhash")

    def __init__(self, simhash: int | None, keys: tuple[int, ...]) -> None:
        self.simhash = simhash
        self.keys = keys


def fingerprint(text: str) -> Fingerprint:
    folded = fold(text)
    sequence = shingle_sequence(folded)
    keys = lsh_keys(folded, sequence)
    if len(folded) < MIN_FINGERPRINT_CHARS:
        return Fingerprint(None, keys)
    return Fingerprint(to_signed64(_simhash(np.unique(sequence))), keys)


def simhash_pair_keys(h: int) -> tuple[int, ...]:
    """The index keys of migrations 0005 to 0009 (kept for those migrations and 0009's
    downgrade): for each pair (i, j) of the 8-bit blocks of a simhash, lowest first,
    ``block_i << 8 | block_j``; 28 keys of 16 bits."""
    h &= _MASK64
    blocks = [(h >> (8 * n)) & 0xFF for n in range(8)]
    return tuple((blocks[i] << 8) | blocks[j] for i, j in combinations(range(8), 2))


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit hashes (signed or unsigned form)."""
    return ((a ^ b) & _MASK64).bit_count()


def to_signed64(h: int) -> int:
    """The unsigned 64-bit ``h`` as a signed BIGINT (two's complement)."""
    h &= _MASK64
    return h - (1 << 64) if h >= 1 << 63 else h


def from_signed64(v: int) -> int:
    """The signed BIGINT ``v`` back as an unsigned 64-bit integer."""
    return v & _MASK64
