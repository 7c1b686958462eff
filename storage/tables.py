"""SQLModel tables. Rows are storage's business; the engine sees `workflow.records`."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime


def _when(nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(UtcDateTime(), nullable=nullable, index=index),
    )


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DefinitionRow(SQLModel, table=True):
    __tablename__ = "definition_versions"
    __table_args__ = (UniqueConstraint("kind", "name", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    name: str = Field(max_length=64)
    version: int
    content_hash: str = Field(max_length=64)
    text: str
    registered_at: datetime = _when()


class InstanceRow(SQLModel, table=True):
    __tablename__ = "cycle_instances"
    __table_args__ = (UniqueConstraint("definition_name", "period_key"),)

    id: int | None = Field(default=None, primary_key=True)
    definition_name: str = Field(max_length=64, index=True)
    definition_version: int
    period_key: str = Field(max_length=32)
    period_label: str = Field(max_length=64)
    period_start: datetime = _when()
    opens_at: datetime = _when()
    ends_at: datetime = _when()
    opened_at: datetime = _when()
    state: str = Field(max_length=64)
    context: dict[str, Any] = _json()
    version: int = 1
    closed_at: datetime | None = _when(nullable=True)
    outcome: str | None = Field(default=None, max_length=32)


class StepRunRow(SQLModel, table=True):
    __tablename__ = "step_runs"

    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="cycle_instances.id", index=True)
    step_id: str = Field(max_length=64)
    opened_at: datetime = _when()
    deadline_at: datetime = _when()
    late_until: datetime = _when()
    closed_at: datetime | None = _when(nullable=True)


class RequestRow(SQLModel, table=True):
    __tablename__ = "input_requests"
    __table_args__ = (Index("ix_input_requests_status", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="cycle_instances.id", index=True)
    step_run_id: int = Field(foreign_key="step_runs.id", index=True)
    step_id: str = Field(max_length=64)
    person_id: str = Field(max_length=64, index=True)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    requested_at: datetime = _when()
    deadline_at: datetime = _when()
    subject: dict[str, Any] = _json()
    status: str = Field(max_length=16)
    answered_at: datetime | None = _when(nullable=True)
    late: bool = False


class SubmissionRow(SQLModel, table=True):
    __tablename__ = "submissions"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="input_requests.id", unique=True)
    instance_id: int = Field(foreign_key="cycle_instances.id", index=True)
    step_id: str = Field(max_length=64)
    person_id: str = Field(max_length=64)
    submitted_at: datetime = _when()
    data: dict[str, Any] = _json()
    sensitive_data: dict[str, Any] = _json()


class TimerRow(SQLModel, table=True):
    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_status_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    kind: str = Field(max_length=20)
    due_at: datetime = _when()
    definition_name: str = Field(max_length=64)
    instance_id: int | None = Field(default=None, foreign_key="cycle_instances.id", index=True)
    step_run_id: int | None = Field(default=None, foreign_key="step_runs.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="input_requests.id", index=True)
    payload: dict[str, Any] = _json()
    status: str = Field(max_length=16)
    fired_at: datetime | None = _when(nullable=True)
    fired_by: str | None = Field(default=None, max_length=120)
    note: str | None = None


class AuditRow(SQLModel, table=True):
    """Append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(index=True)
    instance_id: int | None = Field(default=None, index=True)
    definition_name: str = Field(max_length=64)
    definition_version: int
    event: str = Field(max_length=64)
    from_state: str | None = Field(default=None, max_length=64)
    to_state: str | None = Field(default=None, max_length=64)
    actor: str = Field(max_length=120)
    detail: dict[str, Any] = _json()


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    kind: str = Field(max_length=32)
    instance_id: int | None = Field(default=None, index=True)
    request_id: int | None = Field(default=None)
    person_id: str = Field(max_length=64)
    recipient: str = Field(max_length=254)
    language: str = Field(max_length=8)
    context: dict[str, Any] = _json()
    created_at: datetime = _when()
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = _when(nullable=True, index=True)
    claimed_by: str | None = Field(default=None, max_length=120)
    claimed_at: datetime | None = _when(nullable=True)
    sent_at: datetime | None = _when(nullable=True)
    last_error: str | None = None
    delivery: str | None = Field(default=None, max_length=500)


class CompletionRow(SQLModel, table=True):
    __tablename__ = "completion_records"

    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="cycle_instances.id", unique=True)
    outcome: str = Field(max_length=32)
    final_state: str = Field(max_length=64)
    completed_at: datetime = _when()
    missing: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    late_inputs: int = 0


class MeetingRow(SQLModel, table=True):
    """A meeting step's time and place; SEQUENCE grows with every change (RFC 5545)."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("instance_id", "step_id"),)

    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="cycle_instances.id", index=True)
    step_id: str = Field(max_length=64)
    uid: str = Field(max_length=200, unique=True)
    starts_at: datetime = _when()
    ends_at: datetime = _when()
    location: str = Field(default="", max_length=200)
    sequence: int = 0
    cancelled: bool = False
    participants: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class SettingRow(SQLModel, table=True):
    """Installation settings kept in the database, such as the link-signing secret."""

    __tablename__ = "settings"

    key: str = Field(primary_key=True, max_length=64)
    value: str
