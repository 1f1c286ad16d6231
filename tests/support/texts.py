"""Article texts for store tests: distinct stories long enough for near-duplicate
verification (pseudo-words, so that two stories share no phrase), and the fingerprinted
``ArticleInput`` the pipeline would build from a text."""

from __future__ import annotations

import random

from scraper import dedup
from storage.repository import ArticleInput

_SYLLABLES = "ka ri to men sa lo vu ne pi da go shu ber an ol tik ya mo ze ul".split()  # noqa: SIM905


def story(n: int, words: int = 90) -> str:
    """Story ``n``: three paragraphs of pseudo-words, the same on every call."""
    rng = random.Random(n)
    made = ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(words)]
    third = words // 3
    return "\n\n".join(
        " ".join(made[i : i + third]).capitalize() + "." for i in range(0, words, third)
    )


def article(url: str, text: str, title: str = "T") -> ArticleInput:
    found = dedup.fingerprint(text)
    return ArticleInput(
        url=url, title=title, text=text, content_hash=dedup.content_hash(text),
        simhash=found.simhash, simhash_bands=found.keys,
    )  # fmt: skip
