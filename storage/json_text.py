"""JSON as stored in JSON columns: orjson, a single C call, where the standard library's json
costs several Python calls around its C scanner (most stored values are a few hundred bytes,
so that overhead was most of the cost); the standard library for what orjson refuses, so every
value the json module could store is stored.

Only storage uses it: the audit chain's canonical text (`workflow.kernel.untrusted`) stays on
the json module, since its exact bytes are what the chain's hashes cover. The two write the
same values (orjson without the spaces) and refuse the same: orjson is told to refuse
datetimes and dataclasses, as json does, and it refuses ints beyond 64 bits, which json then
writes. Where orjson would read or write a value otherwise, json does it: a text with an
integer of 19 digits or more is read by json (orjson reads one beyond 64 bits as a float).
Left as they are: orjson would write a non-finite float as null (no such value is stored:
answers are checked to be finite, everything else is Löfte's own) and a float key with a
short exponent as 1e-7 where json writes 1e-07 (Löfte's keys are text).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_OPTIONS = (
    orjson.OPT_NON_STR_KEYS  # keys such as ints become text, as json.dumps makes them
    | orjson.OPT_PASSTHROUGH_DATETIME  # refused, as json refuses them
    | orjson.OPT_PASSTHROUGH_DATACLASS
)
_LONG_NUMBER = re.compile(r"\d{19}")
_LONG_NUMBER_BYTES = re.compile(rb"\d{19}")


def dumps(value: Any) -> str:
    try:
        return orjson.dumps(value, option=_OPTIONS).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError: an int over 64 bits, a lone surrogate, ...
        return json.dumps(value)  # (which raises TypeError for what neither can write)


def loads(text: str | bytes) -> Any:
    long_number = (
        _LONG_NUMBER.search(text) if isinstance(text, str) else _LONG_NUMBER_BYTES.search(text)
    )
    if long_number is not None:  # perhaps an int beyond 64 bits: json reads it exactly
        return json.loads(text)
    try:
        return orjson.loads(text)
    except ValueError:  # orjson.JSONDecodeError: NaN, ...
        return json.loads(text)
