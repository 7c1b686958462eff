"""Rows to records and records to rows, field by field (no ORM: these run on every step)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, literal_column

from lofte.storage.tables import (
    ActionRow,
    InstanceRow,
    MeetingRow,
    OutboxRow,
    RequestRow,
    TimerRow,
)
from lofte.workflow.core.records import (
    Action,
    ActionStatus,
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


def table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


def status_is(column: Any, status: StrEnum) -> Any:
    """`column = 'value'` with the value written into the statement, not bound: how a query
    states the condition of a partial index over that status, so that it is used
    (`storage.tables._partial`; SQLite and PostgreSQL match the text, not a parameter)."""
    if not status.value.isidentifier():
        raise ValueError(f"not a status: {status.value!r}")
    return column == literal_column(f"'{status.value}'")


INSTANCES = table(InstanceRow)
REQUESTS = table(RequestRow)
TIMERS = table(TimerRow)
OUTBOX = table(OutboxRow)
MEETINGS = table(MeetingRow)
ACTIONS = table(ActionRow)

Row = Mapping[str, Any]


def instance(row: Row) -> CycleInstance:
    return CycleInstance(
        key=row["key"],
        definition_name=row["definition_name"],
        unit_id=row["unit_id"],
        definition_version=row["definition_version"],
        period_key=row["period_key"],
        period_label=row["period_label"],
        period_start=row["period_start"],
        opens_at=row["opens_at"],
        ends_at=row["ends_at"],
        opened_at=row["opened_at"],
        state=row["state"],
        step_deadline_at=row["step_deadline_at"],
        step_late_until=row["step_late_until"],
        open_requests=row["open_requests"],
        missing_requests=row["missing_requests"],
        late_answers=row["late_answers"],
        version=row["version"],
        closed_at=row["closed_at"],
        outcome=Outcome(row["outcome"]) if row["outcome"] else None,
        missing=tuple(row["missing"] or ()),
        id=row["id"],
    )


def instance_values(record: CycleInstance) -> dict[str, Any]:
    values = _plain(record)
    values["outcome"] = record.outcome.value if record.outcome else None
    values["missing"] = list(record.missing) or None
    return values


def request(row: Row) -> InputRequest:
    return InputRequest(
        key=row["key"],
        instance_id=row["instance_id"],
        unit_id=row["unit_id"],
        step_id=row["step_id"],
        person_id=row["person_id"],
        roles=tuple(row["roles"]),
        requested_at=row["requested_at"],
        deadline_at=row["deadline_at"],
        late_until=row["late_until"],
        subject=row["subject"] or {},
        status=RequestStatus(row["status"]),
        answered_at=row["answered_at"],
        late=bool(row["late"]),
        answer=row["answer"],
        answer_version=row["answer_version"],
        id=row["id"],
    )


def request_values(record: InputRequest) -> dict[str, Any]:
    values = _plain(record)
    values["roles"] = list(record.roles)
    values["status"] = record.status.value
    return values


def timer(row: Row) -> Timer:
    return Timer(
        key=row["key"],
        kind=TimerKind(row["kind"]),
        due_at=row["due_at"],
        definition_name=row["definition_name"],
        unit_id=row["unit_id"],
        payload=row["payload"] or {},
        instance_id=row["instance_id"],
        status=TimerStatus(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        fired_at=row["fired_at"],
        fired_by=row["fired_by"],
        id=row["id"],
    )


def timer_values(record: Timer) -> dict[str, Any]:
    values = _plain(record)
    values.pop("note", None)  # the handler's note is for the log, not stored
    values["kind"] = record.kind.value
    values["status"] = record.status.value
    return values


def message(row: Row) -> OutboxMessage:
    return OutboxMessage(
        key=row["key"],
        kind=MessageKind(row["kind"]),
        person_id=row["person_id"],
        recipient=row["recipient"],
        language=row["language"],
        created_at=row["created_at"],
        context=row["context"] or {},
        unit_id=row["unit_id"],
        instance_id=row["instance_id"],
        request_id=row["request_id"],
        valid_until=row["valid_until"],
        status=OutboxStatus(row["status"]),
        attempts=row["attempts"],
        first_attempt_at=row["first_attempt_at"],
        next_attempt_at=row["next_attempt_at"],
        claimed_by=row["claimed_by"],
        claimed_at=row["claimed_at"],
        sent_at=row["sent_at"],
        last_error=row["last_error"],
        delivery=row["delivery"],
        reported_at=row["reported_at"],
        id=row["id"],
    )


def message_values(record: OutboxMessage) -> dict[str, Any]:
    values = _plain(record)
    values["kind"] = record.kind.value
    values["status"] = record.status.value
    return values


def meeting(row: Row) -> Meeting:
    return Meeting(
        uid=row["uid"],
        instance_id=row["instance_id"],
        unit_id=row["unit_id"],
        step_id=row["step_id"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        location=row["location"],
        participants=tuple(row["participants"]),
        sequence=row["sequence"],
        cancelled=bool(row["cancelled"]),
        id=row["id"],
    )


def meeting_values(record: Meeting) -> dict[str, Any]:
    values = _plain(record)
    values["participants"] = list(record.participants)
    return values


def action(row: Row) -> Action:
    return Action(
        key=row["key"],
        unit_id=row["unit_id"],
        kind=row["kind"],
        source_instance_id=row["source_instance_id"],
        source_label=row["source_label"],
        what=row["what"],
        owner_id=row["owner_id"],
        owner_party=row["owner_party"],
        created_at=row["created_at"],
        due_date=row["due_date"],
        place=row["place"],
        problem=row["problem"],
        indicator=row["indicator"],
        baseline=row["baseline"],
        status=ActionStatus(row["status"]),
        effect=row["effect"],
        note=row["note"],
        updated_at=row["updated_at"],
        closed_at=row["closed_at"],
        version=row["version"],
        id=row["id"],
    )


def action_values(record: Action) -> dict[str, Any]:
    values = _plain(record)
    values["status"] = record.status.value
    return values


def _plain(record: Any) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in record.__slots__}
    if values.get("id") is None:
        values.pop("id", None)
    return values
