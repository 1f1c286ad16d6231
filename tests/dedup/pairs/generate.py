"""The labelled near-duplicate pair set, generated deterministically from hand-written
articles in six languages (``<lang>.txt`` next to this file).

Each language file holds six news articles (three topics, two independently written
articles per topic), a standard "about the organisation" paragraph, the chrome of two
sites (header and footer lines that survive extraction), replacement sentences, and six
short notices, two by two nearly identical in wording but different in meaning.

Near duplicates (label True) are the same article as another site or a later fetch would
show it: with another site's chrome, between two syndicating sites' chromes, with one
sentence changed, with other punctuation, in full-width characters, re-wrapped, with a
paragraph appended or the last one cut, and a combination of these; and short notices
with other punctuation. Distinct pairs (label False) are different articles of the same
site and template (the hard negatives, including same-topic articles), different
articles ending in the same boilerplate paragraph, and different short notices.

Run ``python -m tests.dedup.pairs.generate [out.jsonl]`` to write the pairs as JSON lines.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGUAGES = ("zh", "ja", "ko", "ru", "mn", "en")
CJK = frozenset({"zh", "ja"})


@dataclass(frozen=True)
class Pair:
    language: str
    kind: str
    label: bool  # True: near duplicate
    a: str
    b: str
    note: str = ""


@dataclass
class Corpus:
    language: str
    articles: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (topic, text)
    about: str = ""
    chrome: dict[str, tuple[str, str]] = field(default_factory=dict)  # site -> (head, foot)
    sentences: list[str] = field(default_factory=list)
    short: list[str] = field(default_factory=list)


@cache
def load(language: str) -> Corpus:
    corpus = Corpus(language)
    blocks: list[tuple[list[str], list[str]]] = []
    for line in (HERE / f"{language}.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("@"):
            blocks.append((line[1:].split(), []))
        elif blocks:
            blocks[-1][1].append(line)
    heads: dict[str, str] = {}
    for header, lines in blocks:
        body = "\n".join(lines).strip()
        kind, args = header[0], header[1:]
        if kind == "article":
            corpus.articles[args[0]] = (args[1], body)
        elif kind == "about":
            corpus.about = body
        elif kind == "chrome":
            heads[args[0]] = body
        elif kind == "footer":
            corpus.chrome[args[0]] = (heads[args[0]], body)
        elif kind == "sentences":
            corpus.sentences = [s for s in lines if s.strip()]
        elif kind == "short":
            corpus.short = [s for s in lines if s.strip()]
    return corpus


# Transformations ------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[。！？.!?])\s*")


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def with_chrome(text: str, chrome: tuple[str, str]) -> str:
    # Extracted text puts every block on its own paragraph: so does surviving chrome.
    head, foot = ("\n\n".join(part.splitlines()) for part in chrome)
    return f"{head}\n\n{text}\n\n{foot}"


def change_sentence(text: str, replacement: str, rng: random.Random) -> str:
    paras = paragraphs(text)
    index = rng.randrange(len(paras))
    sentences = [s for s in _SENTENCE_END.split(paras[index]) if s]
    sentences[rng.randrange(len(sentences))] = replacement
    joiner = "" if _is_cjk(replacement) else " "
    paras[index] = joiner.join(sentences)
    return "\n\n".join(paras)


def _is_cjk(text: str) -> bool:
    return any("\u3040" <= ch <= "\u9fff" for ch in text)


_TO_ASCII = str.maketrans(
    {"。": ". ", "，": ", ", "、": ", ", "：": ": ", "；": "; ", "“": '"', "”": '"', "「": '"'}
    | {"」": '"', "（": "(", "）": ")", "！": "!", "？": "?", "—": "-", "«": '"', "»": '"'}
)
_TO_WIDE_PUNCT = str.maketrans({",": "，", ".": "。", ":": "：", "(": "（", ")": "）", '"': "”"})


def repunctuate(text: str, rng: random.Random) -> str:
    """Another site's punctuation habits: CJK marks as ASCII (or the reverse for
    spaced scripts), quotes and dashes changed, a few commas dropped."""
    if _is_cjk(text):
        out = text.translate(_TO_ASCII)
    else:
        out = text.translate(_TO_WIDE_PUNCT).replace(" - ", " — ")
    chars = list(out)
    commas = [i for i, ch in enumerate(chars) if ch in ",，、"]
    for i in rng.sample(commas, k=len(commas) // 3):
        chars[i] = ""
    return "".join(chars)


def widen(text: str) -> str:
    """ASCII letters and digits as full-width forms, spaces as ideographic spaces."""
    return "".join(
        chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else "\u3000" if ch == " " else ch for ch in text
    )


def rewrap(text: str, rng: random.Random) -> str:
    """Paragraphs joined or split, lines broken at other places, doubled spaces."""
    paras = paragraphs(text)
    out: list[str] = []
    for para in paras:
        if out and rng.random() < 0.4:
            out[-1] += " " + para
        else:
            out.append(para)
    wrapped = []
    for para in out:
        width = rng.randint(25, 60)
        wrapped.append("\n".join(para[i : i + width] for i in range(0, len(para), width)))
    return "\n\n\n".join(wrapped).replace(" ", "  ", 3)


def append_paragraph(text: str, paragraph: str) -> str:
    return f"{text}\n\n{paragraph}"


def cut_last_paragraph(text: str) -> str:
    return "\n\n".join(paragraphs(text)[:-1])


# The pair set -------------------------------------------------------------------------


def _rng(*parts: str) -> random.Random:
    return random.Random(zlib.crc32("/".join(parts).encode()))


def near_duplicates(corpus: Corpus) -> Iterator[Pair]:
    lang = corpus.language
    sites = list(corpus.chrome)
    for n, (aid, (_topic, text)) in enumerate(corpus.articles.items()):
        rng = _rng(lang, aid)
        site, other = sites[n % 2], sites[(n + 1) % 2]
        sentence = corpus.sentences[n % len(corpus.sentences)]
        variants: list[tuple[str, str, str]] = [
            ("chrome", text, with_chrome(text, corpus.chrome[site])),
            (
                "chrome-both",
                with_chrome(text, corpus.chrome[site]),
                with_chrome(text, corpus.chrome[other]),
            ),
            ("sentence", text, change_sentence(text, sentence, rng)),
            ("punctuation", text, repunctuate(text, rng)),
            ("full-width", text, widen(text)),
            ("whitespace", text, rewrap(text, rng)),
            ("appended", text, append_paragraph(text, corpus.about)),
            ("truncated", text, cut_last_paragraph(text)),
            (
                "combined",
                with_chrome(text, corpus.chrome[site]),
                with_chrome(
                    repunctuate(change_sentence(text, sentence, rng), rng), corpus.chrome[other]
                ),
            ),
        ]
        for kind, a, b in variants:
            yield Pair(lang, kind, True, a, b, note=aid)
    for n, notice in enumerate(corpus.short):
        yield Pair(
            lang,
            "short-punctuation",
            True,
            notice,
            repunctuate(widen(notice) if n % 2 else notice, _rng(lang, notice)),
            note=f"short-{n}",
        )


def distinct(corpus: Corpus) -> Iterator[Pair]:
    lang = corpus.language
    sites = list(corpus.chrome)
    items = list(corpus.articles.items())
    for n, ((aid, (atopic, a)), (bid, (btopic, b))) in enumerate(itertools.combinations(items, 2)):
        chrome = corpus.chrome[sites[n % 2]]
        kind = "same-topic" if atopic == btopic else "same-site"
        yield Pair(
            lang, kind, False, with_chrome(a, chrome), with_chrome(b, chrome), f"{aid}|{bid}"
        )
        yield Pair(
            lang,
            "shared-boilerplate",
            False,
            append_paragraph(a, corpus.about),
            append_paragraph(b, corpus.about),
            f"{aid}|{bid}",
        )
    for (i, a), (j, b) in itertools.combinations(enumerate(corpus.short), 2):
        yield Pair(lang, "short", False, a, b, note=f"short-{i}|short-{j}")


def build_pairs(languages: tuple[str, ...] = LANGUAGES) -> list[Pair]:
    pairs: list[Pair] = []
    for language in languages:
        corpus = load(language)
        pairs.extend(near_duplicates(corpus))
        pairs.extend(distinct(corpus))
    return pairs


def main(argv: list[str]) -> int:
    pairs = build_pairs()
    out = open(argv[1], "w", encoding="utf-8") if len(argv) > 1 else sys.stdout  # noqa: SIM115
    try:
        for pair in pairs:
            out.write(json.dumps(asdict(pair), ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
