"""A definition's text is composed once: its lines come from the node graph and its data is
constructed from the same graph, not parsed again. The data is what a plain YAML load gives,
and a mapping that overrides a merged key (`<<: *base`) is no field written twice."""

from __future__ import annotations

import pytest
import yaml

from lofte.definitions.loader import PACKAGED_DIR
from lofte.definitions.yaml_source import parse_yaml


@pytest.mark.parametrize("path", sorted(PACKAGED_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_the_data_is_what_a_plain_load_gives(path: object) -> None:
    text = path.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    document = parse_yaml(text, "x.yaml")
    assert document.data == yaml.safe_load(text)
    assert document.twice == ()


def test_a_merged_key_overridden_is_not_twice_but_a_repeated_key_is() -> None:
    merged = parse_yaml("base: &b {a: 1, b: 2}\nthing:\n  <<: *b\n  b: 3\n", "x.yaml")
    assert merged.data == {"base": {"a": 1, "b": 2}, "thing": {"a": 1, "b": 3}}
    assert merged.twice == ()
    assert merged.lines[("thing", "b")] == 4
    repeated = parse_yaml("thing:\n  b: 1\n  b: 2\n", "x.yaml")
    assert repeated.twice == ((("thing", "b"), 3),)
