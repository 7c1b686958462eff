"""Copy between engine records (frozen dataclasses) and table rows, field by field."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from sqlmodel import SQLModel

from workflow.records import (
    CompletionRecord,
    CycleInstance,
    InputRequest,
    Meeting,
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    Outcome,
    RequestStatus,
    Timer,
    TimerKind,
    TimerStatus,
)

R = TypeVar("R")
_ENUMS: dict[tuple[type[Any], str], Any] = {
    (CycleInstance, "outcome"): Outcome,
    (CompletionRecord, "outcome"): Outcome,
    (InputRequest, "status"): RequestStatus,
    (Timer, "kind"): TimerKind,
    (Timer, "status"): TimerStatus,
    (OutboxMessage, "kind"): MessageKind,
    (OutboxMessage, "status"): OutboxStatus,
}
_TUPLES = {(InputRequest, "roles"), (CompletionRecord, "missing"), (Meeting, "participants")}


def to_record(row: SQLModel, record_type: type[R]) -> R:
    values: dict[str, Any] = {}
    for item in dataclasses.fields(record_type):  # type: ignore[arg-type]
        value = getattr(row, item.name)
        enum = _ENUMS.get((record_type, item.name))
        if enum is not None and value is not None:
            value = enum(value)
        if (record_type, item.name) in _TUPLES:
            value = tuple(value)
        values[item.name] = value
    return record_type(**values)


def row_values(record: object, *, skip_id: bool = True) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in dataclasses.fields(record):  # type: ignore[arg-type]
        if skip_id and item.name == "id":
            continue
        value = getattr(record, item.name)
        if isinstance(value, tuple):
            value = list(value)
        values[item.name] = value
    return values
