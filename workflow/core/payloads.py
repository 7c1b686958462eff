"""Timer payloads: one small typed shape per timer kind, stored with a version number.

Stored payloads are read through `read_payload`, which upgrades older versions one step at a
time; a payload that cannot be read makes its timer fail into an incident, never a crash loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lofte.workflow.core.records import TimerKind

VERSION_KEY = "v"


@dataclass(frozen=True)
class OpeningPayload:
    """Open the cycle of period `period_index` (`period_key` as scheduled)."""

    period_index: int
    period_key: str
    VERSION = 1


@dataclass(frozen=True)
class StepPayload:
    """A deadline, escalation, expiry or (with `number`) a reminder of one step."""

    step: str
    number: int = 0
    VERSION = 1


@dataclass(frozen=True)
class ErasurePayload:
    """Erase the sensitive values of a closed cycle."""

    instance_key: str
    VERSION = 1


@dataclass(frozen=True)
class RetentionPayload:
    """The retention of a closed cycle's ordinary personal data has run out: the people who
    left get pseudonyms in its records (`workflow.core.pseudonyms`)."""

    instance_key: str
    retention: str  # the ISO duration it was scheduled with
    VERSION = 1


Payload = OpeningPayload | StepPayload | ErasurePayload | RetentionPayload
_TYPES: dict[TimerKind, type[Payload]] = {
    TimerKind.CYCLE_OPEN: OpeningPayload,
    TimerKind.REMINDER: StepPayload,
    TimerKind.DEADLINE: StepPayload,
    TimerKind.ESCALATION: StepPayload,
    TimerKind.EXPIRY: StepPayload,
    TimerKind.MEETING: StepPayload,
    TimerKind.ERASURE: ErasurePayload,
    TimerKind.RETENTION: RetentionPayload,
}
# (payload type, version) -> upgrade of its data to the next version
_UPGRADES: dict[tuple[type[Payload], int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


def dump_payload(payload: Payload) -> dict[str, Any]:
    return {VERSION_KEY: payload.VERSION, **payload.__dict__}


def read_payload(kind: TimerKind, data: dict[str, Any]) -> Payload:
    """The typed payload of a stored timer; ValueError if it cannot be read."""
    shape = _TYPES[kind]
    values = dict(data)
    version = int(values.pop(VERSION_KEY, 1))
    while version < shape.VERSION:
        values = _UPGRADES[(shape, version)](values)
        version += 1
    if version > shape.VERSION:
        raise ValueError(f"timerdata version {version} är nyare än denna version av Löfte")
    try:
        return shape(**values)
    except TypeError as exc:
        raise ValueError(f"timerdata går inte att läsa: {exc}") from exc
