"""Language: declared (``hint``, ``<html lang>``, meta) when the text agrees, else detected."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_CODE = re.compile(r"^\s*([A-Za-z]{2})(?:$|[-_\s])")
SAMPLE_CHARS = 2_000
LANGID_CHARS = 600  # enough for py3langid on Latin-script prose; its cost grows with length
_SCRIPTS: dict[str, re.Pattern[str]] = {
    "han": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"),
    "kana": re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]"),
    "hangul": re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"),
    "cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f]"),
}
_NON_LATIN = re.compile(
    r"[\u0400-\u04ff\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
_MONGOLIAN = re.compile(r"[өүӨҮ]")
# Which declared languages are written in which script.
_SCRIPT_OF = {"zh": "han", "ja": "han", "ko": "hangul", "ru": "cyrillic", "mn": "cyrillic"}


def normalise_code(value: str | None) -> str | None:
    """``zh-CN`` -> ``zh``, ``ko_KR`` -> ``ko``; ``None`` for anything unusable."""
    if not value:
        return None
    match = _CODE.match(value)
    return match.group(1).lower() if match else None


def script_counts(text: str) -> dict[str, int]:
    sample = text[:SAMPLE_CHARS]
    if sample.isascii() or _NON_LATIN.search(sample) is None:  # fast path: Latin text
        return {"han": 0, "kana": 0, "hangul": 0, "cyrillic": 0, "latin": len(sample)}
    return {name: len(rx.findall(sample)) for name, rx in _SCRIPTS.items()}


def detect(text: str) -> str | None:
    """Guess the language of ``text`` from its script, and py3langid for Latin script."""
    counts = script_counts(text)
    total = sum(counts.values())
    if total < 2:
        return None
    cjk = counts["han"] + counts["kana"]
    if counts["hangul"] >= max(cjk, counts["latin"], counts["cyrillic"]) and counts["hangul"]:
        return "ko"
    if cjk >= max(counts["latin"], counts["cyrillic"]) and cjk:
        return "ja" if counts["kana"] >= max(3, cjk * 0.05) else "zh"
    if counts["cyrillic"] >= counts["latin"]:
        return "mn" if _MONGOLIAN.search(text[:SAMPLE_CHARS]) else "ru"
    return _langid(text[:LANGID_CHARS])


def _langid(text: str) -> str | None:
    try:
        code = _classifier()(text)[0]
    except Exception:  # an optional model: never let it break extraction
        return None
    return normalise_code(str(code))


@lru_cache(maxsize=1)
def _classifier() -> Any:
    # The model is loaded on first use (keep it off the import path), memory-mapped.
    from scraper.extract import _langid_model

    return _langid_model.classifier()


def choose(declared: list[str | None], text: str) -> str | None:
    """The first declared language the text does not contradict; else the detected one."""
    detected: str | None = None
    counts: dict[str, int] | None = None
    for value in declared:
        code = normalise_code(value)
        if code is None:
            continue
        if counts is None:
            counts = script_counts(text)
        if _agrees(code, counts):
            return code
        if detected is None:
            detected = detect(text)
        return detected or code
    return detect(text)


def _agrees(code: str, counts: dict[str, int]) -> bool:
    total = sum(counts.values())
    if total < 20:
        return True
    expected = _SCRIPT_OF.get(code, "latin")
    share = counts[expected] + (counts["kana"] if code == "ja" else 0)
    return share >= total * 0.3
