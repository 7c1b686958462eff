"""Rows to records and records to rows (no ORM: these run on every step), derived from the
records' fields and the tables' columns (`storage.record_rows`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Table, bindparam, literal_column

from lofte.storage.record_rows import RecordRows
from lofte.storage.tables import (
    ActionEventRow,
    ActionRow,
    ImportedObservationRow,
    InboundMailRow,
    IndicatorRow,
    InstanceRow,
    MeetingRow,
    OutboxRow,
    RequestRow,
    TimerRow,
)
from lofte.workflow.core.records import (
    Action,
    ActionEvent,
    CycleInstance,
    ImportedObservation,
    InboundMail,
    Indicator,
    InputRequest,
    Meeting,
    OutboxMessage,
    Timer,
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


def bound(columns: Table, names: tuple[str, ...]) -> dict[str, Any]:
    """An UPDATE's SET of these columns, each from the parameter of its name and type (the
    values come from `RecordRows.picked`)."""
    return {name: bindparam(name, type_=columns.c[name].type) for name in names}


INSTANCES = table(InstanceRow)
REQUESTS = table(RequestRow)
TIMERS = table(TimerRow)
OUTBOX = table(OutboxRow)
MEETINGS = table(MeetingRow)
ACTIONS = table(ActionRow)

INSTANCE = RecordRows(CycleInstance, INSTANCES)
REQUEST = RecordRows(InputRequest, REQUESTS)
TIMER = RecordRows(Timer, TIMERS)  # (its `note` is for the log, not stored)
MESSAGE = RecordRows(OutboxMessage, OUTBOX)
MEETING = RecordRows(Meeting, MEETINGS)
ACTION = RecordRows(Action, ACTIONS)
ACTION_EVENT = RecordRows(ActionEvent, table(ActionEventRow))
IMPORTED_OBSERVATIONS = table(ImportedObservationRow)
INDICATORS = table(IndicatorRow)
INBOUND_MAILS = table(InboundMailRow)
IMPORTED = RecordRows(ImportedObservation, IMPORTED_OBSERVATIONS)
INDICATOR = RecordRows(Indicator, INDICATORS)
imported, imported_values = IMPORTED.read, IMPORTED.values
indicator, indicator_values = INDICATOR.read, INDICATOR.values
INBOUND = RecordRows(InboundMail, INBOUND_MAILS)
inbound, inbound_values = INBOUND.read, INBOUND.values

instance, instance_values = INSTANCE.read, INSTANCE.values
request, request_values = REQUEST.read, REQUEST.values
timer, timer_values = TIMER.read, TIMER.values
message, message_values = MESSAGE.read, MESSAGE.values
meeting, meeting_values = MEETING.read, MEETING.values
action, action_values = ACTION.read, ACTION.values
