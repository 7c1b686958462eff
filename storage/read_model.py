"""Read-only queries for status, audit, show, my tasks and the web pages (implements
`workflow.application.reads.ReadModel`)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, String, bindparam, cast, func, select, true

from lofte.storage import rows
from lofte.storage.drivers import READ_ONLY, driver_for
from lofte.storage.fast_sql import prepare_module
from lofte.storage.record_rows import RecordRows
from lofte.storage.repositories.audit import A as AUDIT
from lofte.storage.tables import ActionEventRow, StepContextRow, VersionRow
from lofte.storage.types import UtcDateTime
from lofte.workflow.application.reads import CycleFilter
from lofte.workflow.core.catalog import DEFINITION
from lofte.workflow.core.ports import StoredVersion
from lofte.workflow.core.records import (
    Action,
    AuditEvent,
    CycleInstance,
    InputRequest,
    Meeting,
    OutboxMessage,
    OutboxStatus,
    RequestStatus,
    Timer,
    TimerStatus,
)

CY, R, T, OB = rows.INSTANCES, rows.REQUESTS, rows.TIMERS, rows.OUTBOX
M, ACT = rows.MEETINGS, rows.ACTIONS
E = rows.table(ActionEventRow)
V = rows.table(VersionRow)
SC = rows.table(StepContextRow)
CYCLE_COLUMNS = [c.label(f"i_{c.name}") for c in CY.c]


def _cycle_of(row: Any) -> CycleInstance:
    return rows.instance({k[2:]: v for k, v in row.items() if k.startswith("i_")})


# (the detail is stored as its canonical text, read exactly: the chain check reads it again)
audit_event = RecordRows(AuditEvent, AUDIT, read_as={"detail": json.loads}).read
stored_version = RecordRows(StoredVersion, V, renamed={"unit": "unit_id"}).read


# Built once: the simulation asks after every moment of virtual time.
_REQUESTS_AFTER = (
    select(R, *CYCLE_COLUMNS)
    .join(CY, CY.c.id == R.c.instance_id)
    .where(R.c.id > bindparam("after"))
    .order_by(R.c.id)
    .limit(bindparam("limit"))
)


_AUDIT_HEAD = select(AUDIT.c.seq, AUDIT.c.hash).order_by(AUDIT.c.seq.desc()).limit(1)

prepare_module(globals())  # the statements above run on the driver (storage.fast_sql)


class SqlReadModel:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.execute = driver_for(engine).execute  # a prebuilt statement: fast, or SQLAlchemy

    def _all(self, query: Any) -> list[Any]:
        with self._connect() as c:
            return list(c.execute(query).mappings())

    def _connect(self) -> Any:
        return self.engine.connect().execution_options(**{READ_ONLY: True})

    def cycles(self, where: CycleFilter) -> list[CycleInstance]:
        query = select(CY).order_by(CY.c.period_start, CY.c.definition_name, CY.c.unit_id)
        if where.definition:
            query = query.where(CY.c.definition_name == where.definition)
        if where.units is not None:
            query = query.where(CY.c.unit_id.in_(list(where.units)))
        if where.open_only:
            query = query.where(CY.c.closed_at.is_(None))
        if where.started_from:
            query = query.where(CY.c.period_start >= where.started_from)
        if where.started_before:
            query = query.where(CY.c.period_start < where.started_before)
        return [rows.instance(r) for r in self._all(query)]

    def cycle(self, instance_id: int) -> CycleInstance | None:
        found = self._all(select(CY).where(CY.c.id == instance_id))
        return rows.instance(found[0]) if found else None

    def requests_of_cycle(self, instance_id: int) -> list[InputRequest]:
        query = select(R).where(R.c.instance_id == instance_id).order_by(R.c.id)
        return [rows.request(r) for r in self._all(query)]

    def answered_requests_of_unit(
        self, unit_id: str, step_ids: Sequence[str]
    ) -> list[InputRequest]:
        cycles = select(CY.c.id).where(CY.c.unit_id == unit_id)
        query = (
            select(R)
            .where(R.c.instance_id.in_(cycles), R.c.status == RequestStatus.ANSWERED.value)
            .where(R.c.step_id.in_(list(step_ids)))
            .order_by(R.c.instance_id, R.c.id)
        )
        return [rows.request(r) for r in self._all(query)]

    def open_requests(
        self, person_id: str | None = None, units: Sequence[str] | None = None
    ) -> list[tuple[InputRequest, CycleInstance]]:
        query = (
            select(R, *CYCLE_COLUMNS)
            .join(CY, CY.c.id == R.c.instance_id)
            .where(R.c.status == RequestStatus.OPEN.value, CY.c.closed_at.is_(None))
            .order_by(R.c.deadline_at, R.c.id)
        )
        if person_id is not None:
            query = query.where(R.c.person_id == person_id)
        if units is not None:
            query = query.where(R.c.unit_id.in_(list(units)))
        return [(rows.request(r), _cycle_of(r)) for r in self._all(query)]

    def requests_after(
        self, request_id: int, limit: int = 1000
    ) -> list[tuple[InputRequest, CycleInstance]]:
        with self._connect() as c:
            found = self.execute(c, _REQUESTS_AFTER, {"after": request_id, "limit": limit})
            found = found.mappings()
            return [(rows.request(r), _cycle_of(r)) for r in found]

    def answered_requests_of(
        self, person_id: str, limit: int
    ) -> list[tuple[InputRequest, CycleInstance]]:
        query = (
            select(R, *CYCLE_COLUMNS)
            .join(CY, CY.c.id == R.c.instance_id)
            .where(R.c.person_id == person_id, R.c.status == RequestStatus.ANSWERED.value)
            .order_by(R.c.answered_at.desc())
            .limit(limit)
        )
        return [(rows.request(r), _cycle_of(r)) for r in self._all(query)]

    def meetings_of(self, person_id: str, after: datetime) -> list[tuple[Meeting, CycleInstance]]:
        query = (
            select(M, *CYCLE_COLUMNS)
            .join(CY, CY.c.id == M.c.instance_id)
            .where(M.c.ends_at >= after, M.c.cancelled.is_(False))
            .where(_lists(M.c.participants, person_id))
            .order_by(M.c.starts_at)
        )
        return [
            (rows.meeting(r), _cycle_of(r))
            for r in self._all(query)
            if person_id in (r["participants"] or [])
        ]

    def meetings_between(
        self, start: datetime, end: datetime
    ) -> list[tuple[Meeting, CycleInstance]]:
        query = (
            select(M, *CYCLE_COLUMNS)
            .join(CY, CY.c.id == M.c.instance_id)
            .where(M.c.starts_at > start, M.c.starts_at < end)
            .order_by(M.c.starts_at, M.c.id)
        )
        return [(rows.meeting(r), _cycle_of(r)) for r in self._all(query)]

    def meetings_of_cycle(self, instance_id: int) -> list[Meeting]:
        query = select(M).where(M.c.instance_id == instance_id).order_by(M.c.starts_at)
        return [rows.meeting(r) for r in self._all(query)]

    def step_context(self, instance_id: int, step_id: str) -> dict[str, object] | None:
        query = select(SC.c.context).where(SC.c.instance_id == instance_id, SC.c.step_id == step_id)
        found = self._all(query)
        return dict(found[0]["context"]) if found else None

    def audit_events(
        self, instance_id: int | None = None, unit_id: str | None = None, limit: int | None = None
    ) -> list[AuditEvent]:
        query = select(AUDIT).order_by(AUDIT.c.seq)
        if instance_id is not None:
            query = query.where(AUDIT.c.instance_id == instance_id)
        if unit_id is not None:
            query = query.where(AUDIT.c.unit_id == unit_id)
        if limit is not None:  # the latest `limit` events of the same filter
            query = query.order_by(None).order_by(AUDIT.c.seq.desc()).limit(limit)
        found = [audit_event(r) for r in self._all(query)]
        return sorted(found, key=lambda e: e.seq or 0)

    def audit_chain(self) -> Iterator[AuditEvent]:
        with self._connect() as c:
            result = c.execution_options(yield_per=2000).execute(
                select(AUDIT).order_by(AUDIT.c.seq)
            )
            for row in result.mappings():
                yield audit_event(row)

    def audit_head(self) -> tuple[int, str] | None:
        with self._connect() as c:
            row = c.execute(_AUDIT_HEAD).first()
        return None if row is None else (int(row[0]), str(row[1]))

    def timer_counts(self) -> dict[str, int]:
        query = select(T.c.status, func.count()).group_by(T.c.status)
        with self._connect() as c:
            return {str(status): int(n) for status, n in c.execute(query)}

    def timers(self, status: str | None = None, limit: int = 50) -> list[Timer]:
        query = select(T).order_by(T.c.due_at, T.c.id).limit(limit)
        if status is not None:
            try:
                query = query.where(rows.status_is(T.c.status, TimerStatus(status)))
            except ValueError:  # no such status: no such timers
                return []
        return [rows.timer(r) for r in self._all(query)]

    def next_timer(self) -> datetime | None:
        query = select(func.min(T.c.due_at)).where(rows.status_is(T.c.status, TimerStatus.PENDING))
        with self._connect() as c:
            value = c.execute(query).scalar()
        return None if value is None else UtcDateTime.aware(value)

    def outbox_counts(self) -> dict[str, int]:
        query = select(OB.c.status, func.count()).group_by(OB.c.status)
        with self._connect() as c:
            return {str(status): int(n) for status, n in c.execute(query)}

    def outbox(self, status: str | None = None, limit: int = 50) -> list[OutboxMessage]:
        query = select(OB).order_by(OB.c.id.desc()).limit(limit)
        if status is not None:
            try:
                query = query.where(rows.status_is(OB.c.status, OutboxStatus(status)))
            except ValueError:  # no such status: no such messages
                return []
        return [rows.message(r) for r in self._all(query)][::-1]

    def actions(self, units: Sequence[str], status: Sequence[str] | None = None) -> list[Action]:
        query = (
            select(ACT).where(ACT.c.unit_id.in_(list(units))).order_by(ACT.c.created_at, ACT.c.id)
        )
        if status is not None:
            query = query.where(ACT.c.status.in_(list(status)))
        return [rows.action(r) for r in self._all(query)]

    def action_history(self, action_id: int) -> list[tuple[datetime, str, str, str, str]]:
        query = select(E).where(E.c.action_id == action_id).order_by(E.c.at, E.c.id)
        return [
            (r["at"], r["status"], r["actor"], r["note"], r["effect"]) for r in self._all(query)
        ]

    def version_history(self) -> dict[tuple[str, str], list[StoredVersion]]:
        query = select(V).where(V.c.kind == DEFINITION).order_by(V.c.name, V.c.unit_id, V.c.version)
        history: dict[tuple[str, str], list[StoredVersion]] = {}
        for r in self._all(query):
            history.setdefault((r["name"], r["unit_id"]), []).append(stored_version(r))
        return history


def _lists(column: Any, value: str) -> Any:
    """A JSON list of strings that may hold `value`, in the database (its JSON text holds the
    quoted string; the caller checks the list itself): the rows of one person, not of the whole
    deployment, reach Python. The same SQL on SQLite and PostgreSQL. A value beyond ASCII may be
    stored escaped or not (the JSON serializer's choice): then no filter."""
    if not value.isascii():
        return true()
    quoted = json.dumps(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return cast(column, String).like(f"%{quoted}%", escape="\\")
