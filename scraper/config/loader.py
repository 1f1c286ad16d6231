"""Load ``sources.yaml`` into a frozen ``Config``, or raise ``ConfigError`` listing every
problem in the file as ``path:line: message``.

Three passes over one parse: YAML (syntax and duplicate keys, with a line for every key
path), the pydantic models of ``_models.py`` (types, bounds, unknown keys, regexes,
selectors, URLs, schedules) and cross-checks that need the whole file (unique names,
channel ``sources`` that exist). Only a file without problems is converted.
"""

from __future__ import annotations

import difflib
import os
import pickle
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from scraper.config._models import (
    CHANNEL_MODELS,
    AnyChannelModel,
    AppriseModel,
    ConfigModel,
    DefaultsModel,
    FetchSettings,
    JsonlModel,
    SourceModel,
    TopicModel,
    WebhookModel,
    keys_of,
)
from scraper.config._yaml_lines import KeyPath, YamlDocument, load_yaml
from scraper.config.types import ALL_EVENT_TYPES, Channel, Config, Source, Topic
from scraper.errors import ConfigError, YamlSyntaxError

T = TypeVar("T")
Problem = tuple[int, str]

_BASE = Source(name="", url="")
_CHANNEL_BASE = Channel(name="", type="jsonl")
_SETTINGS_KEYS = frozenset(keys_of(FetchSettings))
_SOURCE_ONLY_KEYS = frozenset(keys_of(SourceModel)) - _SETTINGS_KEYS
_MAPPING_ERRORS = frozenset({"model_type", "dict_type", "model_attributes_type"})
# Parsing costs about 150 bytes of memory per byte of YAML (the line map included), and
# 10,000 sources written out take 1.5 MB: 4 MiB leaves room for big files and keeps a
# reload of a runaway file (a generator gone wrong, a log pasted in) from costing gigabytes.
MAX_CONFIG_BYTES = 4 * 1024 * 1024


def load_config(path: str | Path) -> Config:
    """Read and validate a ``sources.yaml`` file. Raises ``ConfigError``."""
    try:
        with Path(path).open("rb") as handle:
            data = read_bounded(handle)
    except OSError as exc:
        raise ConfigError([unreadable(str(path), exc)]) from None
    return parse_bytes(data, str(path))


def read_bounded(handle: BinaryIO) -> bytes:
    """The file's bytes, but never more than one past ``MAX_CONFIG_BYTES`` (enough for
    ``parse_bytes`` to refuse it), whatever the file (or a FIFO, or /dev/zero) holds."""
    return handle.read(MAX_CONFIG_BYTES + 1)


def unreadable(path: str, exc: OSError) -> str:
    return f"{path}:1: cannot read the file: {exc.strerror or exc}"


def parse_bytes(data: bytes, path: str) -> Config:
    """``parse_config`` for the raw bytes of a file (UTF-8, an optional BOM)."""
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            [f"{path}:1: the file is larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MiB"]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError([f"{path}:{line}: the file is not valid UTF-8 text"]) from None
    return parse_config(text, path)


def parse_config(text: str, path: str = "sources.yaml") -> Config:
    """Validate the text of a ``sources.yaml``; ``path`` names it in messages and anchors
    relative paths. Raises ``ConfigError`` with every problem found."""
    return _compacted(_parse(text, path))


def _compacted(config: Config) -> Config:
    """``config`` rebuilt from a copy once everything the parse made is freed.

    The parse builds several times the config's size in nodes, marks, dicts and models,
    and the strings and numbers the config keeps were allocated among them: the config
    alone then pins most of the allocator's blocks that the parse used (10,000 sources:
    50 MB kept for a config of 8 MB). Rebuilt from a pickle after the parse's objects are
    gone, it packs into a few blocks and the rest goes back to the system (30 MB less
    for the daemon's lifetime; about 0.1 s of CPU for 10,000 sources)."""
    blob = pickle.dumps(config, protocol=pickle.HIGHEST_PROTOCOL)
    del config
    copy: Config = pickle.loads(blob)  # our own bytes, made a line above
    return copy


def _parse(text: str, path: str) -> Config:
    try:
        document = load_yaml(text)
    except YamlSyntaxError as exc:
        raise ConfigError([f"{path}:{exc.line}: {exc.message}"]) from None
    problems: list[Problem] = list(document.duplicate_keys)
    data = document.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(
            (1, "the file must be a mapping with the keys defaults, notifications and sources")
        )
        raise ConfigError(_format(path, problems))
    model: ConfigModel | None = None
    try:
        model = ConfigModel.model_validate(data)
    except ValidationError as exc:
        problems.extend(_describe(error, document) for error in exc.errors())
    problems.extend(_cross_check(data, document))
    if problems or model is None:
        raise ConfigError(_format(path, problems))
    return _build(model, document, path)


def _format(path: str, problems: Sequence[Problem]) -> list[str]:
    unique = dict.fromkeys(sorted(problems, key=lambda p: p[0]))
    return [f"{path}:{line}: {message}" for line, message in unique]


# --- pydantic errors -> messages ---------------------------------------------------------------


def _describe(error: ErrorDetails, document: YamlDocument) -> Problem:
    loc = _strip_tags(tuple(error["loc"]))
    kind = error["type"]
    data = document.data
    if kind == "missing":  # reported on the line of the item that lacks the key
        item = loc[:-1]
        return document.line_of(item), f"{_where(item, data)}missing required key {loc[-1]!r}"
    if kind == "extra_forbidden":
        return document.line_of(loc), _where(loc[:-1], data) + _unknown_key(loc, data)
    if kind == "union_tag_invalid":
        loc = (*loc, "type")
        message = (
            f"unknown notification type {(error.get('ctx') or {}).get('tag')!r}; "
            f"expected one of {', '.join(CHANNEL_MODELS)}"
        )
    elif kind == "union_tag_not_found":
        return document.line_of(loc), (
            f"{_where(loc, data)}missing required key 'type' ({', '.join(CHANNEL_MODELS)})"
        )
    elif kind == "value_error":
        message = str((error.get("ctx") or {}).get("error", error["msg"]))
    elif kind in _MAPPING_ERRORS:
        message = "expected a mapping of keys"
    else:
        message = error["msg"][:1].lower() + error["msg"][1:] + _got(error, loc)
    return document.line_of(loc), f"{_where(loc, data)}{message}"


def _strip_tags(loc: KeyPath) -> KeyPath:
    """Drop the discriminator tag pydantic adds to a channel's location."""
    if len(loc) > 2 and loc[0] == "notifications" and loc[2] in CHANNEL_MODELS:
        return (*loc[:2], *loc[3:])
    return loc


def _got(error: ErrorDetails, loc: KeyPath) -> str:
    value = error.get("input")
    if "secret_env" in loc or not isinstance(value, str | int | float | bool | None):
        return ""
    shown = repr(value)
    return f" (got {shown})" if len(shown) <= 60 else ""


def _where(loc: KeyPath, data: object) -> str:
    """``source 'near-news': follow[1]: `` and the like, naming the item and the key."""
    if not loc:
        return ""
    head, rest = loc[0], loc[1:]
    label: str
    if head in ("sources", "notifications", "topics") and rest and isinstance(rest[0], int):
        label = _item_label(str(head), rest[0], data)
        rest = rest[1:]
    else:
        label = str(head)
    keys = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in rest)
    return f"{label}: {keys.lstrip('.')}: " if keys else f"{label}: "


def _item_label(section: str, index: int, data: object) -> str:
    return _label(section, _raw_item(data, section, index), index)


def _label(section: str, item: Mapping[str, Any], index: int) -> str:
    if section in ("sources", "topics"):
        name = item.get("name")
        singular = section[:-1]
        return f"{singular} {name!r}" if isinstance(name, str) else f"{section}[{index}]"
    name = _channel_name(item, index)
    return name if name.startswith("notifications[") else f"notification {name!r}"


def _raw_item(data: object, section: str, index: int) -> Mapping[str, Any]:
    items = data.get(section) if isinstance(data, dict) else None
    if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
        item: Mapping[str, Any] = items[index]
        return item
    return {}


def _channel_name(item: Mapping[str, Any], index: int) -> str:
    name, kind = item.get("name"), item.get("type")
    if isinstance(name, str):
        return name
    return f"{kind}-{index}" if isinstance(kind, str) else f"notifications[{index}]"


def _unknown_key(loc: KeyPath, data: object) -> str:
    key = str(loc[-1])
    parent = loc[:-1]
    known: Sequence[str]
    hint = ""
    if not parent:
        known = keys_of(ConfigModel)
    elif parent == ("defaults",):
        known = keys_of(DefaultsModel)
        if key in _SOURCE_ONLY_KEYS:
            hint = f" ({key!r} can only be set per source)"
    elif parent[0] == "sources":
        known = keys_of(SourceModel)
    elif parent[0] == "topics":
        known = keys_of(TopicModel)
    else:
        kind = _raw_item(data, "notifications", int(parent[1])).get("type")
        model = CHANNEL_MODELS.get(kind) if isinstance(kind, str) else None
        known = keys_of(model) if model else ()
        users = [t for t, m in CHANNEL_MODELS.items() if key in m.model_fields]
        if users:
            hint = f" ({key!r} is only used by {' and '.join(users)} channels)"
        elif key in ("secret", "token", "key", "password"):
            hint = " (never put secrets in the file: name an environment variable with secret_env)"
    if not hint:
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key {key!r}{hint}"


# --- checks across items ---------------------------------------------------------------------


def _cross_check(data: Mapping[str, Any], document: YamlDocument) -> Iterator[Problem]:
    source_names: list[str] = []
    yield from _unique_names(data, "sources", document, source_names)
    for index, item in _items(data.get("sources")):
        yield from _check_params(item, index, document)
    known_topics: list[str] = []
    yield from _unique_names(data, "topics", document, known_topics)
    channel_lines: dict[str, int] = {}
    for index, item in _items(data.get("notifications")):
        name = _channel_name(item, index)
        line = document.line_of(("notifications", index, "name"))
        if name in channel_lines:
            yield (
                line,
                (
                    f"duplicate notification name {name!r} (first used on line "
                    f"{channel_lines[name]}); give each channel a unique name"
                ),
            )
        else:
            channel_lines[name] = line
        yield from _check_channel_names(item, index, "sources", source_names, document)
        yield from _check_channel_names(item, index, "topics", known_topics, document)


def _unique_names(
    data: Mapping[str, Any], section: str, document: YamlDocument, names: list[str]
) -> Iterator[Problem]:
    """A problem for each name of a ``sources`` or ``topics`` item used twice; every name
    is appended to ``names``."""
    first_line: dict[str, int] = {}
    for index, item in _items(data.get(section)):
        name = item.get("name")
        if not isinstance(name, str):
            continue
        names.append(name)
        line = document.line_of((section, index, "name"))
        if name in first_line:
            yield (
                line,
                f"duplicate {section[:-1]} name {name!r} (first used on line {first_line[name]})",
            )
        else:
            first_line[name] = line


def _check_channel_names(
    item: Mapping[str, Any], index: int, key: str, known: list[str], document: YamlDocument
) -> Iterator[Problem]:
    """A channel's ``sources`` or ``topics`` must name sources or topics of the file."""
    wanted = item.get(key)
    if not isinstance(wanted, list):
        return
    for position, name in enumerate(wanted):
        if isinstance(name, str) and name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            if key == "topics" and not known:
                hint = " (define it under the top-level `topics:`)"
            line = document.line_of(("notifications", index, key, position))
            label = _channel_name(item, index)
            yield (
                line,
                f"notification {label!r}: {key}[{position}]: unknown {key[:-1]} {name!r}{hint}",
            )


def _check_params(item: Mapping[str, Any], index: int, document: YamlDocument) -> Iterator[Problem]:
    """``keep_params`` means "every parameter not listed here is dropped": a
    ``drop_params`` next to it would either repeat that or contradict it."""
    keep, drop = item.get("keep_params"), item.get("drop_params")
    if isinstance(keep, list) and keep and isinstance(drop, list) and drop:
        yield (
            document.line_of(("sources", index, "drop_params")),
            f"{_label('sources', item, index)}: drop_params: use keep_params or drop_params, "
            "not both (with keep_params every parameter not listed there is dropped)",
        )


def _items(value: object) -> Iterator[tuple[int, Mapping[str, Any]]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


# --- conversion to the dataclasses of types.py -----------------------------------------------


def _build(model: ConfigModel, document: YamlDocument, path: str) -> Config:
    defaults = model.defaults or DefaultsModel()
    sources = tuple(
        _source(item, defaults, document.line_of(("sources", index)))
        for index, item in enumerate(model.sources or ())
    )
    base_dir = os.path.dirname(path)
    channels = tuple(
        _channel(item, index, base_dir) for index, item in enumerate(model.notifications or ())
    )
    topics = tuple(
        _topic(item, document.line_of(("topics", index)))
        for index, item in enumerate(model.topics or ())
    )
    return Config(sources=sources, channels=channels, topics=topics, path=path)


def _topic(item: TopicModel, line: int) -> Topic:
    return Topic(name=item.name, terms=tuple(item.terms), line=line)


def _pick(*values: T | None) -> T:
    for value in values:
        if value is not None:
            return value
    raise AssertionError("the dataclass default is never None")


def _source(item: SourceModel, defaults: DefaultsModel, line: int) -> Source:
    recheck = _pick(item.recheck, defaults.recheck, list(_BASE.recheck_after))
    return Source(
        name=item.name,
        url=item.url,
        kind=item.kind,
        schedule=_pick(item.interval, defaults.interval, _BASE.schedule),
        timeout=_pick(item.timeout, defaults.timeout, _BASE.timeout),
        user_agent=_pick(item.user_agent, defaults.user_agent, _BASE.user_agent),
        respect_robots=_pick(item.respect_robots, defaults.respect_robots, _BASE.respect_robots),
        per_host_concurrency=_pick(
            item.per_host_concurrency, defaults.per_host_concurrency, _BASE.per_host_concurrency
        ),
        per_host_delay=_pick(item.per_host_delay, defaults.per_host_delay, _BASE.per_host_delay),
        max_new_articles_per_run=_pick(
            item.max_new_articles_per_run,
            defaults.max_new_articles_per_run,
            _BASE.max_new_articles_per_run,
        ),
        max_page_bytes=_pick(item.max_page_bytes, defaults.max_page_bytes, _BASE.max_page_bytes),
        max_links_per_page=_pick(
            item.max_links_per_page, defaults.max_links_per_page, _BASE.max_links_per_page
        ),
        recheck_after=tuple(recheck),
        language=item.language,
        encoding=item.encoding,
        follow=tuple(item.follow),
        ignore=tuple(item.ignore),
        keep_params=tuple(item.keep_params),
        drop_params=tuple(item.drop_params),
        link_selector=item.link_selector,
        content_selector=item.content_selector,
        remove_selectors=tuple(item.remove_selectors),
        ignore_text=tuple(item.ignore_text),
        tags=tuple(item.tags),
        enabled=item.enabled,
        render=item.render,
        line=line,
    )


def _channel(item: AnyChannelModel, index: int, base_dir: str) -> Channel:
    url = item.url if isinstance(item, WebhookModel | AppriseModel) else None
    path = None
    if isinstance(item, JsonlModel):
        path = os.path.abspath(os.path.join(base_dir, os.path.expanduser(item.path)))
    return Channel(
        name=item.name or f"{item.type}-{index}",
        type=item.type,
        url=url,
        path=path,
        secret_env=item.secret_env if isinstance(item, WebhookModel) else None,
        events=tuple(item.events) if item.events is not None else ALL_EVENT_TYPES,
        sources=tuple(item.sources),
        tags=tuple(item.tags),
        topics=tuple(item.topics),
        template=item.template if isinstance(item, AppriseModel) else None,
        digest=item.digest if isinstance(item, AppriseModel) else None,
        timeout=_pick(item.timeout, _CHANNEL_BASE.timeout),
        max_attempts=_pick(item.max_attempts, _CHANNEL_BASE.max_attempts),
    )
