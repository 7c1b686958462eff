"""Read-only views for people: status, audit, completion. Never part of a state change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, col, func, select

from storage.convert import to_record
from storage.sql_store import SqlTransaction
from storage.tables import (
    AuditRow,
    CompletionRow,
    InstanceRow,
    OutboxRow,
    RequestRow,
    SubmissionRow,
    TimerRow,
)
from workflow.records import (
    AuditEvent,
    CompletionRecord,
    CycleInstance,
    InputRequest,
    OutboxMessage,
    StepRun,
    Submission,
)


@dataclass(frozen=True)
class OpenCycle:
    instance: CycleInstance
    step: StepRun | None


def open_cycles(session: Session) -> list[OpenCycle]:
    rows = session.exec(
        select(InstanceRow)
        .where(col(InstanceRow.closed_at).is_(None))
        .order_by(col(InstanceRow.period_start), col(InstanceRow.definition_name))
    ).all()
    reader = SqlTransaction(session)
    return [
        OpenCycle(to_record(row, CycleInstance), reader.current_step_run(row.id or 0))
        for row in rows
    ]


def open_requests(session: Session, person_id: str | None = None) -> list[InputRequest]:
    query = select(RequestRow).where(RequestRow.status == "open")
    if person_id:
        query = query.where(RequestRow.person_id == person_id)
    rows = session.exec(query.order_by(col(RequestRow.deadline_at), col(RequestRow.id))).all()
    return [to_record(r, InputRequest) for r in rows]


def instances(session: Session, definition_name: str | None = None) -> list[CycleInstance]:
    return list(SqlTransaction(session).instances(definition_name or None))


def instance(session: Session, instance_id: int) -> CycleInstance | None:
    row = session.get(InstanceRow, instance_id)
    return None if row is None else to_record(row, CycleInstance)


def completions(session: Session) -> dict[int, CompletionRecord]:
    rows = session.exec(select(CompletionRow)).all()
    return {r.instance_id: to_record(r, CompletionRecord) for r in rows}


def audit_events(session: Session, instance_id: int | None = None) -> list[AuditEvent]:
    query = select(AuditRow)
    if instance_id is not None:
        query = query.where(AuditRow.instance_id == instance_id)
    return [to_record(r, AuditEvent) for r in session.exec(query.order_by(col(AuditRow.id)))]


def submissions(session: Session, instance_id: int) -> list[Submission]:
    rows = session.exec(
        select(SubmissionRow)
        .where(SubmissionRow.instance_id == instance_id)
        .order_by(col(SubmissionRow.id))
    ).all()
    return [to_record(r, Submission) for r in rows]


def requests_for_instance(session: Session, instance_id: int) -> list[InputRequest]:
    return list(SqlTransaction(session).requests_for_instance(instance_id))


def timer_counts(session: Session) -> dict[str, int]:
    """Timers by status."""
    return _count_by(session, TimerRow.status)


def next_timer(session: Session) -> datetime | None:
    return SqlTransaction(session).next_timer_due()


def outbox(
    session: Session, limit: int | None = None, status: str | None = None
) -> list[OutboxMessage]:
    query = select(OutboxRow).order_by(col(OutboxRow.id).desc())
    if status:
        query = query.where(OutboxRow.status == status)
    if limit:
        query = query.limit(limit)
    return [to_record(r, OutboxMessage) for r in reversed(session.exec(query).all())]


def outbox_counts(session: Session, by: Literal["kind", "status"] = "kind") -> dict[str, int]:
    """Outbox messages by kind or by status."""
    return _count_by(session, OutboxRow.kind if by == "kind" else OutboxRow.status)


def _count_by(session: Session, column: Any) -> dict[str, int]:
    rows: Sequence[tuple[str, int]] = session.exec(
        select(column, func.count()).group_by(column)
    ).all()
    return dict(rows)
