"""The engine's records: plain frozen data that storage persists and the engine reasons about."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

JsonDict = dict[str, Any]


class Outcome(StrEnum):
    COMPLETED_ON_TIME = "completed_on_time"
    COMPLETED_LATE = "completed_late"
    CLOSED_INCOMPLETE = "closed_incomplete"


class RequestStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    MISSING = "missing"
    CANCELLED = "cancelled"


class TimerKind(StrEnum):
    CYCLE_OPEN = "cycle_open"
    REMINDER = "reminder"
    DEADLINE = "deadline"
    ESCALATION = "escalation"
    EXPIRY = "expiry"


class TimerStatus(StrEnum):
    PENDING = "pending"
    FIRED = "fired"
    CANCELLED = "cancelled"


class MessageKind(StrEnum):
    INPUT_REQUEST = "input_request"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    CYCLE_SUMMARY = "cycle_summary"
    MEETING_INVITE = "meeting_invite"
    MEETING_UPDATE = "meeting_update"
    MEETING_CANCEL = "meeting_cancel"
    DIGEST = "digest"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    HELD = "held"  # waits for the person's daily digest
    DIGESTED = "digested"  # went out as part of a digest
    FAILED = "failed"  # an incident: retries exhausted, needs `lofte outbox retry`


@dataclass(frozen=True)
class DefinitionVersion:
    name: str
    version: int
    text: str
    content_hash: str
    registered_at: datetime


@dataclass(frozen=True)
class CycleInstance:
    definition_name: str
    definition_version: int
    period_key: str
    period_label: str
    period_start: datetime
    opens_at: datetime
    ends_at: datetime
    opened_at: datetime
    state: str
    context: JsonDict = field(default_factory=dict)
    version: int = 1
    closed_at: datetime | None = None
    outcome: Outcome | None = None
    id: int | None = None


@dataclass(frozen=True)
class StepRun:
    instance_id: int
    step_id: str
    opened_at: datetime
    deadline_at: datetime
    late_until: datetime
    closed_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class InputRequest:
    instance_id: int
    step_run_id: int
    step_id: str
    person_id: str
    roles: tuple[str, ...]
    requested_at: datetime
    deadline_at: datetime
    subject: JsonDict = field(default_factory=dict)
    status: RequestStatus = RequestStatus.OPEN
    answered_at: datetime | None = None
    late: bool = False
    id: int | None = None


@dataclass(frozen=True)
class Submission:
    request_id: int
    instance_id: int
    step_id: str
    person_id: str
    submitted_at: datetime
    data: JsonDict
    sensitive_data: JsonDict
    id: int | None = None


@dataclass(frozen=True)
class Timer:
    key: str
    kind: TimerKind
    due_at: datetime
    definition_name: str
    instance_id: int | None = None
    step_run_id: int | None = None
    request_id: int | None = None
    payload: JsonDict = field(default_factory=dict)
    status: TimerStatus = TimerStatus.PENDING
    fired_at: datetime | None = None
    fired_by: str | None = None
    note: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    definition_name: str
    definition_version: int
    event: str
    actor: str
    instance_id: int | None = None
    from_state: str | None = None
    to_state: str | None = None
    detail: JsonDict = field(default_factory=dict)
    id: int | None = None


@dataclass(frozen=True)
class OutboxMessage:
    """A message the engine wants sent. Its context holds no sensitive field's content."""

    key: str
    kind: MessageKind
    person_id: str
    recipient: str
    language: str
    created_at: datetime
    context: JsonDict
    instance_id: int | None = None
    request_id: int | None = None
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    delivery: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class Meeting:
    instance_id: int
    step_id: str
    uid: str
    starts_at: datetime
    ends_at: datetime
    location: str
    participants: tuple[str, ...]
    sequence: int = 0
    cancelled: bool = False
    id: int | None = None


@dataclass(frozen=True)
class CompletionRecord:
    instance_id: int
    outcome: Outcome
    final_state: str
    completed_at: datetime
    missing: tuple[JsonDict, ...] = ()
    late_inputs: int = 0
    id: int | None = None
