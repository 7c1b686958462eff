"""A property: whatever an owner of the database without the audit key does to the log (with
the triggers dropped), `lofte audit verify` with the head file passes exactly when the log is
as it was written. Random sequences of tamperings: delete the tail, delete an event in the
middle (closing the gap or not), edit a field, insert or append a forged event."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lofte.workflow.core.audit_chain import AuditKey
from tests.harness import Harness
from tests.storage.test_audit_keyed import check, drop_triggers, forged, h, rewrite, stored

__all__ = ["h"]  # the fixture, used below by name

KINDS = ("delete_tail", "delete_middle", "edit", "insert_forged", "append_forged")
FIELDS = ("actor", "detail", "at", "event", "unit_id", "instance_id", "to_state")
Tamper = tuple[str, int, str, bool]


def _shift(chain: list[dict[str, Any]], start: int, by: int) -> None:
    """Move the sequence numbers from `start` on (they stay increasing and unique)."""
    for index in range(start, len(chain)):
        chain[index] = chain[index] | {"seq": chain[index]["seq"] + by}


def _edited(row: dict[str, Any], field: str) -> dict[str, Any]:
    value = row[field]
    if field == "at":
        return row | {"at": value + timedelta(seconds=1)}
    if field == "detail":
        return row | {"detail": json.dumps({"ändrad": value}, sort_keys=True)}
    if field == "instance_id":
        return row | {"instance_id": (value or 0) + 1}
    return row | {field: f"{value or ''}x"}


def tampered(original: list[dict[str, Any]], tampers: list[Tamper]) -> list[dict[str, Any]]:
    chain = list(original)
    for kind, number, field, flag in tampers:
        size = len(chain)
        if kind == "append_forged":
            guess = AuditKey(b"a guessed key") if flag else None
            last = chain[-1] if chain else None
            chain.append(forged(last, last["seq"] + 1 if last else 1, guess))
        elif not size:
            continue
        elif kind == "delete_tail":
            del chain[size - 1 - number % size :]
        elif kind == "delete_middle":
            del chain[number % size]
            if flag:  # close the gap, as one would to hide it
                _shift(chain, number % size, -1)
        elif kind == "edit":
            at = number % size
            chain[at] = _edited(chain[at], field)
        else:  # insert_forged: a version 1 event computed on the one before it
            at = number % size
            before = chain[at - 1] if at else None
            chain.insert(at, forged(before, before["seq"] + 1 if before else 1))
            _shift(chain, at + 1, 1)
    return chain


tampers = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(min_value=0, max_value=10**6),
        st.sampled_from(FIELDS),
        st.booleans(),
    ),
    min_size=1,
    max_size=3,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tampers)
def test_verify_catches_every_tampering(h: Harness, tampers: list[Tamper]) -> None:
    original = _original(h)
    chain = tampered(original, tampers)
    rewrite(h, chain)
    verdict = check(h)
    if chain == original:  # the tamperings undid each other (an append, then its deletion)
        assert not verdict.problem
    else:
        assert verdict.problem and verdict.broken_at, tampers


def _original(h: Harness) -> list[dict[str, Any]]:
    """The log as written, read once per test (the first example finds it untouched)."""
    found: list[dict[str, Any]] | None = getattr(h, "_original", None)
    if found is None:
        found = stored(h)
        drop_triggers(h)
        object.__setattr__(h, "_original", found)
    return found
