"""Stored JSON (`storage.json_text`): whatever the json module could store is stored and read
back as the json module would read it back, also where orjson refuses the value."""

from __future__ import annotations

import json
from typing import Any

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


def test_what_orjson_refuses_goes_through_the_json_module() -> None:
    big = {"n": 2**70, "text": "a\ud800b"}
    assert json_text.loads(json_text.dumps(big)) == big
    assert json_text.loads('{"x": NaN}')["x"] != json_text.loads('{"x": NaN}')["x"]  # NaN
    assert json_text.loads(b'[1, "\xc3\xa5"]') == [1, "å"]


def test_keys_that_are_not_text_become_text_as_with_the_json_module() -> None:
    value = {1: "a", 2.5: "b", None: "c", False: "d"}
    assert json_text.loads(json_text.dumps(value)) == json.loads(json.dumps(value))
