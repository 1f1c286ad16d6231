"""``topics:`` in sources.yaml: validated like the rest (every problem as ``path:line``),
converted to ``Topic`` values, and named by channels; and the matching itself
(scraper/topics.py): case- and width-insensitive, no word boundaries."""

from __future__ import annotations

import textwrap

from scraper.config import parse_config
from scraper.config.types import Topic
from scraper.topics import TopicMatcher, normalize
from tests.config.test_problems import PATH, line_of, problems_of

VALID = textwrap.dedent("""\
    sources:
      - name: near-news
        url: https://example.org/news
    topics:
      - name: tumen
        terms: ["Tumen", "图们江", "두만강", "豆満江", "Туманная"]
      - name: expo-2025
        terms: [博览会]
    notifications:
      - type: jsonl
        path: all.jsonl
      - type: jsonl
        name: tumen-desk
        path: tumen.jsonl
        topics: [tumen]
    """)


TUMEN = ("Tumen", "图们江", "두만강", "豆満江", "Туманная")


def test_topics_are_read_with_their_lines_and_channels_name_them() -> None:
    config = parse_config(VALID, PATH)
    assert config.topics == (
        Topic("tumen", TUMEN, line_of(VALID, "  - name: tumen")),
        Topic("expo-2025", ("博览会",), line_of(VALID, "expo-2025")),
    )
    assert [c.topics for c in config.channels] == [(), ("tumen",)]
    assert parse_config("sources: []\n", PATH).topics == ()


def test_every_topic_problem_is_reported_on_its_line() -> None:
    text = textwrap.dedent("""\
        topics:
          - name: Tumen Area
            terms: [tumen]
          - name: empty
            terms: []
          - name: blank
            terms: ["tumen", "   "]
          - name: blank
            terms: [tumen]
          - name: numbers
            terms: [1989]
          - terms: [x]
          - name: wrong-key
            term: [x]
        notifications:
          - type: jsonl
            path: e.jsonl
            topics: [empty, numbres, nowhere]
        """)
    problems = problems_of(text)
    expected = [
        ("Tumen Area", "topic 'Tumen Area': name: invalid name 'Tumen Area'"),
        ("terms: []", "topic 'empty': terms: list should have at least 1 item"),
        ('"   "', "topic 'blank': terms[1]: a topic term may not be empty"),
        ("1989", "topic 'numbers': terms[0]: input should be a valid string"),
        ("terms: [x]", "topics[5]: missing required key 'name'"),
        ("term: [x]", "topic 'wrong-key': unknown key 'term' (did you mean 'terms'?)"),
    ]
    lines = [n for n, _ in problems]
    assert lines == sorted(lines)
    for needle, start in expected:
        line = line_of(text, needle)
        assert any(n == line and m.startswith(start) for n, m in problems), (needle, problems)
    duplicate = [line for line, m in problems if m.startswith("duplicate topic name 'blank'")]
    assert duplicate == [8]
    channel = [m for line, m in problems if line == line_of(text, "numbres")]
    assert channel == [
        "notification 'jsonl-0': topics[1]: unknown topic 'numbres' (did you mean 'numbers'?)",
        "notification 'jsonl-0': topics[2]: unknown topic 'nowhere'",
    ]


def test_a_channel_topic_without_any_topics_says_where_to_define_it() -> None:
    text = "notifications:\n  - type: jsonl\n    path: e.jsonl\n    topics: [tumen]\n"
    assert problems_of(text) == [
        (4, "notification 'jsonl-0': topics[0]: unknown topic 'tumen' "
            "(define it under the top-level `topics:`)"),
    ]  # fmt: skip


def test_normalize_folds_case_width_and_compatibility_forms() -> None:
    assert normalize("ＴＵＭＥＮ") == normalize("Tumen") == "tumen"
    assert normalize("ｶﾀｶﾅ") == normalize("カタカナ")
    assert normalize("STRASSE") == normalize("Straße")
    assert normalize("Туманная") == "туманная"
    assert normalize("㈱ ①") == "(株) 1"
    assert normalize(" a \n\n b\t") == "a b"
    assert normalize("a\x00b\ue000c") == "abc"
    assert (
        normalize("图们\u200b江 Tu\xadmen") == "图们江 tumen"
    )  # invisible characters inside words


def test_matching_needs_no_word_boundaries_and_lists_topics_in_order() -> None:
    matcher = TopicMatcher(parse_config(VALID, PATH).topics)
    assert matcher.match("", "中国图们江地区合作") == ["tumen"]
    assert matcher.match("두만강하구에서", "") == ["tumen"]
    assert matcher.match("東北", "豆満江流域と博览会") == ["tumen", "expo-2025"]
    assert matcher.match("ＴＵＭＥＮＲＩＶＥＲ", "") == ["tumen"]
    assert matcher.match("река ТУМАННАЯ", "") == ["tumen"]
    assert matcher.match("Tume", "n") == []  # not across the title and the text
    assert matcher.match("图们", "江") == []
    assert TopicMatcher(()).match("Tumen", "Tumen") == []
