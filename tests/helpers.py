"""Small read helpers for tests: what a user would look at after the engine ran."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.convert import to_record
from storage.tables import AuditRow, CompletionRow, InstanceRow, OutboxRow, RequestRow
from tests.conftest import Harness
from workflow.records import (
    AuditEvent,
    CompletionRecord,
    CycleInstance,
    InputRequest,
    OutboxMessage,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def session(h: Harness) -> Session:
    return Session(h.store.engine)


def instance(h: Harness, name: str, key: str) -> CycleInstance:
    with session(h) as s:
        row = s.exec(
            select(InstanceRow).where(
                InstanceRow.definition_name == name, InstanceRow.period_key == key
            )
        ).one()
        return to_record(row, CycleInstance)


def instances(h: Harness, name: str) -> list[CycleInstance]:
    with session(h) as s:
        rows = s.exec(
            select(InstanceRow)
            .where(InstanceRow.definition_name == name)
            .order_by(col(InstanceRow.period_start))
        ).all()
        return [to_record(r, CycleInstance) for r in rows]


def requests(h: Harness, inst: CycleInstance, step: str | None = None) -> list[InputRequest]:
    with session(h) as s:
        query = select(RequestRow).where(RequestRow.instance_id == inst.id)
        if step:
            query = query.where(RequestRow.step_id == step)
        return [to_record(r, InputRequest) for r in s.exec(query.order_by(col(RequestRow.id)))]


def request_of(h: Harness, inst: CycleInstance, step: str, person: str) -> InputRequest:
    return next(r for r in requests(h, inst, step) if r.person_id == person)


def outbox(h: Harness, kind: str | None = None) -> list[OutboxMessage]:
    with session(h) as s:
        query = select(OutboxRow)
        if kind:
            query = query.where(OutboxRow.kind == kind)
        return [to_record(r, OutboxMessage) for r in s.exec(query.order_by(col(OutboxRow.id)))]


def audit(h: Harness, inst: CycleInstance | None = None) -> list[AuditEvent]:
    with session(h) as s:
        query = select(AuditRow)
        if inst is not None:
            query = query.where(AuditRow.instance_id == inst.id)
        return [to_record(r, AuditEvent) for r in s.exec(query.order_by(col(AuditRow.id)))]


def completion(h: Harness, inst: CycleInstance) -> CompletionRecord:
    with session(h) as s:
        row = s.exec(select(CompletionRow).where(CompletionRow.instance_id == inst.id)).one()
        return to_record(row, CompletionRecord)


def observation(**override: Any) -> dict[str, Any]:
    row = {
        "kategori": "skadegörelse/klotter",
        "plats": "Stora torget",
        "tidpunkt": "2027-01-04T22:00",
        "beskrivning": "Klotter på busskuren.",
    }
    row.update(override)
    return row


def inventory_answer() -> dict[str, Any]:
    return {"iakttagelser": [observation()]}
