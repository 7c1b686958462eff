"""A plain file is read from the parser's events, without a node graph: the data is what the
careful path (compose, measure, construct) gives, and anything that is not plain goes the
careful way, with the same data, the same refusal and the same lines."""

from __future__ import annotations

import pytest

from bench.canonical import DEFINITION, organisation
from lofte.definitions.loader import PACKAGED_DIR
from lofte.definitions.yaml_source import _collect_lines, parse_yaml
from lofte.kernel.errors import DefinitionError
from lofte.kernel.untrusted import Limits, compose_yaml, construct_yaml
from lofte.kernel.yaml_stream import NotPlain, stream_yaml

PLAIN = [
    "",
    "a: 1\n",
    "a: [1, 2.5, true, null, ~, 'x', \"y\", 2027-01-04, 2027-01-04T09:00, 0x1f, .inf]\n",
    "a: &x {b: [1, 2]}\nc: *x\nd: [*x, *x]\n",
    "- 1\n- - 2\n  - {c: d}\n",
    "a: !!str 12\nb: !!int '3'\nc: !!binary aGVq\n",
    "? x\n: y\n1: one\ntrue: yes\n",
    "plain text\n",
    "---\na: 1\n...\n",
    "a: |\n  lines\n  two\nb: >\n  folded\n",
    DEFINITION,
    organisation(3),
]
NOT_PLAIN = [
    "base: &b {a: 1}\nthing:\n  <<: *b\n  b: 2\n",  # a merge
    "a: 1\na: 2\n",  # written twice
    "1: one\n'1': quoted\n",  # written twice, as the lines see keys
    "a: !!set {x, y}\n",
    "a: !!omap [{x: 1}]\n",
    "a: !custom 1\n",
    "[1]: x\n",  # a key that is a list
    "a: 1\n---\nb: 2\n",  # two documents
    "a: *undefined\n",
    "a: [unclosed\n",
    "a: &x [*x]\n",  # inside itself
    "a: 2027-13-45\n",  # no date
    "=: x\n",
]


@pytest.mark.parametrize("text", PLAIN)
def test_a_plain_text_gives_the_careful_data(text: str) -> None:
    node = compose_yaml(text)
    careful = None if node is None else construct_yaml(node)
    assert stream_yaml(text, Limits()) == careful


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_anything_else_goes_the_careful_way(text: str) -> None:
    with pytest.raises(NotPlain):
        stream_yaml(text, Limits())


def test_limits_send_the_text_the_careful_way() -> None:
    deep = "a: " + "[" * 50 + "]" * 50 + "\n"
    with pytest.raises(NotPlain):
        stream_yaml(deep, Limits())
    aliases = "a: &x 1\nb: [" + ", ".join(["*x"] * 201) + "]\n"
    with pytest.raises(NotPlain):
        stream_yaml(aliases, Limits())
    with pytest.raises(NotPlain):
        stream_yaml("a: [1, 2, 3]\n", Limits(max_nodes=4))
    assert stream_yaml("a: [1, 2]\n", Limits(max_nodes=6)) == {"a": [1, 2]}
    with pytest.raises(DefinitionError):
        parse_yaml(deep, "x.yaml")


@pytest.mark.parametrize("text", [*PLAIN, *sorted(PACKAGED_DIR.glob("*.yaml"))])
def test_lines_found_when_asked_are_the_lines_of_every_path(text: object) -> None:
    if not isinstance(text, str):
        text = text.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    document = parse_yaml(text, "x.yaml")
    node = compose_yaml(text)
    lines: dict[tuple[str | int, ...], int] = {}
    if node is not None:
        _collect_lines(node, (), lines, [])
    assert {path: document.lines[path] for path in lines} == lines
    assert document.lines.get(("not", "there")) is None
