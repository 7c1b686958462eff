"""Plain YAML read straight from the parser's events, without a node graph.

`kernel.untrusted.compose_yaml` builds every node (with two marks each) before anything is
measured or constructed: for an organisation of 1,900 municipalities that graph is ~64 MiB
of short-lived objects, and the heap they fragment is not given back. Most files are plain:
mappings, lists and scalars of the safe tags, with no key written twice and no `<<` merge.
Those are built here one event at a time, under the same limits; anything else (a merge key,
an explicit collection tag, a key written twice, a broken limit, a syntax error) raises
`NotPlain` and the caller reads the text the careful way, which gives the same data or the
same error as before.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import ScalarNode

from lofte.kernel.untrusted import Limits

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PREFIX = "tag:yaml.org,2002:"
_SCALARS = {
    _PREFIX + name: SafeConstructor.yaml_constructors[_PREFIX + name]
    for name in ("null", "bool", "int", "float", "binary", "timestamp", "str")
}
_STR = _PREFIX + "str"
_COLLECTION_TAGS = (None, "!")

Built = tuple[Any, int, int]  # the value, its nodes counted as `_measure` counts, its depth


class NotPlain(Exception):
    """The text needs the node graph (or is refused there, with its line)."""


def stream_yaml(text: str, limits: Limits) -> Any:
    """The data of `text` as `construct_yaml(compose_yaml(text))` gives it, or `NotPlain`.
    Keys written twice in one mapping raise `NotPlain` too (the caller reports them)."""
    loader = _LOADER(text)
    try:
        return _Reader(loader, limits).document()
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, KeyError) as exc:
        raise NotPlain from exc
    finally:
        loader.dispose()


class _Reader:
    def __init__(self, loader: Any, limits: Limits) -> None:
        self.loader = loader
        self.limits = limits
        self.anchors: dict[str, Built] = {}
        self.open: set[str] = set()  # anchors of collections not yet ended
        self.aliases = 0
        self.texts: dict[str, str] = {}

    def document(self) -> Any:
        get = self.loader.get_event
        _expect(get(), StreamStartEvent)
        event = get()
        if isinstance(event, StreamEndEvent):
            return None
        _expect(event, DocumentStartEvent)
        value, _, _ = self.node(get(), 1)
        _expect(get(), DocumentEndEvent)
        _expect(get(), StreamEndEvent)  # a second document: refused on the careful path
        return value

    def node(self, event: Any, depth: int) -> Built:
        limits = self.limits
        if isinstance(event, AliasEvent):
            found = self.anchors.get(event.anchor or "")  # None: undefined, or inside itself
            self.aliases += 1
            if found is None or self.aliases > limits.max_aliases:
                raise NotPlain
            if depth + found[2] - 1 > limits.max_depth:
                raise NotPlain
            return found
        if depth > limits.max_depth:
            raise NotPlain
        anchor = event.anchor
        if anchor is not None:
            if anchor in self.anchors or anchor in self.open:
                raise NotPlain
            self.open.add(anchor)
        if isinstance(event, ScalarEvent):
            built: Built = (self.scalar(event), 1, 1)
        elif isinstance(event, SequenceStartEvent):
            built = self.sequence(event, depth)
        elif isinstance(event, MappingStartEvent):
            built = self.mapping(event, depth)
        else:
            raise NotPlain
        if built[1] > limits.max_nodes:
            raise NotPlain
        if anchor is not None:
            self.open.discard(anchor)
            self.anchors[anchor] = built
        return built

    def scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(ScalarNode, event.value, event.implicit)
        if tag == _STR:  # one object for each text repeated (a unit's id, a role, a party)
            return self.texts.setdefault(event.value, event.value)
        construct = _SCALARS.get(tag)
        if construct is None:  # merge keys, `=`, other tags
            raise NotPlain
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        return construct(self.loader, node)

    def sequence(self, start: Any, depth: int) -> Built:
        if start.tag not in _COLLECTION_TAGS and start.tag != _PREFIX + "seq":
            raise NotPlain
        get = self.loader.get_event
        items: list[Any] = []
        size, height = 1, 1
        while not isinstance(event := get(), SequenceEndEvent):
            value, count, deep = self.node(event, depth + 1)
            items.append(value)
            size, height = size + count, max(height, deep + 1)
        return items, size, height

    def mapping(self, start: Any, depth: int) -> Built:
        if start.tag not in _COLLECTION_TAGS and start.tag != _PREFIX + "map":
            raise NotPlain
        get = self.loader.get_event
        mapping: dict[Any, Any] = {}
        written: set[str] = set()
        size, height = 1, 1
        while not isinstance(event := get(), MappingEndEvent):
            if not isinstance(event, ScalarEvent) or event.value in written:
                raise NotPlain  # a key that is a collection or an alias, or written twice
            written.add(event.value)
            key, _, _ = self.node(event, depth + 1)
            value, count, deep = self.node(get(), depth + 1)
            mapping[key] = value
            size, height = size + 1 + count, max(height, deep + 1)
        return mapping, size, height


def _expect(event: Any, kind: type) -> None:
    if not isinstance(event, kind):
        raise NotPlain
