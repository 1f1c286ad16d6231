"""YAML with line numbers: the document's data, plus a map from every key path to the line
the key (or list item) sits on, so validation errors can name the line to fix.

The loader resolves plain scalars the YAML 1.2 way: only ``true``/``false`` are booleans
(``language: no`` stays the string ``"no"``), ``1:30`` is not a base-60 number and dates
stay strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

KeyPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """A safe loader with YAML 1.2-like implicit typing."""


_Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
        r"|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),
):
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


class YamlSyntaxError(Exception):
    """The text is not YAML; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


@dataclass
class YamlDocument:
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[int, str]] = field(default_factory=list)  # (line, message)

    def line_of(self, path: KeyPath) -> int:
        """The line of ``path``, or of its nearest ancestor that exists in the document."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1


def load_yaml(text: str) -> YamlDocument:
    """Parse one YAML document. Raises ``YamlSyntaxError`` with the line of the problem."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # a control character, checked up front
        raise _reader_error(text, exc) from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(text, exc) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, f"YAML syntax error: {exc}") from None
    finally:
        loader.dispose()
    document = YamlDocument(data)
    if node is not None:
        document.lines[()] = node.start_mark.line + 1
        _walk(node, (), document)
    return document


def _reader_error(text: str, exc: yaml.reader.ReaderError) -> YamlSyntaxError:
    line = text.count("\n", 0, exc.position) + 1
    return YamlSyntaxError(line, f"YAML syntax error: character {exc.character:#x} is not allowed")


def _syntax_error(exc: yaml.MarkedYAMLError) -> YamlSyntaxError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    parts = [p for p in (exc.context, exc.problem) if p]
    message = "; ".join(parts) or "invalid YAML"
    if exc.problem == "mapping values are not allowed here":
        message += ' (quote values that contain ": ", e.g. "cron: 0 */2 * * *")'
    return YamlSyntaxError(line, f"YAML syntax error: {message}")


def _walk(node: Node, path: KeyPath, document: YamlDocument) -> None:
    if isinstance(node, MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, ScalarNode):
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                document.duplicate_keys.append(
                    (line, f"duplicate key {key!r} (first defined on line {seen[key]})")
                )
                continue
            seen[key] = line
            document.lines[(*path, key)] = line
            _walk(value_node, (*path, key), document)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            document.lines[(*path, index)] = item.start_mark.line + 1
            _walk(item, (*path, index), document)
