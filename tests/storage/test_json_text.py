"""Stored JSON (`storage.json_text`): whatever the json module could store is stored and read
back as the json module would read it back, also where orjson refuses the value."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import json_text

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too: orjson refuses those
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()  # lone surrogates too: orjson refuses those
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=VALUES)
def test_any_value_reads_back_as_through_the_json_module(value: Any) -> None:
    assert json_text.loads(json_text.dumps(value)) == json.loads(json.dumps(value))


@pytest.mark.parametrize(
    "value",
    [{"n": 2**70}, {"n": -(2**64)}, [2**64, 2**63 - 1, -(2**63)], {"text": "a\ud800b"}],
    ids=["beyond 64 bits", "below", "at the edges", "lone surrogate"],
)
def test_what_orjson_refuses_or_would_misread_goes_through_the_json_module(value: Any) -> None:
    text = json_text.dumps(value)
    for read in (json_text.loads(text), json_text.loads(text.encode())):
        assert read == value  # and of the same types: 2**70 == float(2**70)
        pairs = (read.values(), value.values()) if isinstance(value, dict) else (read, value)
        assert all(type(a) is type(b) for a, b in zip(*pairs, strict=True))


def test_what_the_json_module_refused_is_still_refused() -> None:
    @dataclass
    class Shape:
        a: int

    for value in ({"when": datetime(2027, 1, 1, tzinfo=UTC)}, {"shape": Shape(1)}, {"s": {1}}):
        with pytest.raises(TypeError):
            json.dumps(value)
        with pytest.raises(TypeError):
            json_text.dumps(value)


def test_nan_and_text_as_bytes_read_as_the_json_module_reads_them() -> None:
    assert json_text.loads('{"x": NaN}')["x"] != json_text.loads('{"x": NaN}')["x"]  # NaN
    assert json_text.loads(b'[1, "\xc3\xa5"]') == [1, "å"]


def test_keys_that_are_not_text_become_text_as_with_the_json_module() -> None:
    value = {1: "a", 2.5: "b", None: "c", False: "d"}
    assert json_text.loads(json_text.dumps(value)) == json.loads(json.dumps(value))
