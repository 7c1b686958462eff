"""Stored JSON (`storage.json_text`): what Löfte stores reads back as the json module would read
it back, also where orjson refuses the value; an integer beyond 64 bits, which would not read
back exactly, is refused."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lofte.storage import json_text

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)  # beyond 64 bits: refused (below)
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
    [[2**63 - 1, -(2**63), 2**64 - 1], {"text": "a\ud800b", "n": 7}],
    ids=["the 64-bit edges", "lone surrogate"],
)
def test_what_orjson_would_refuse_or_misread_is_stored_exactly(value: Any) -> None:
    text = json_text.dumps(value)
    for read in (json_text.loads(text), json_text.loads(text.encode())):
        assert read == value  # and of the same types: 2**70 == float(2**70)
        pairs = (read.values(), value.values()) if isinstance(value, dict) else (read, value)
        assert all(type(a) is type(b) for a, b in zip(*pairs, strict=True))


@pytest.mark.parametrize("big", [2**64, -(2**63) - 1, 2**70])
def test_an_integer_beyond_64_bits_is_refused_not_read_back_as_a_float(big: int) -> None:
    with pytest.raises(ValueError, match="64 bitar"):
        json_text.dumps({"answer": [1, big]})


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
