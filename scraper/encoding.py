"""Turning response bytes into text, for pages that declare their charset in odd places,
or wrongly, or not at all.

Order of evidence (first that decodes cleanly wins)::

    override (source ``encoding:``) → byte-order mark → HTTP header charset
    → <meta charset> / http-equiv in the first KB → <?xml encoding?>
    → valid UTF-8 → charset-normalizer → UTF-8 with replacement

A declared charset is a lie when its bytes do not decode (beyond a few stray invalid
sequences in a multi-byte charset, which are replaced), or when it is a Latin label on
bytes whose statistics say otherwise: Latin text has its accented letters one at a time
between ASCII letters, while CJK and Cyrillic text come as long runs of high bytes. Then
the next piece of evidence is tried. Detection tries the CJK multi-byte charsets before
the single-byte ones (any byte string "decodes" as windows-1251; few decode cleanly as
GB18030 or EUC-KR unless they are). Labels are mapped the way browsers map them (WHATWG):
GB2312 and GBK are decoded as GB18030, EUC-KR as windows-949, Shift_JIS as windows-31J,
Big5 as Big5-HKSCS, ISO-8859-1 and ASCII as windows-1252.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_html", "looks_binary", "normalize_charset"]

_PRESCAN_BYTES = 8192
_DETECT_BYTES = 64 * 1024

# Browser label → the superset codec browsers really use for it.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ksc5601": "cp949",
    "windows-949": "cp949",
    "uhc": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "x-euc-jp": "euc_jp",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "x-cp1251": "cp1251",
    "win-1251": "cp1251",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Latin labels that servers put on anything (Apache's old default was ISO-8859-1).
_LATIN = frozenset({"cp1252", "latin_1", "iso8859_15"})
# Multi-byte charsets of the region, tried before single-byte ones when the bytes come in
# long runs. GB18030 first: it is the superset of GB2312 and GBK, the commonest of them.
_CJK = ("gb18030", "cp949", "cp932", "euc_jp", "big5hkscs")
# Share of a multi-byte decode that may be invalid sequences (replaced, not fatal): a
# page of the right charset has a few at most (a truncated paste, a stray byte), while
# the wrong charset fails on a good part of its characters.
MAX_INVALID_SHARE = 0.05
# Fewer high bytes than this say nothing about the charset: the label is believed.
MIN_EVIDENCE_BYTES = 32
_WIDE = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uff01-\uff60]")
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
BINARY_SAMPLE_CHARS = 4_096
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")

_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-zA-Z0-9_:.+\-]+)""", re.I | re.S
)
_XML_DECL = re.compile(rb"""^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([a-zA-Z0-9_.+\-]+)""", re.I)


def normalize_charset(label: str | None) -> str | None:
    """A charset label as Python's codec name, with browser supersets; None if unknown."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    key = _SUPERSETS.get(key, key)
    try:
        name = codecs.lookup(key).name
    except (LookupError, ValueError):
        return None
    return _SUPERSETS.get(name, name)


def decode_html(
    content: bytes, *, declared: str | None = None, override: str | None = None
) -> tuple[str, str]:
    """Decode an HTML or XML document; return ``(text, python codec name)``.

    ``declared`` is the HTTP ``Content-Type`` charset, ``override`` the source's
    ``encoding:`` setting (trusted unconditionally). Never raises.
    """
    forced = normalize_charset(override)
    if forced:
        return content.decode(forced, errors="replace"), forced
    for bom, bom_codec in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(bom_codec, errors="replace"), bom_codec
    if content.isascii():
        return content.decode("ascii"), _ascii_compatible(declared) or "utf-8"

    head = _COMMENT.sub(b"", content[:_PRESCAN_BYTES])
    in_document = (_meta_charset(head), _xml_charset(head))
    candidates = [normalize_charset(declared)]
    candidates += [_ascii_compatible(label) for label in in_document if label]  # no UTF-16
    runs: bool | None = None  # computed once, only when a Latin label needs checking
    for codec in candidates:
        if codec is None:
            continue
        if _single_byte(codec) and _clean_decode(content, "utf-8") is not None:
            return content.decode("utf-8", errors="replace"), "utf-8"  # UTF-8 sent as latin
        if _single_byte(codec):
            runs = _in_long_runs(content) if runs is None else runs
            if runs and (codec in _LATIN or _fitting_cjk(content[:_DETECT_BYTES])):
                # a Latin label on CJK or Cyrillic bytes (Apache's old default), or a
                # Cyrillic one on bytes that read as CJK text (a template's stale label)
                continue
        codec = _cyrillic_codec(content, codec)
        text = _clean_decode(content, codec)
        if text is None and not _single_byte(codec):
            utf8 = _clean_decode(content, "utf-8")
            if utf8 is not None:  # clean UTF-8 outweighs a multi-byte label that fails
                return utf8, "utf-8"
            text = _mostly_clean_decode(content, codec)
        if text is not None:
            return text, codec

    text = _clean_decode(content, "utf-8")
    if text is not None:
        return text, "utf-8"
    detected = _detect(content, exclude_latin=bool(runs))
    if detected:
        return content.decode(detected, errors="replace"), detected
    return content.decode("utf-8", errors="replace"), "utf-8"


def looks_binary(text: str) -> bool:
    """True for decoded bytes that are not text (images, archives, random bytes, or a
    decoder that did not fit): controls that HTML never holds, or replacement characters,
    make up more than 5% of the first few thousand characters."""
    sample = text[:BINARY_SAMPLE_CHARS]
    return len(_NOT_TEXT.findall(sample)) > len(sample) * 0.05


def _meta_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _xml_charset(head: bytes) -> str | None:
    match = _XML_DECL.match(head)
    return match.group(1).decode("ascii") if match else None


def _ascii_compatible(label: str | None) -> str | None:
    codec = normalize_charset(label)
    if codec is None or codec.startswith(("utf-16", "utf-32")):
        return None
    return codec


def _clean_decode(content: bytes, codec: str) -> str | None:
    """Decode strictly; tolerate only a multi-byte character cut off at the very end."""
    try:
        return content.decode(codec)
    except UnicodeDecodeError as exc:
        if exc.start >= len(content) - 4 and "end of data" in exc.reason:
            return content.decode(codec, errors="replace")
        if exc.start >= len(content) - 4 and codec.startswith(("gb", "big5", "cp9", "euc")):
            # legacy multi-byte decoders report a truncated tail as "incomplete" too
            try:
                return content[: exc.start].decode(codec) + "\ufffd"
            except UnicodeDecodeError:
                return None
        return None
    except LookupError:
        return None


def _mostly_clean_decode(content: bytes, codec: str) -> str | None:
    """A clean decode, or one whose invalid sequences are few enough to be replaced."""
    text = _clean_decode(content, codec)
    if text is not None or _single_byte(codec):
        return text
    try:
        text = content.decode(codec, errors="replace")
    except LookupError:
        return None
    invalid = text.count("\ufffd")
    wide = len(text) - len(text.encode("ascii", errors="ignore"))  # non-ASCII characters
    return text if invalid <= wide * MAX_INVALID_SHARE else None


def _mostly_wide(text: str | None) -> bool:
    """True when most non-ASCII characters of a decode are Han, kana, Hangul or CJK
    punctuation: a single-byte text read as Shift_JIS comes out as half-width katakana
    and symbols instead."""
    if text is None:
        return False
    wide = len(text) - len(text.encode("ascii", errors="ignore"))
    return len(_WIDE.findall(text)) * 4 >= wide * 3


def _in_long_runs(content: bytes) -> bool:
    """True when most high bytes stand in runs of three or more: CJK or Cyrillic text.
    Text in a Latin charset has its accented letters alone between ASCII letters."""
    runs = [len(run) for run in _HIGH_RUN.findall(content)]
    high = sum(runs)
    if high < MIN_EVIDENCE_BYTES:
        return False
    return sum(n for n in runs if n >= 3) * 2 > high


def _single_byte(codec: str) -> bool:
    return codec.startswith(("cp125", "koi8", "iso8859", "mac-", "cp866"))


_CYRILLIC_PAIR = {"cp1251": "koi8-r", "koi8-r": "cp1251"}
_HIGH_C0 = bytes(range(0xC0, 0xE0))  # capitals in windows-1251, small letters in KOI8-R
_HIGH_E0 = bytes(range(0xE0, 0x100))  # small letters in windows-1251, capitals in KOI8-R


def _cyrillic_codec(content: bytes, codec: str) -> str:
    """windows-1251 and KOI8-R decode each other's bytes without error, but Russian text
    read in the wrong one comes out mostly in capitals. Counted on the bytes (C speed):
    the two letter ranges swap case between the encodings."""
    other = _CYRILLIC_PAIR.get(codec)
    if other is None:
        return codec
    c0 = len(content) - len(content.translate(None, _HIGH_C0))
    e0 = len(content) - len(content.translate(None, _HIGH_E0))
    if c0 + e0 < 40:
        return codec
    capitals, small = (c0, e0) if codec == "cp1251" else (e0, c0)
    return other if capitals > 2 * small else codec


def _fitting_cjk(sample: bytes) -> list[str]:
    """The CJK codecs that decode ``sample`` (nearly) cleanly into mostly wide text."""
    return [c for c in _CJK if _mostly_wide(_mostly_clean_decode(sample, c))]


_HANGUL = re.compile("[\uac00-\ud7a3]")
_KANA = re.compile("[\u3040-\u30ff]")
# Korean text read as EUC-KR is nearly all Hangul; Chinese bytes read so come out about
# two-thirds Hangul (GB2312's commonest lead bytes are EUC-KR's Hangul ones).
KOREAN_HANGUL_SHARE = 0.85
# Japanese text is kana for a good part; Korean or Chinese read as EUC-JP has almost none.
JAPANESE_KANA_SHARE = 0.1


def _by_script(sample: bytes, fitting: list[str]) -> str:
    """Among codecs that all decode ``sample`` with a few invalid sequences, the one with
    (about) the fewest whose text is in that codec's own script: Hangul for EUC-KR, kana
    for the Japanese codecs, else the Chinese ones in ``_CJK`` order."""
    texts = {codec: sample.decode(codec, errors="replace") for codec in fitting}
    invalid = {codec: text.count("\ufffd") for codec, text in texts.items()}
    least = min(invalid.values())
    close = [c for c in fitting if invalid[c] <= least * 1.25 + 2]

    def share(pattern: re.Pattern[str], text: str) -> float:
        return len(pattern.findall(text)) / max(1, len(_WIDE.findall(text)))

    if "cp949" in close and share(_HANGUL, texts["cp949"]) >= KOREAN_HANGUL_SHARE:
        return "cp949"
    for codec in ("cp932", "euc_jp"):
        if codec in close and share(_KANA, texts[codec]) >= JAPANESE_KANA_SHARE:
            return codec
    return (
        next(c for c in close if c not in ("cp949", "cp932", "euc_jp"))
        if any(c not in ("cp949", "cp932", "euc_jp") for c in close)
        else close[0]
    )


def _detect(content: bytes, *, exclude_latin: bool = False) -> str | None:
    """The charset the bytes are in. CJK multi-byte charsets that decode the bytes (nearly)
    cleanly are preferred to single-byte ones, which decode anything; charset-normalizer
    chooses among those that do, or among all when none does."""
    from charset_normalizer import from_bytes  # lazy: only undeclared pages need it

    sample = content[:_DETECT_BYTES]
    fitting = _fitting_cjk(sample)
    if fitting and _in_long_runs(sample):
        if len(fitting) == 1:
            return fitting[0]
        best = from_bytes(sample, cp_isolation=fitting).best()
        # charset-normalizer refuses bytes with any invalid sequence: then the script
        # each codec reads decides (a few broken bytes are no reason to give up)
        return normalize_charset(best.encoding) if best is not None else _by_script(sample, fitting)
    best = from_bytes(sample).best()
    if best is None:
        return None
    codec = normalize_charset(best.encoding)
    if exclude_latin and codec in _LATIN:
        return None
    return codec
