"""The engine's Store and Transaction, implemented with SQLModel over SQLite or PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, bindparam, exists, func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.convert import row_values, to_record
from storage.tables import (
    AuditRow,
    CompletionRow,
    DefinitionRow,
    InstanceRow,
    MeetingRow,
    OutboxRow,
    RequestRow,
    SettingRow,
    StepRunRow,
    SubmissionRow,
    TimerRow,
)
from storage.types import UtcDateTime
from workflow.errors import ConcurrentUpdate, NotFound
from workflow.records import (
    AuditEvent,
    CompletionRecord,
    CycleInstance,
    DefinitionVersion,
    InputRequest,
    Meeting,
    OutboxMessage,
    OutboxStatus,
    StepRun,
    Submission,
    Timer,
    TimerStatus,
)

DEFINITION = "definition"
ORGANISATION = "organisation"
ORGANISATION_NAME = "organisation"


def _claim_due_statement() -> Any:
    """Earliest due pending timer with no earlier pending timer of the same cycle, locked;
    rows another process holds are skipped (PostgreSQL; SQLite serialises writers)."""
    earlier = aliased(TimerRow)
    same_cycle_earlier = exists().where(
        col(earlier.status) == TimerStatus.PENDING.value,
        or_(
            and_(
                col(TimerRow.instance_id).is_not(None),
                col(earlier.instance_id) == col(TimerRow.instance_id),
            ),
            and_(
                col(TimerRow.instance_id).is_(None),
                col(earlier.instance_id).is_(None),
                col(earlier.definition_name) == col(TimerRow.definition_name),
            ),
        ),
        or_(
            col(earlier.due_at) < col(TimerRow.due_at),
            and_(
                col(earlier.due_at) == col(TimerRow.due_at),
                col(earlier.id) < col(TimerRow.id),
            ),
        ),
    )
    return (
        select(TimerRow)
        .where(
            TimerRow.status == TimerStatus.PENDING.value,
            col(TimerRow.due_at) <= bindparam("now", type_=UtcDateTime()),
            ~same_cycle_earlier,
        )
        .order_by(col(TimerRow.due_at), col(TimerRow.id))
        .limit(1)
        .with_for_update(skip_locked=True, of=TimerRow)
    )


_CLAIM_DUE = _claim_due_statement()


class SqlStore:
    """Opens one database transaction per unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield SqlTransaction(session)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for read-only views (status, reports)."""
        with Session(self.engine) as session:
            yield session


class SqlTransaction:
    def __init__(self, session: Session) -> None:
        self.session = session

    # definitions and organisation -------------------------------------------------------
    def latest_definition(self, name: str) -> DefinitionVersion | None:
        return self._latest_document(DEFINITION, name)

    def definition(self, name: str, version: int) -> DefinitionVersion:
        row = self.session.exec(
            select(DefinitionRow).where(
                DefinitionRow.kind == DEFINITION,
                DefinitionRow.name == name,
                DefinitionRow.version == version,
            )
        ).first()
        if row is None:
            raise NotFound("definition version", f"{name} v{version}")
        return to_record(row, DefinitionVersion)

    def definition_names(self) -> Sequence[str]:
        rows = self.session.exec(
            select(DefinitionRow.name).where(DefinitionRow.kind == DEFINITION).distinct()
        ).all()
        return sorted(rows)

    def add_definition(self, version: DefinitionVersion) -> None:
        self.session.add(DefinitionRow(kind=DEFINITION, **row_values(version)))
        self.session.flush()

    def latest_organisation(self) -> DefinitionVersion | None:
        return self._latest_document(ORGANISATION, ORGANISATION_NAME)

    def add_organisation(self, version: DefinitionVersion) -> None:
        self.session.add(DefinitionRow(kind=ORGANISATION, **row_values(version)))
        self.session.flush()

    def _latest_document(self, kind: str, name: str) -> DefinitionVersion | None:
        row = self.session.exec(
            select(DefinitionRow)
            .where(DefinitionRow.kind == kind, DefinitionRow.name == name)
            .order_by(col(DefinitionRow.version).desc())
            .limit(1)
        ).first()
        return None if row is None else to_record(row, DefinitionVersion)

    # cycle instances ----------------------------------------------------------------------
    def add_instance(self, instance: CycleInstance) -> CycleInstance:
        row = InstanceRow(**row_values(instance))
        self.session.add(row)
        self.session.flush()
        return dataclasses.replace(instance, id=row.id)

    def instance(self, instance_id: int, *, lock: bool = False) -> CycleInstance:
        query = select(InstanceRow).where(InstanceRow.id == instance_id)
        if lock:
            query = query.with_for_update()
        row = self.session.exec(query).first()
        if row is None:
            raise NotFound("cycle instance", instance_id)
        return to_record(row, CycleInstance)

    def find_instance(self, definition_name: str, period_key: str) -> CycleInstance | None:
        row = self.session.exec(
            select(InstanceRow).where(
                InstanceRow.definition_name == definition_name,
                InstanceRow.period_key == period_key,
            )
        ).first()
        return None if row is None else to_record(row, CycleInstance)

    def latest_instance(self, definition_name: str) -> CycleInstance | None:
        row = self.session.exec(
            select(InstanceRow)
            .where(InstanceRow.definition_name == definition_name)
            .order_by(col(InstanceRow.period_start).desc())
            .limit(1)
        ).first()
        return None if row is None else to_record(row, CycleInstance)

    def latest_completed(
        self, definition_name: str, before: datetime, period_key: str | None = None
    ) -> CycleInstance | None:
        query = select(InstanceRow).where(
            InstanceRow.definition_name == definition_name,
            col(InstanceRow.closed_at).is_not(None),
            col(InstanceRow.closed_at) <= before,
            InstanceRow.state == "completed",
        )
        if period_key is not None:
            query = query.where(InstanceRow.period_key == period_key)
        row = self.session.exec(
            query.order_by(col(InstanceRow.period_start).desc()).limit(1)
        ).first()
        return None if row is None else to_record(row, CycleInstance)

    def save_instance(self, instance: CycleInstance) -> CycleInstance:
        assert instance.id is not None
        values = row_values(instance)
        result = self.session.execute(
            update(InstanceRow)
            .where(
                col(InstanceRow.id) == instance.id,
                col(InstanceRow.version) == instance.version,
            )
            .values(
                state=values["state"],
                outcome=values["outcome"],
                closed_at=values["closed_at"],
                context=values["context"],
                version=instance.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate(instance.id, instance.version)
        return dataclasses.replace(instance, version=instance.version + 1)

    # steps, requests and submissions -------------------------------------------------------
    def add_step_run(self, step_run: StepRun) -> StepRun:
        row = StepRunRow(**row_values(step_run))
        self.session.add(row)
        self.session.flush()
        return dataclasses.replace(step_run, id=row.id)

    def step_run(self, step_run_id: int) -> StepRun:
        row = self.session.get(StepRunRow, step_run_id)
        if row is None:
            raise NotFound("step run", step_run_id)
        return to_record(row, StepRun)

    def current_step_run(self, instance_id: int) -> StepRun | None:
        row = self.session.exec(
            select(StepRunRow)
            .where(StepRunRow.instance_id == instance_id, col(StepRunRow.closed_at).is_(None))
            .order_by(col(StepRunRow.id).desc())
            .limit(1)
        ).first()
        return None if row is None else to_record(row, StepRun)

    def save_step_run(self, step_run: StepRun) -> None:
        self._update(StepRunRow, step_run.id, closed_at=step_run.closed_at)

    def add_request(self, request: InputRequest) -> InputRequest:
        row = RequestRow(**row_values(request))
        self.session.add(row)
        self.session.flush()
        return dataclasses.replace(request, id=row.id)

    def request(self, request_id: int, *, lock: bool = False) -> InputRequest:
        query = select(RequestRow).where(RequestRow.id == request_id)
        if lock:
            query = query.with_for_update()
        row = self.session.exec(query).first()
        if row is None:
            raise NotFound("input request", request_id)
        return to_record(row, InputRequest)

    def requests_for_step(self, step_run_id: int) -> Sequence[InputRequest]:
        rows = self.session.exec(
            select(RequestRow)
            .where(RequestRow.step_run_id == step_run_id)
            .order_by(col(RequestRow.id))
        ).all()
        return [to_record(r, InputRequest) for r in rows]

    def requests_for_instance(self, instance_id: int) -> Sequence[InputRequest]:
        rows = self.session.exec(
            select(RequestRow)
            .where(RequestRow.instance_id == instance_id)
            .order_by(col(RequestRow.id))
        ).all()
        return [to_record(r, InputRequest) for r in rows]

    def save_request(self, request: InputRequest) -> None:
        self._update(
            RequestRow,
            request.id,
            status=request.status.value,
            answered_at=request.answered_at,
            late=request.late,
        )

    def requests_after(self, request_id: int) -> Sequence[InputRequest]:
        rows = self.session.exec(
            select(RequestRow).where(col(RequestRow.id) > request_id).order_by(col(RequestRow.id))
        ).all()
        return [to_record(r, InputRequest) for r in rows]

    def instances(self, definition_name: str | None = None) -> Sequence[CycleInstance]:
        query = select(InstanceRow)
        if definition_name is not None:
            query = query.where(InstanceRow.definition_name == definition_name)
        rows = self.session.exec(
            query.order_by(col(InstanceRow.period_start), col(InstanceRow.id))
        ).all()
        return [to_record(r, CycleInstance) for r in rows]

    def add_submission(self, submission: Submission) -> Submission:
        row = SubmissionRow(**row_values(submission))
        self.session.add(row)
        self.session.flush()
        return dataclasses.replace(submission, id=row.id)

    def submissions_for_step(self, instance_id: int, step_id: str) -> Sequence[Submission]:
        rows = self.session.exec(
            select(SubmissionRow)
            .where(SubmissionRow.instance_id == instance_id, SubmissionRow.step_id == step_id)
            .order_by(col(SubmissionRow.id))
        ).all()
        return [to_record(r, Submission) for r in rows]

    # timers -------------------------------------------------------------------------------
    def add_timer(self, timer: Timer) -> bool:
        exists_already = self.session.exec(
            select(TimerRow.id).where(TimerRow.key == timer.key)
        ).first()
        if exists_already is not None:
            return False
        values = row_values(timer)
        values["kind"] = timer.kind.value
        values["status"] = timer.status.value
        self.session.add(TimerRow(**values))
        self.session.flush()
        return True

    def claim_due_timer(self, now: datetime) -> Timer | None:
        row = self.session.exec(_CLAIM_DUE, params={"now": now}).first()
        return None if row is None else to_record(row, Timer)

    def finish_timer(self, timer: Timer) -> None:
        self._update(
            TimerRow,
            timer.id,
            status=timer.status.value,
            fired_at=timer.fired_at,
            fired_by=timer.fired_by,
            note=timer.note,
        )

    def cancel_timers(
        self,
        *,
        step_run_id: int | None = None,
        request_id: int | None = None,
        definition_name: str | None = None,
        kind: str | None = None,
    ) -> int:
        conditions: list[Any] = [TimerRow.status == TimerStatus.PENDING.value]
        if step_run_id is not None:
            conditions.append(TimerRow.step_run_id == step_run_id)
        if request_id is not None:
            conditions.append(TimerRow.request_id == request_id)
        if definition_name is not None:
            conditions.append(TimerRow.definition_name == definition_name)
        if kind is not None:
            conditions.append(TimerRow.kind == kind)
        result = self.session.execute(
            update(TimerRow)
            .where(*conditions)
            .values(status=TimerStatus.CANCELLED.value)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def next_timer_due(self) -> datetime | None:
        value = self.session.exec(
            select(func.min(TimerRow.due_at)).where(TimerRow.status == TimerStatus.PENDING.value)
        ).first()
        return value

    def pending_open_timer(self, definition_name: str) -> Timer | None:
        row = self.session.exec(
            select(TimerRow).where(
                TimerRow.definition_name == definition_name,
                TimerRow.kind == "cycle_open",
                TimerRow.status == TimerStatus.PENDING.value,
            )
        ).first()
        return None if row is None else to_record(row, Timer)

    # records written with every state change ------------------------------------------------
    def add_audit(self, event: AuditEvent) -> None:
        self.session.add(AuditRow(**row_values(event)))

    def add_outbox(self, message: OutboxMessage) -> bool:
        found = self.session.exec(select(OutboxRow.id).where(OutboxRow.key == message.key)).first()
        if found is not None:
            return False
        values = row_values(message)
        values["kind"] = message.kind.value
        values["status"] = message.status.value
        self.session.add(OutboxRow(**values))
        return True

    def add_completion(self, record: CompletionRecord) -> None:
        values = row_values(record)
        values["outcome"] = record.outcome.value
        self.session.add(CompletionRow(**values))

    # meetings ---------------------------------------------------------------------------------
    def add_meeting(self, meeting: Meeting) -> Meeting:
        row = MeetingRow(**row_values(meeting))
        self.session.add(row)
        self.session.flush()
        return dataclasses.replace(meeting, id=row.id)

    def meeting(self, instance_id: int, step_id: str, *, lock: bool = False) -> Meeting | None:
        query = select(MeetingRow).where(
            MeetingRow.instance_id == instance_id, MeetingRow.step_id == step_id
        )
        if lock:
            query = query.with_for_update()
        row = self.session.exec(query).first()
        return None if row is None else to_record(row, Meeting)

    def save_meeting(self, meeting: Meeting) -> None:
        self._update(
            MeetingRow,
            meeting.id,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            location=meeting.location,
            sequence=meeting.sequence,
            cancelled=meeting.cancelled,
        )

    # outbox delivery ----------------------------------------------------------------------------
    def claim_outbox(
        self, now: datetime, stale_before: datetime, claimer: str
    ) -> OutboxMessage | None:
        due = or_(
            and_(
                col(OutboxRow.status) == OutboxStatus.PENDING.value,
                or_(
                    col(OutboxRow.next_attempt_at).is_(None),
                    col(OutboxRow.next_attempt_at) <= now,
                ),
            ),
            and_(
                col(OutboxRow.status) == OutboxStatus.SENDING.value,
                col(OutboxRow.claimed_at) < stale_before,
            ),
        )
        row = self.session.exec(
            select(OutboxRow)
            .where(due)
            .order_by(col(OutboxRow.id))
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        claimed = dataclasses.replace(
            to_record(row, OutboxMessage),
            status=OutboxStatus.SENDING,
            claimed_by=claimer,
            claimed_at=now,
            attempts=row.attempts + 1,
        )
        self.save_outbox(claimed)
        return claimed

    def outbox_message(self, message_id: int, *, lock: bool = False) -> OutboxMessage:
        query = select(OutboxRow).where(OutboxRow.id == message_id)
        if lock:
            query = query.with_for_update()
        row = self.session.exec(query).first()
        if row is None:
            raise NotFound("outbox message", message_id)
        return to_record(row, OutboxMessage)

    def save_outbox(self, message: OutboxMessage) -> None:
        self._update(
            OutboxRow,
            message.id,
            status=message.status.value,
            attempts=message.attempts,
            next_attempt_at=message.next_attempt_at,
            claimed_by=message.claimed_by,
            claimed_at=message.claimed_at,
            sent_at=message.sent_at,
            last_error=message.last_error,
            delivery=message.delivery,
        )

    def outbox_with_status(
        self, status: str, person_id: str | None = None
    ) -> Sequence[OutboxMessage]:
        query = select(OutboxRow).where(OutboxRow.status == status)
        if person_id is not None:
            query = query.where(OutboxRow.person_id == person_id)
        rows = self.session.exec(query.order_by(col(OutboxRow.id))).all()
        return [to_record(r, OutboxMessage) for r in rows]

    def open_requests_of(self, person_id: str) -> Sequence[InputRequest]:
        rows = self.session.exec(
            select(RequestRow)
            .where(RequestRow.person_id == person_id, RequestRow.status == "open")
            .order_by(col(RequestRow.deadline_at), col(RequestRow.id))
        ).all()
        return [to_record(r, InputRequest) for r in rows]

    def outbox_exists(self, key: str) -> bool:
        return (
            self.session.exec(select(OutboxRow.id).where(OutboxRow.key == key)).first() is not None
        )

    # installation settings -------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        row = self.session.get(SettingRow, key)
        return None if row is None else row.value

    def setting_or_default(self, key: str, default: str) -> str:
        """The stored value, storing `default` first if there is none. Safe when several
        processes race: the first insert wins and everyone reads that value."""
        insert = (
            pg_insert
            if self.session.bind.dialect.name == "postgresql"  # type: ignore[union-attr]
            else sqlite_insert
        )
        self.session.execute(
            insert(SettingRow).values(key=key, value=default).on_conflict_do_nothing()
        )
        value = self.setting(key)
        assert value is not None
        return value

    def _update(self, table: Any, row_id: int | None, **values: Any) -> None:
        assert row_id is not None
        self.session.execute(
            update(table)
            .where(table.id == row_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
