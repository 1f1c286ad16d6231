"""Invalid configurations: every problem is reported, each as ``path:line: message`` with
the line of the offending key (or of the item, for a missing key)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from scraper.config import load_config, parse_config
from scraper.errors import ConfigError

PATH = "conf/sources.yaml"
PROBLEM = re.compile(r"(?P<path>.+?):(?P<line>\d+): (?P<message>.+)")


def problems_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(ConfigError) as info:
        parse_config(text, PATH)
    parsed = []
    for problem in info.value.problems:
        match = PROBLEM.fullmatch(problem)
        assert match, problem
        assert match["path"] == PATH
        parsed.append((int(match["line"]), match["message"]))
    assert str(info.value) == "\n".join(info.value.problems)
    return parsed


def line_of(text: str, needle: str) -> int:
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}"
    return hits[0]


def assert_single(text: str, needle: str, *fragments: str) -> str:
    """Exactly one problem, on the line holding ``needle``, mentioning each fragment."""
    problems = problems_of(text)
    assert len(problems) == 1, problems
    line, message = problems[0]
    assert line == line_of(text, needle), problems
    for fragment in fragments:
        assert fragment in message, message
    return message


def source(extra: str) -> str:
    """One otherwise valid source with ``extra`` lines added to it."""
    body = textwrap.indent(textwrap.dedent(extra).strip("\n"), "    ")
    return f"sources:\n  - name: near-news\n    url: https://example.org/news\n{body}\n"


def channel(body: str) -> str:
    items = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    return (
        "notifications:\n  - "
        + items.lstrip()
        + "\nsources:\n  - name: near-news\n    url: https://example.org\n"
    )


# --- many problems at once ---------------------------------------------------------------------

MANY = """\
defaults:
  intervl: 30m
  per_host_concurrency: 0
notifications:
  - type: webhook
    secret_env: NEA_SECRET
  - type: jsonl
    path: events.jsonl
    evnts: [article.new]
sources:
  - name: near-news
    url: ftp://example.org/news
    interval: 10x
    follow: ["/news/view", "(unclosed"]
    link_selector: "div["
  - name: near-news
    url: https://example.org/other
    kind: rss
  - name: Gangwon News
    url: https://gangwon.example
    encoding: klingon
  - url: https://nameless.example
"""


def test_every_problem_in_the_file_is_reported_with_its_line() -> None:
    problems = problems_of(MANY)
    expected = [
        ("intervl:", "unknown key 'intervl' (did you mean 'interval'?)"),
        ("per_host_concurrency: 0", "per_host_concurrency"),
        ("- type: webhook", "missing required key 'url'"),
        ("evnts:", "did you mean 'events'?"),
        ("ftp://", "scheme must be http or https"),
        ("10x", "invalid duration '10x'"),
        ("(unclosed", "follow[1]: invalid regular expression"),
        ('"div["', "invalid CSS selector 'div['"),
        ("url: https://example.org/other", "duplicate source name 'near-news'"),
        ("kind: rss", "'auto', 'listing', 'feed', 'sitemap' or 'page'"),
        ("Gangwon News", "invalid name 'Gangwon News'"),
        ("klingon", "unknown encoding 'klingon'"),
        ("nameless", "missing required key 'name'"),
    ]
    # The duplicate name is reported on the line of the second `name:` key.
    lines = MANY.splitlines()
    second_name = [n for n, text in enumerate(lines, 1) if text == "  - name: near-news"][1]
    assert len(problems) == len(expected), problems
    for (needle, fragment), (line, message) in zip(expected, problems, strict=True):
        want = second_name if "duplicate" in fragment else line_of(MANY, needle)
        assert line == want, (needle, line, message)
        assert fragment in message, message


def test_problems_name_the_source_and_key() -> None:
    problems = dict(problems_of(MANY))
    assert problems[line_of(MANY, "kind: rss")].startswith("source 'near-news': kind: ")
    assert problems[line_of(MANY, "(unclosed")].startswith("source 'near-news': follow[1]: ")
    assert problems[line_of(MANY, "nameless")].startswith("sources[3]: ")
    assert problems[line_of(MANY, "intervl")].startswith("defaults: ")


def test_load_config_reports_the_path_as_given(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("sources:\n  - name: x\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [f"{path}:2: source 'x': missing required key 'url'"]


# --- YAML itself -----------------------------------------------------------------------------


def test_yaml_syntax_error_has_its_line() -> None:
    text = "sources:\n  - name: a\n    url: https://a.example\n   bad: [unclosed\n"
    (line, message), *_ = problems_of(text)
    assert line in (4, 5)
    assert message.startswith("YAML syntax error")


def test_unquoted_cron_gets_a_hint() -> None:
    text = source("interval: cron: 0 */2 * * *")
    message = assert_single(text, "interval:", "YAML syntax error", "quote values")
    assert "cron" in message


def test_tab_indentation_is_a_syntax_error() -> None:
    (line, message), *_ = problems_of("sources:\n\t- name: a\n")
    assert line == 2
    assert "YAML syntax error" in message


def test_duplicate_yaml_key() -> None:
    text = source("interval: 1h\ninterval: 2h")
    lines = text.splitlines()
    second = [n for n, t in enumerate(lines, 1) if "interval" in t][1]
    problems = problems_of(text)
    assert problems == [(second, f"duplicate key 'interval' (first defined on line {second - 1})")]


def test_several_documents_are_rejected() -> None:
    (line, message), *_ = problems_of("sources: []\n---\nsources: []\n")
    assert line == 2
    assert "single document" in message


def test_top_level_must_be_a_mapping() -> None:
    assert problems_of("- name: a\n  url: https://a.example\n") == [
        (1, "the file must be a mapping with the keys defaults, notifications and sources")
    ]


def test_sources_must_be_a_list() -> None:
    text = "sources:\n  name: a\n  url: https://a.example\n"
    assert problems_of(text) == [(1, "sources: input should be a valid list")]


def test_source_item_must_be_a_mapping() -> None:
    text = "sources:\n  - https://a.example\n"
    assert problems_of(text) == [(2, "sources[0]: expected a mapping of keys")]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_bytes("sources:\n  - name: a\n    tags: [한국]\n".encode("euc-kr"))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [f"{path}:3: the file is not valid UTF-8 text"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.yaml")
    assert info.value.problems == [
        f"{tmp_path / 'nope.yaml'}:1: cannot read the file: No such file or directory"
    ]


# --- unknown keys ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needle", "fragment"),
    [
        ("source:\n  - name: a\n", "source:", "unknown key 'source' (did you mean 'sources'?)"),
        ("defaults:\n  timout: 5s\n", "timout", "unknown key 'timout' (did you mean 'timeout'?)"),
        (
            "defaults:\n  follow: [x]\n",
            "follow",
            "unknown key 'follow' ('follow' can only be set per source)",
        ),
        (source("enabeld: true"), "enabeld", "(did you mean 'enabled'?)"),
        (source("frobnicate: 1"), "frobnicate", "unknown key 'frobnicate'"),
        (
            channel("type: webhook\nurl: https://h.example\npath: x.jsonl"),
            "path: x.jsonl",
            "unknown key 'path' ('path' is only used by jsonl channels)",
        ),
        (
            channel("type: webhook\nurl: https://h.example\nsecret: hunter2"),
            "secret:",
            "name an environment variable with secret_env",
        ),
        (
            channel("type: jsonl\npath: x.jsonl\ntemplate: '{title}'"),
            "template:",
            "only used by apprise channels",
        ),
    ],
)
def test_unknown_keys(text: str, needle: str, fragment: str) -> None:
    assert_single(text, needle, fragment)


def test_unknown_key_without_close_match_has_no_suggestion() -> None:
    message = assert_single(source("zzz: 1"), "zzz", "unknown key 'zzz'")
    assert "did you mean" not in message


# --- sources -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ("interval: 10x", "invalid duration '10x'"),
        ("interval: 0", "greater than zero"),
        ("interval: 0s", "greater than zero"),
        ("interval: -5", "≥ 0"),
        ("interval: true", "not a boolean"),
        ("interval: 1:30", "invalid duration '1:30'"),
        ("interval: [1h]", "expected a duration"),
        ('interval: "cron: 61 * * * *"', "invalid cron expression '61 * * * *'"),
        ('interval: "cron: 0 * * *"', "5 fields"),
        ('interval: "cron: 0 0 * * 9"', "invalid cron weekday '9'"),
        ("interval:\n  cron: 0 0 32 * *", "invalid cron expression"),
        ("timeout: 0", "greater than zero"),
        ("timeout: 2h", "at most 3600s"),
        ("per_host_delay: -1s", "invalid duration '-1s'"),
        ("per_host_delay: 2d", "at most 3600s"),
        ("per_host_concurrency: 0", "greater than or equal to 1 (got 0)"),
        ("per_host_concurrency: 65", "less than or equal to 64 (got 65)"),
        ("per_host_concurrency: '2'", "valid integer (got '2')"),
        ("per_host_concurrency: 2.5", "valid integer"),
        ("max_new_articles_per_run: 0", "greater than or equal to 1"),
        ("max_page_bytes: 5XB", "invalid size '5XB'"),
        ("max_page_bytes: 0", "between 1 byte and 1GB"),
        ("max_page_bytes: 2GB", "between 1 byte and 1GB"),
        ("recheck: [1h, 30m]", "must be increasing"),
        ("recheck: 1h", "valid list"),
        ("respect_robots: 'yes'", "valid boolean (got 'yes')"),
        ("enabled: 1", "valid boolean"),
        ("user_agent: ''", "non-empty printable text"),
        ('user_agent: "bot\\nX-Evil: 1"', "printable text on one line"),
        ("kind: rss", "'auto', 'listing', 'feed', 'sitemap' or 'page' (got 'rss')"),
        ("language: korean", "invalid language 'korean'"),
        ("language: KO", "ISO 639-1"),
        ("encoding: klingon", "unknown encoding 'klingon'"),
        ("encoding: base64", "'base64' is not a text encoding"),
        ("link_selector: 'div['", "invalid CSS selector 'div['"),
        ("content_selector: 'p:contains(x)'", "invalid CSS selector"),
        ("content_selector: '  '", "may not be empty"),
        ("tags: [ok, 'two words']", "invalid tag 'two words'"),
        ("tags: [1]", "tags[0]: input should be a valid string"),
        ("tags: secretariat", "valid list"),
    ],
)
def test_bad_source_values(extra: str, fragment: str) -> None:
    key = extra.split(":", 1)[0]
    assert_single(source(extra), f"{key}:", fragment)


@pytest.mark.parametrize("key", ["follow", "ignore", "ignore_text"])
def test_bad_regex_is_reported_on_the_item_line(key: str) -> None:
    text = source(f"{key}:\n  - ok\n  - '[a-'\n  - fine")
    assert_single(text, "[a-", f"{key}[1]: invalid regular expression '[a-'")


def test_bad_remove_selector_is_reported_on_the_item_line() -> None:
    text = source("remove_selectors:\n  - .share\n  - 'a >> b'")
    assert_single(text, "a >> b", "remove_selectors[1]: invalid CSS selector 'a >> b'")


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("ftp://example.org/", "scheme must be http or https"),
        ("example.org/news", "scheme must be http or https"),
        ("https:///news", "no host"),
        ("https://user:pw@example.org/", "credentials"),
        ("https://example.org/a b", "spaces"),
        ("https://example.org:99999/", "Port out of range"),
    ],
)
def test_bad_urls(url: str, fragment: str) -> None:
    text = f"sources:\n  - name: a\n    url: '{url}'\n"
    assert_single(text, "url:", "source 'a': url: invalid URL", fragment)


@pytest.mark.parametrize("name", ["Near", "near_news", "near news", "near.news", "한국", ""])
def test_bad_names(name: str) -> None:
    text = f"sources:\n  - name: '{name}'\n    url: https://a.example\n"
    assert_single(text, "name:", f"invalid name {name!r}")


def test_missing_keys_are_reported_on_the_item_line() -> None:
    text = "sources:\n  - kind: feed\n    interval: 1h\n"
    problems = problems_of(text)
    assert problems == [
        (2, "sources[0]: missing required key 'name'"),
        (2, "sources[0]: missing required key 'url'"),
    ]


def test_duplicate_source_names() -> None:
    text = (
        "sources:\n  - name: a\n    url: https://a.example\n"
        "  - url: https://b.example\n    name: a\n"
    )
    assert problems_of(text) == [(5, "duplicate source name 'a' (first used on line 2)")]


# --- notifications -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "needle", "fragment"),
    [
        ("type: smtp", "type: smtp", "unknown notification type 'smtp'"),
        ("url: https://h.example", "url: https://h", "missing required key 'type'"),
        ("type: webhook", "type: webhook", "missing required key 'url'"),
        ("type: apprise", "type: apprise", "missing required key 'url'"),
        ("type: jsonl", "type: jsonl", "missing required key 'path'"),
        ("type: webhook\nurl: ftp://h.example", "url: ftp", "scheme must be http or https"),
        ("type: apprise\nurl: not a url", "url: not", "invalid Apprise URL"),
        ("type: jsonl\npath: ''", "path:", "may not be empty"),
        ("type: postgres\nevents: [article.new, article.delete]", "events:", "events[1]"),
        ("type: postgres\nevents: []", "events:", "at least 1 item"),
        ("type: postgres\ntimeout: 0", "timeout:", "greater than zero"),
        ("type: postgres\nmax_attempts: 0", "max_attempts:", "greater than or equal to 1"),
        ("type: apprise\nurl: ntfy://x\ndigest: soon", "digest:", "invalid duration 'soon'"),
        ("type: apprise\nurl: ntfy://x\ntemplate: '{title'", "template:", "invalid template"),
        ("type: postgres\nname: Bad_Name", "name: Bad", "invalid name 'Bad_Name'"),
        ("type: postgres\nsources: [near-newz]", "[near-newz]", "did you mean 'near-news'?"),
    ],
)
def test_bad_notifications(body: str, needle: str, fragment: str) -> None:
    assert_single(channel(body), needle, fragment)


@pytest.mark.parametrize(
    "secret",
    [
        "3f9a0c7e1b2d4f6a8c0e2b4d6f8a0c1e",  # hex key
        "sk_live_51HxYzAbCdEfGhIjKlMnOp",  # looks like a name, but mixed case and digits
        "hunter2 is my password",
        "lowercase_is_not_a_name",
        "Xk29fLq8Zp0aB7cD9eF1gH2iJ3",
    ],
)
def test_literal_secret_is_refused_and_never_echoed(secret: str) -> None:
    text = channel(f"type: webhook\nurl: https://h.example\nsecret_env: '{secret}'")
    message = assert_single(text, "secret_env:", "NAME of an environment variable")
    assert secret not in message


def test_duplicate_channel_names_including_default_names() -> None:
    text = (
        "notifications:\n"
        "  - type: jsonl\n    path: a.jsonl\n"
        "  - type: jsonl\n    name: jsonl-0\n    path: b.jsonl\n"
    )
    assert problems_of(text) == [
        (
            5,
            "duplicate notification name 'jsonl-0' (first used on line 2); "
            "give each channel a unique name",
        )
    ]


def test_notification_problems_are_all_reported() -> None:
    text = textwrap.dedent(
        """\
        notifications:
          - type: webhook
            url: https://h.example
            secret_env: 0123456789abcdef0123
            events: [article.newest]
          - type: carrier-pigeon
          - type: jsonl
            path: e.jsonl
            max_attempts: 1000
        """
    )
    lines = [line for line, _ in problems_of(text)]
    assert lines == [4, 5, 6, 9]


# --- article identity keys (keep_params, drop_params, max_links_per_page) ---------------------


def test_a_parameter_name_with_a_separator_is_refused_on_its_line() -> None:
    text = source("""
        drop_params:
          - pageNo
          - "srchBgUid=-1"
    """)
    assert_single(text, "srchBgUid=-1", "drop_params[1]", "invalid query parameter name")


def test_keep_params_and_drop_params_together_are_refused() -> None:
    text = source("""
        keep_params: [bod_uid]
        drop_params: [pageNo]
    """)
    assert_single(text, "drop_params:", "source 'near-news'", "not both")


def test_max_links_per_page_is_bounded_in_defaults_and_sources() -> None:
    text = "defaults:\n  max_links_per_page: 0\n" + source("max_links_per_page: 1000000")
    problems = problems_of(text)
    assert [line for line, _ in problems] == [
        line_of(text, "max_links_per_page: 0"),
        line_of(text, "max_links_per_page: 1000000"),
    ]
    assert "greater than or equal to 1" in problems[0][1]
    assert "less than or equal to 100000" in problems[1][1]


def test_identity_keys_reach_the_source() -> None:
    config = parse_config(
        "defaults:\n  max_links_per_page: 300\n"
        + source("""
            drop_params: [pageNo, srchBgUid]
        """)
        + "  - name: tcs\n    url: https://tcs-asia.org/\n    keep_params: [idx, code]\n"
        + "    max_links_per_page: 50\n"
    )
    near, tcs = config.sources
    assert near.drop_params == ("pageNo", "srchBgUid")
    assert near.keep_params == ()
    assert near.max_links_per_page == 300
    assert tcs.keep_params == ("idx", "code")
    assert tcs.max_links_per_page == 50
    assert parse_config(source("")).sources[0].max_links_per_page == 1000
