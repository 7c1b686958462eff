"""JSON as stored in JSON columns: orjson, a single C call, where the standard library's json
costs several Python calls around its C scanner (most stored values are a few hundred bytes,
so that overhead was most of the cost); the standard library for what orjson refuses.

Only storage uses it: the audit chain's canonical text (`workflow.kernel.untrusted`) stays on
the json module, since its exact bytes are what the chain's hashes cover, and audit details are
read back with it too. The two write the same values (orjson without the spaces) and refuse the
same: orjson is told to refuse datetimes and dataclasses, as json does; what else orjson
refuses (a lone surrogate) json writes and reads. One kind of value is refused that json
would write: an integer beyond 64 bits, which orjson would read back as a float. None is
stored: numbers in answers are checked to be finite and at most 10^15, everything else is
Löfte's own (ids, counts). Left as they are: orjson would write a non-finite float as null
(none is stored either) and a float key with a short exponent as 1e-7 where json writes 1e-07
(Löfte's keys are text).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = (
    orjson.OPT_NON_STR_KEYS  # keys such as ints become text, as json.dumps makes them
    | orjson.OPT_PASSTHROUGH_DATETIME  # refused, as json refuses them
    | orjson.OPT_PASSTHROUGH_DATACLASS
)
BEYOND_64_BITS = "Integer exceeds 64-bit range"  # orjson's words


def dumps(value: Any) -> str:
    try:
        return orjson.dumps(value, option=_OPTIONS).decode("utf-8")
    except TypeError as exc:  # orjson.JSONEncodeError: a lone surrogate, ...
        if BEYOND_64_BITS in str(exc):
            raise ValueError(
                "ett heltal utanför 64 bitar kan inte sparas så att det läses tillbaka exakt"
            ) from None
        return json.dumps(value)  # (which raises TypeError for what neither can write)


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except ValueError:  # orjson.JSONDecodeError: NaN, an escaped lone surrogate, ...
        return json.loads(text)
