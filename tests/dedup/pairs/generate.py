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
import os
import random
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from tests.dedup.pairs.notices import TEMPLATES, notices

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

READ_MORE = {
    "zh": "阅读全文", "ja": "続きを読む", "ko": "기사 전문 보기", "ru": "Читать далее",
    "mn": "Цааш унших", "en": "Read more",
}  # fmt: skip
SOURCE_LINE = {
    "zh": "来源：东北亚通讯社", "ja": "出典：北東アジア通信", "ko": "출처: 동북아통신",
    "ru": "Источник: Северо-Восточная Азия сегодня", "mn": "Эх сурвалж: Зүүн хойд Ази мэдээ",
    "en": "Source: Northeast Asia Newswire",
}  # fmt: skip


def _rng(*parts: str) -> random.Random:
    return random.Random(zlib.crc32("/".join(parts).encode()))


def half_of(*parts: str) -> int:
    """0 (training) or 1 (held out), fixed by the names of what a pair is made of."""
    return zlib.crc32("/".join(parts).encode()) % 2


def sentences_of(text: str) -> list[str]:
    return [s for p in paragraphs(text) for s in _SENTENCE_END.split(p) if s.strip()]


def with_headline(text: str, language: str) -> str:
    """A reposting site's own headline (the first sentence, shortened) and source line."""
    first = sentences_of(text)[0]
    headline = first[:40] if _is_cjk(first) else " ".join(first.split()[:8])
    return f"{headline}\n\n{SOURCE_LINE.get(language, SOURCE_LINE['en'])}\n\n{text}"


def reflow(text: str, rng: random.Random) -> str:
    """Paragraph breaks moved: every paragraph split after a random sentence, and some
    neighbours joined again; lines wrapped at other widths."""
    pieces: list[str] = []
    for para in paragraphs(text):
        parts = [s for s in _SENTENCE_END.split(para) if s]
        cut = rng.randint(1, max(1, len(parts) - 1))
        joiner = "" if _is_cjk(para) else " "
        pieces += [joiner.join(parts[:cut]), joiner.join(parts[cut:])]
    return rewrap("\n\n".join(p for p in pieces if p), rng)


def widen_digits(text: str) -> str:
    """Digits and Latin letters as full-width forms (a CJK site's habit)."""
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in text)


def excerpt(text: str, language: str, share: float = 0.6) -> str:
    """The first ``share`` of the text, cut at a sentence end, then "Read more"."""
    sentences = sentences_of(text)
    total = sum(len(s) for s in sentences)
    kept: list[str] = []
    for sentence in sentences:
        kept.append(sentence)
        if sum(len(s) for s in kept) >= share * total:
            break
    joiner = "" if _is_cjk(text) else " "
    return f"{joiner.join(kept)}\n\n{READ_MORE.get(language, READ_MORE['en'])}"


def one_sentence_edit(text: str, replacement: str, rng: random.Random) -> str:
    return change_sentence(text, replacement, rng)


@dataclass(frozen=True)
class Source:
    """An article text to derive pairs from, with its half and a sentence from another
    article of the same language (for one-sentence edits)."""

    language: str
    name: str
    topic: str
    text: str
    other_sentence: str
    chrome: tuple[tuple[str, str], tuple[str, str]]


def positives(src: Source) -> Iterator[Pair]:
    lang, rng = src.language, _rng(src.language, src.name)
    mine, theirs = src.chrome
    text = src.text
    copies = [
        ("copy-chrome", with_chrome(text, mine), with_chrome(with_headline(text, lang), theirs)),
        ("copy-reflow", text, reflow(text, rng)),
        ("copy-width", text, widen_digits(text)),
        ("copy-punctuation", text, repunctuate(text, rng)),
        (
            "copy-all",
            with_chrome(text, mine),
            with_chrome(
                with_headline(widen_digits(repunctuate(reflow(text, rng), rng)), lang), theirs
            ),
        ),
        ("edit", text, one_sentence_edit(text, src.other_sentence, rng)),
        (
            "edit",
            with_chrome(text, mine),
            with_chrome(one_sentence_edit(reflow(text, rng), src.other_sentence, rng), theirs),
        ),
        ("excerpt", text, excerpt(text, lang)),
        ("excerpt", with_chrome(text, mine), with_chrome(excerpt(text, lang, 0.5), theirs)),
        ("excerpt", text, reflow(excerpt(text, lang, 0.7), rng)),
    ]
    for kind, a, b in copies:
        yield Pair(lang, kind, True, a, b, note=src.name)


def corpus_sources(corpus: Corpus) -> list[Source]:
    sites = list(corpus.chrome)
    items = list(corpus.articles.items())
    out = []
    for n, (aid, (topic, text)) in enumerate(items):
        other = sentences_of(items[(n + 1) % len(items)][1][1])
        chrome = (corpus.chrome[sites[n % 2]], corpus.chrome[sites[(n + 1) % 2]])
        sentence = other[len(other) // 2]
        out.append(Source(corpus.language, aid, topic, text, sentence, chrome))
    return out


def corpus_pairs(corpus: Corpus) -> Iterator[tuple[int, Pair]]:
    lang = corpus.language
    sources = corpus_sources(corpus)
    for src in sources:
        for pair in positives(src):
            yield half_of(lang, src.name), pair
    for a, b in itertools.combinations(sources, 2):
        half = half_of(lang, a.name, b.name)
        kind = "same-topic" if a.topic == b.topic else "same-site"
        chrome = a.chrome[0]
        yield half, Pair(lang, kind, False, with_chrome(a.text, chrome),
                         with_chrome(b.text, chrome), f"{a.name}|{b.name}")  # fmt: skip
        yield half, Pair(lang, "shared-boilerplate", False, append_paragraph(a.text, corpus.about),
                         append_paragraph(b.text, corpus.about), f"{a.name}|{b.name}")  # fmt: skip
    for n, notice in enumerate(corpus.short):
        copy = repunctuate(widen(notice) if n % 2 else notice, _rng(lang, notice))
        yield half_of(lang, notice), Pair(lang, "notice-copy", True, notice, copy, f"short-{n}")
    for (i, x), (j, y) in itertools.combinations(enumerate(corpus.short), 2):
        yield half_of(lang, x, y), Pair(lang, "notice", False, x, y, f"short-{i}|short-{j}")


def notice_pairs(language: str) -> Iterator[tuple[int, Pair]]:
    """Template notices filled with other facts (distinct), and copies of each filled
    notice with other punctuation and width (near duplicates). Notices made from even
    base fillings go to the training half, odd ones are held out."""
    for t, template in enumerate(TEMPLATES.get(language, ())):
        for base, note, a, b in notices(template):
            half = base % 2
            yield half, Pair(language, "notice", False, a, b, f"template{t}/{note}")
            if note.endswith("/all"):
                copy = repunctuate(widen_digits(a), _rng(language, note, str(t)))
                yield half, Pair(language, "notice-copy", True, a, copy, f"template{t}/{note}")


def real_texts() -> list[str]:
    """Real English news articles: the article bodies of the extraction benchmark's
    development split (``shared/benchmarks/extraction``), when it is there."""
    path = _shared_dir() / "benchmarks" / "extraction" / "dev" / "ground-truth.json"
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    bodies = [data[key]["articleBody"] for key in sorted(data)]
    return [b for b in bodies if 600 <= len(b) <= 20000 and len(paragraphs(b)) >= 3]


def _shared_dir() -> Path:
    configured = os.environ.get("NEA_SHARED_DIR")
    return Path(configured) if configured else HERE.parents[3] / "shared"


def real_pairs(texts: list[str]) -> Iterator[tuple[int, Pair]]:
    en = load("en")
    chrome = (en.chrome["newswire"], en.chrome["portal"])
    by_half: dict[int, list[Source]] = {0: [], 1: []}
    for n, text in enumerate(texts):
        other = sentences_of(texts[(n + 1) % len(texts)])
        src = Source("en-real", f"real-{n}", f"real-{n}", text, other[len(other) // 2], chrome)
        by_half[n % 2].append(src)
    for half, sources in by_half.items():
        for src in sources:
            for pair in positives(src):
                yield half, pair
        for a, b in itertools.combinations(sources, 2):
            yield half, Pair("en-real", "real-distinct", False, a.text, b.text,
                             f"{a.name}|{b.name}")  # fmt: skip


def build_halves(
    languages: tuple[str, ...] = LANGUAGES, *, real: bool = True
) -> tuple[list[Pair], list[Pair]]:
    """The labelled pairs as (training half, held-out half)."""
    halves: tuple[list[Pair], list[Pair]] = ([], [])
    for language in languages:
        for half, pair in itertools.chain(corpus_pairs(load(language)), notice_pairs(language)):
            halves[half].append(pair)
    if real:
        for half, pair in real_pairs(real_texts()):
            halves[half].append(pair)
    return halves


def build_pairs(languages: tuple[str, ...] = LANGUAGES, *, real: bool = True) -> list[Pair]:
    train, test = build_halves(languages, real=real)
    return train + test


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
