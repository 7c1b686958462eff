"""JSON as stored in JSON columns: orjson, a single C call, where the standard library's json
costs several Python calls around its C scanner (most stored values are a few hundred bytes,
so that overhead was most of the cost); the standard library for what orjson refuses, so every
value the json module could store is stored.

Only storage uses it: the audit chain's canonical text (`workflow.kernel.untrusted`) stays on
the json module, since its exact bytes are what the chain's hashes cover. The two write the
same values (orjson without the spaces); orjson would write a non-finite float as null, but
no such value is stored (answers are checked to be finite, everything else is Löfte's own).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS  # keys such as ints become text, as json.dumps makes them


def dumps(value: Any) -> str:
    try:
        return orjson.dumps(value, option=_OPTIONS).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError: an int over 64 bits, a lone surrogate, ...
        return json.dumps(value)


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except ValueError:  # orjson.JSONDecodeError: NaN, an int over 64 bits, ...
        return json.loads(text)
