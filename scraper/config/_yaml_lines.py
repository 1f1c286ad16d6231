"""YAML with line numbers: the document's data, plus a map from every key path to the line
the key (or list item) sits on, so validation errors can name the line to fix.

The loader resolves plain scalars the YAML 1.2 way: only ``true``/``false`` are booleans
(``language: no`` stays the string ``"no"``), ``1:30`` is not a base-60 number and dates
stay strings.

It is also the guard against hostile files. Aliases share one node in the parsed graph, but
everything after parsing (this module's line map, the constructed data, validation) walks
the document with every alias expanded, so a few hundred bytes of nested aliases ("billion
laughs") would expand to billions of values. The composer below counts, for every node,
how many values it stands for once expanded and how deep it nests, and refuses a document
past ``MAX_DEPTH`` levels or whose aliases add more than ``alias_budget(written)`` values.
The counts are kept per node as the node is finished, so the check costs one pass and no
recursion of its own.

Speed and memory: a valid file is read with libyaml's scanner and parser (PyYAML's C
extension) under the same Python composer, bounds and constructor: a 10,000-source file
then parses in about a sixth of the time and half the peak memory of the pure-Python
scanner, whose tokens and marks are what a big file costs. A file libyaml refuses is read
again by the pure-Python loader, so every problem is reported in the words (and on the
line) it always was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, Event
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from scraper.errors import YamlSyntaxError

KeyPath = tuple[str | int, ...]

# sources.yaml nests five levels (file, sources, a source, follow, a pattern); deeper is a
# mistake or an attack. Python's recursion limit (1000 frames, about four per level in the
# composer) is the hard ceiling this stays far below.
MAX_DEPTH = 32
# Aliases may add at most as many values as the file writes out, and never less than this
# floor: a file that merges ``<<: *defaults`` into every source stays well inside, while
# expansion (and with it memory and time) stays proportional to the size of the file.
MIN_ALIAS_BUDGET = 100_000


def alias_budget(written: int) -> int:
    """How many values aliases may add to a document that writes out ``written``."""
    return max(MIN_ALIAS_BUDGET, written)


class _Bounded(Composer):
    """The composer with bounds on nesting and on alias expansion (see the module
    docstring), for any event source below it."""

    # Provided by the parser below it in the method resolution order (pure or libyaml).
    check_event: Any
    peek_event: Any

    def _start_bounds(self) -> None:
        self._depth = 0
        self._written = 0
        self._expanded = 0
        # id(node) -> (values it stands for, levels it nests), for finished nodes only.
        self._sizes: dict[int, tuple[int, int]] = {}

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(AliasEvent):
            line = self._next_line()
            node = super().compose_node(parent, index)
            size = self._sizes.get(id(node)) if node is not None else None
            if size is None:  # the alias points into the node being built
                raise _refused(line, "an alias refers to the node that contains it")
            self._expanded += size[0]
            if self._expanded > alias_budget(self._written):
                raise _refused(
                    line,
                    f"aliases expand the document past {alias_budget(self._written):,} "
                    "values; write the values out or use fewer aliases",
                )
            return node
        line = self._next_line()
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _refused(line, f"nested deeper than {MAX_DEPTH} levels")
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._written += 1
        if node is not None:
            self._finish(node, line)
        return node

    def _next_line(self) -> int:
        event: Event = self.peek_event()
        return event.start_mark.line + 1 if event.start_mark is not None else 1

    def _finish(self, node: Node, line: int) -> None:
        children: list[Node]
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = []
        sizes = [self._sizes[id(child)] for child in children]
        depth = 1 + max((d for _, d in sizes), default=0)
        if depth > MAX_DEPTH:  # deep only through aliases
            raise _refused(line, f"nested deeper than {MAX_DEPTH} levels (through aliases)")
        self._sizes[id(node)] = (1 + sum(n for n, _ in sizes), depth)


class _Loader(_Bounded, yaml.SafeLoader):
    """The pure-Python safe loader, bounded, with YAML 1.2-like implicit typing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._start_bounds()


_CParser: Any = getattr(getattr(yaml, "_yaml", None), "CParser", None)


class _FastLoader(_Bounded, *((_CParser,) if _CParser else ()), SafeConstructor, Resolver):  # type: ignore[misc]
    """The same loader with libyaml's scanner and parser producing the events."""

    def __init__(self, stream: str) -> None:
        _CParser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._start_bounds()


_REFUSED = "YAML refused:"


def _refused(line: int, problem: str) -> YamlSyntaxError:
    # Not a yaml.YAMLError: it passes through PyYAML's own handlers as it is.
    return YamlSyntaxError(line, f"{_REFUSED} {problem}")


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
_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


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
    if _CParser is not None:
        try:
            return _load(text, _FastLoader)
        except YamlSyntaxError as exc:
            if exc.message.startswith(_REFUSED):
                raise  # our own bounds: the same composer, the same words and line
            # libyaml's syntax errors: read it again below, for the pure loader's words
    return _load(text, _Loader)


def _load(text: str, loader_class: type[_Loader] | type[_FastLoader]) -> YamlDocument:
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:  # a control character, checked up front
        raise _reader_error(text, exc) from None
    document = YamlDocument(None)
    try:
        node = loader.get_single_node()
        if node is not None:
            # Lines first: constructing merges ``<<`` keys into the mapping nodes in place,
            # and the merged copies would read as duplicates of the keys that override them.
            document.lines[()] = node.start_mark.line + 1
            _walk(node, (), document)
            document.data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(text, exc) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, f"YAML syntax error: {exc}") from None
    finally:
        loader.dispose()
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
