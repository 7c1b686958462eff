"""Read-only views for people: status, audit, completion. Never part of a state change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from storage.convert import to_record
from storage.tables import (
    AuditRow,
    CompletionRow,
    InstanceRow,
    OutboxRow,
    RequestRow,
    StepRunRow,
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
    Timer,
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
    result = []
    for row in rows:
        step = session.exec(
            select(StepRunRow)
            .where(StepRunRow.instance_id == row.id, col(StepRunRow.closed_at).is_(None))
            .order_by(col(StepRunRow.id).desc())
        ).first()
        result.append(
            OpenCycle(to_record(row, CycleInstance), to_record(step, StepRun) if step else None)
        )
    return result


def open_requests(session: Session, person_id: str | None = None) -> list[InputRequest]:
    query = select(RequestRow).where(RequestRow.status == "open")
    if person_id:
        query = query.where(RequestRow.person_id == person_id)
    rows = session.exec(query.order_by(col(RequestRow.deadline_at), col(RequestRow.id))).all()
    return [to_record(r, InputRequest) for r in rows]


def instances(session: Session, definition_name: str | None = None) -> list[CycleInstance]:
    query = select(InstanceRow)
    if definition_name:
        query = query.where(InstanceRow.definition_name == definition_name)
    rows = session.exec(query.order_by(col(InstanceRow.period_start), col(InstanceRow.id))).all()
    return [to_record(r, CycleInstance) for r in rows]


def instance(session: Session, instance_id: int) -> CycleInstance | None:
    row = session.get(InstanceRow, instance_id)
    return None if row is None else to_record(row, CycleInstance)


def completions(session: Session) -> dict[int, CompletionRecord]:
    rows = session.exec(select(CompletionRow)).all()
    return {r.instance_id: to_record(r, CompletionRecord) for r in rows}


def audit_events(
    session: Session, instance_id: int | None = None, limit: int | None = None
) -> list[AuditEvent]:
    query = select(AuditRow)
    if instance_id is not None:
        query = query.where(AuditRow.instance_id == instance_id)
    query = query.order_by(col(AuditRow.id).desc() if limit else col(AuditRow.id))
    if limit:
        query = query.limit(limit)
    rows = session.exec(query).all()
    events = [to_record(r, AuditEvent) for r in rows]
    return list(reversed(events)) if limit else events


def submissions(session: Session, instance_id: int) -> list[Submission]:
    rows = session.exec(
        select(SubmissionRow)
        .where(SubmissionRow.instance_id == instance_id)
        .order_by(col(SubmissionRow.id))
    ).all()
    return [to_record(r, Submission) for r in rows]


def requests_for_instance(session: Session, instance_id: int) -> list[InputRequest]:
    rows = session.exec(
        select(RequestRow).where(RequestRow.instance_id == instance_id).order_by(col(RequestRow.id))
    ).all()
    return [to_record(r, InputRequest) for r in rows]


def timers(session: Session, status: str | None = None) -> list[Timer]:
    query = select(TimerRow)
    if status:
        query = query.where(TimerRow.status == status)
    rows = session.exec(query.order_by(col(TimerRow.due_at), col(TimerRow.id))).all()
    return [to_record(r, Timer) for r in rows]


def timer_counts(session: Session) -> dict[str, int]:
    rows: Sequence[tuple[str, int]] = session.exec(
        select(TimerRow.status, func.count()).group_by(TimerRow.status)
    ).all()
    return dict(rows)


def next_timer(session: Session) -> datetime | None:
    return session.exec(
        select(func.min(TimerRow.due_at)).where(TimerRow.status == "pending")
    ).first()


def outbox(
    session: Session, limit: int | None = None, status: str | None = None
) -> list[OutboxMessage]:
    query = select(OutboxRow).order_by(col(OutboxRow.id).desc())
    if status:
        query = query.where(OutboxRow.status == status)
    if limit:
        query = query.limit(limit)
    return [to_record(r, OutboxMessage) for r in reversed(session.exec(query).all())]


def outbox_counts(session: Session) -> dict[str, int]:
    rows: Sequence[tuple[str, int]] = session.exec(
        select(OutboxRow.kind, func.count()).group_by(OutboxRow.kind)
    ).all()
    return dict(rows)


def outbox_status_counts(session: Session) -> dict[str, int]:
    rows: Sequence[tuple[str, int]] = session.exec(
        select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
    ).all()
    return dict(rows)
