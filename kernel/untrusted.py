"""Reading text that came from outside (files, forms, links) with limits.

YAML is composed first and measured before anything is built from it: a file may use a few
anchors, but aliases that expand to more than `max_nodes` values (a "billion laughs" bomb) are
refused, as are files over `max_bytes` and nesting deeper than `max_depth`. Parsed JSON-like
values can be measured the same way with `check_shape`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 5_000_000
MAX_ALIASES = 200
MAX_NODES = 500_000
MAX_DEPTH = 40


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_BYTES
    max_aliases: int = MAX_ALIASES
    max_nodes: int = MAX_NODES
    max_depth: int = MAX_DEPTH


class UntrustedInputError(ValueError):
    """The input breaks a limit or cannot be parsed; `line` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def size_text(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} MB"
    if count >= 1000:
        return f"{count / 1000:.0f} kB"
    return f"{count} byte"


def compose_yaml(text: str, limits: Limits = Limits()) -> yaml.Node | None:
    """The YAML node graph of `text`, after checking its size, aliases and nesting."""
    check_size(text, limits)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UntrustedInputError(
            f"inte giltig YAML: {reason}", mark.line + 1 if mark is not None else None
        ) from None
    except RecursionError:
        raise UntrustedInputError("inte giltig YAML: för djupt nästlad") from None
    if node is not None:
        _measure(node, limits)
    return node


def check_size(text: str, limits: Limits = Limits()) -> None:
    """Refuse a text over `max_bytes` (in UTF-8) before reading it."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > limits.max_bytes:
        raise UntrustedInputError(
            f"filen är för stor ({size_text(size)}; högst {size_text(limits.max_bytes)})"
        )


def load_yaml(text: str, limits: Limits = Limits()) -> Any:
    """Parse untrusted YAML (or JSON, which is YAML) within `limits`."""
    node = compose_yaml(text, limits)
    return None if node is None else construct_yaml(node)


def construct_yaml(node: yaml.Node) -> Any:
    """The data of a node graph `compose_yaml` gave (measured already): the text is not parsed
    again (it was composed once, not three times, for a definition's data and its lines)."""
    loader = _LOADER("")
    try:
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise UntrustedInputError(f"inte giltig YAML: {exc}") from None
    except (RecursionError, ValueError, TypeError) as exc:
        raise UntrustedInputError(f"inte giltig YAML: {exc.__class__.__name__}") from None
    finally:
        loader.dispose()


def _measure(root: yaml.Node, limits: Limits) -> None:
    """Count aliases, expanded size and depth without building anything."""
    seen: set[int] = set()
    aliases = 0
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    sizes: dict[int, int] = {}
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if depth > limits.max_depth:
            raise UntrustedInputError(
                f"för djupt nästlad (mer än {limits.max_depth} nivåer)", node.start_mark.line + 1
            )
        children = _children(node)
        if done:
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > limits.max_nodes:
                raise UntrustedInputError(
                    f"för många värden (mer än {limits.max_nodes}; kontrollera ankare och alias)",
                    node.start_mark.line + 1,
                )
            continue
        if key in seen:
            aliases += 1
            if aliases > limits.max_aliases:
                raise UntrustedInputError(
                    f"för många alias (högst {limits.max_aliases})", node.start_mark.line + 1
                )
            if key not in sizes:  # a node that contains itself
                raise UntrustedInputError("ett alias pekar på sig självt", node.start_mark.line + 1)
            continue
        seen.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in children)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def load_json(text: str | bytes, limits: Limits = Limits()) -> Any:
    """Parse untrusted JSON within `limits`."""
    size = len(text)
    if size > limits.max_bytes:
        raise UntrustedInputError(
            f"för stort ({size_text(size)}; högst {size_text(limits.max_bytes)})"
        )
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UntrustedInputError(f"inte giltig JSON: {exc}") from None
    except RecursionError:
        raise UntrustedInputError("för djupt nästlad") from None
    check_shape(value, limits)
    return value


def check_shape(value: Any, limits: Limits = Limits()) -> None:
    """Refuse values nested deeper than `max_depth` or holding more than `max_nodes` items."""
    count = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        count += 1
        if count > limits.max_nodes:
            raise UntrustedInputError(f"för många värden (högst {limits.max_nodes})")
        if depth > limits.max_depth:
            raise UntrustedInputError(f"för djupt nästlad (mer än {limits.max_depth} nivåer)")
        if isinstance(item, Mapping):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list | tuple):
            stack.extend((v, depth + 1) for v in item)


def canonical_json(value: Any) -> str:
    """One text for one value: sorted keys, no spaces, UTF-8 kept (hashes and comparisons)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
