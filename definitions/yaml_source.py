"""Read a YAML file within limits, and find the line of any value in it, so that every
problem can point at it.

A plain file is read straight from the parser's events (`kernel.yaml_stream`); its lines are
found only when a problem asks for one, by composing the text again. The line of every path
of a large organisation is ~17 MiB that loading no longer builds, nor keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from lofte.kernel.errors import DefinitionError, DefinitionProblem
from lofte.kernel.untrusted import (
    Limits,
    UntrustedInputError,
    check_size,
    compose_yaml,
    construct_yaml,
)
from lofte.kernel.yaml_stream import NotPlain, stream_yaml

PathKey = tuple[str | int, ...]


class LineMap:
    """The line of each path of a text: found from the text when first asked, or given."""

    __slots__ = ("_lines", "_text")

    def __init__(self, text: str | None = None, lines: dict[PathKey, int] | None = None) -> None:
        self._text = text
        self._lines = lines

    def get(self, path: PathKey, default: int | None = None) -> int | None:
        return self._found().get(path, default)

    def __getitem__(self, path: PathKey) -> int:
        return self._found()[path]

    def _found(self) -> dict[PathKey, int]:
        if self._lines is None:
            lines: dict[PathKey, int] = {}
            try:
                node = compose_yaml(self._text or "")
            except UntrustedInputError:
                node = None
            if node is not None:
                _collect_lines(node, (), lines, [])
            self._lines = lines
            self._text = None
        return self._lines


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document, the file it came from, and the line of each path in it."""

    file: str
    data: Any
    lines: LineMap = field(default_factory=LineMap)
    twice: tuple[tuple[PathKey, int], ...] = ()  # keys written twice in one mapping, and lines

    def line_of(self, path: PathKey) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None

    def problem(self, path: PathKey, message: str) -> DefinitionProblem:
        return DefinitionProblem(self.file, format_path(path), message, self.line_of(path))

    def keys_written_twice(self) -> list[DefinitionProblem]:
        """YAML keeps the last of two equal keys silently: a second `deadline:` would hide the
        first. The loader refuses such files; stored texts are read as they are."""
        return [
            DefinitionProblem(self.file, format_path(path), "fältet finns två gånger", line)
            for path, line in self.twice
        ]


def format_path(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_yaml(text: str, file: str) -> YamlDocument:
    """Parse one YAML document; a syntax error or a broken limit names file and line."""
    try:
        check_size(text)
        try:
            return YamlDocument(file, stream_yaml(text, Limits()), LineMap(text))
        except NotPlain:
            pass
        lines: dict[PathKey, int] = {}
        twice: list[tuple[PathKey, int]] = []
        node = compose_yaml(text)
        if node is not None:  # lines first: constructing merges `<<` keys into the nodes
            _collect_lines(node, (), lines, twice)
        data = construct_yaml(node) if node is not None else None
    except UntrustedInputError as exc:
        raise DefinitionError([DefinitionProblem(file, "", str(exc), exc.line)]) from None
    return YamlDocument(file, data, LineMap(lines=lines), tuple(twice))


def document_of(data: Any, file: str) -> YamlDocument:
    """A document for data that came without a file (stored or generated), no lines."""
    return YamlDocument(file, data)


def _collect_lines(
    node: yaml.Node, path: PathKey, lines: dict[PathKey, int], twice: list[tuple[PathKey, int]]
) -> None:
    """The line of every path, and the keys that occur twice in one mapping."""
    stack: list[tuple[yaml.Node, PathKey]] = [(node, path)]
    while stack:
        current, here = stack.pop()
        lines.setdefault(here, current.start_mark.line + 1)
        if isinstance(current, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in current.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
                child = (*here, key)
                if key in keys and key != "<<":
                    twice.append((child, key_node.start_mark.line + 1))
                keys.add(key)
                stack.append((value_node, child))
                lines.setdefault(child, key_node.start_mark.line + 1)
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                stack.append((item, (*here, index)))
