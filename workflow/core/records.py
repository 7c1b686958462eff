"""The engine's records: plain frozen data that storage persists and the engine reasons about.

Keys are deterministic text made from the installation, the unit, the definition, the period,
the step and the person (see `workflow.core.keys`); row ids are storage's business and never
go into a key, a Message-ID or a calendar UID.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

JsonDict = dict[str, Any]
R = TypeVar("R")


def evolve(record: R, **changes: Any) -> R:
    """`dataclasses.replace` for these records (frozen, slotted, no `__post_init__`): a copy
    with `changes`, made without calling `__init__`, whose frozen assignments of every field
    made `replace` cost a few times this (about 5 a step; issue 23)."""
    kind: Any = type(record)
    new = object.__new__(kind)
    put = object.__setattr__
    for name in kind.__slots__:
        put(new, name, changes.pop(name) if name in changes else getattr(record, name))
    if changes:
        raise TypeError(f"{kind.__name__} has no field {', '.join(sorted(changes))}")
    return new  # type: ignore[no-any-return]


class Outcome(StrEnum):
    COMPLETED_ON_TIME = "completed_on_time"
    COMPLETED_LATE = "completed_late"
    CLOSED_INCOMPLETE = "closed_incomplete"
    NO_BASIS = "no_basis"  # a follow-up with no decision in force to follow up


class RequestStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    MISSING = "missing"
    CANCELLED = "cancelled"


class TimerKind(StrEnum):
    CYCLE_OPEN = "open"
    REMINDER = "reminder"
    DEADLINE = "deadline"
    ESCALATION = "escalation"
    EXPIRY = "expiry"
    MEETING = "meeting"  # a meeting begins: its step's context is brought up to date
    ERASURE = "erasure"
    RETENTION = "retention"  # ordinary personal data: pseudonyms for the people who left


class TimerStatus(StrEnum):
    PENDING = "pending"
    FIRED = "fired"
    CANCELLED = "cancelled"
    FAILED = "failed"  # an incident: its handler kept failing; `lofte timers retry` runs it


class MessageKind(StrEnum):
    INPUT_REQUEST = "input_request"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    CYCLE_SUMMARY = "cycle_summary"
    MEETING_INVITE = "meeting_invite"
    MEETING_UPDATE = "meeting_update"
    MEETING_CANCEL = "meeting_cancel"
    ACTION_ASSIGNED = "action_assigned"
    DECISION = "decision"
    CATCH_UP = "catch_up"
    DIGEST = "digest"
    SIGN_IN = "sign_in"
    DELIVERY_ALERT = "delivery_alert"
    REPLY_READ = "reply_read"  # a reply to a request was read: the receipt, or why not taken
    PERSON_REMOVED = "person_removed"  # a coordinator takes over a departed person's work


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    HELD = "held"  # waits for the person's daily digest
    DIGESTED = "digested"  # went out as part of a digest
    FAILED = "failed"  # an incident: retries exhausted, needs `lofte outbox retry`
    EXPIRED = "expired"  # its moment passed before it could be sent; never sent late


@dataclass(frozen=True, slots=True)
class CycleInstance:
    key: str  # definition/unit/period
    definition_name: str
    unit_id: str
    definition_version: int
    period_key: str
    period_label: str
    period_start: datetime
    opens_at: datetime
    ends_at: datetime
    opened_at: datetime
    state: str
    step_deadline_at: datetime | None = None
    step_late_until: datetime | None = None
    open_requests: int = 0
    missing_requests: int = 0  # so far in the cycle: a completion reads names only if any
    late_answers: int = 0
    version: int = 1
    closed_at: datetime | None = None
    outcome: Outcome | None = None
    missing: tuple[JsonDict, ...] = ()  # at completion: every missing input and who owed it
    id: int | None = None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def completion(self) -> CompletionRecord | None:
        """The completion record, once the cycle has closed."""
        if self.closed_at is None or self.outcome is None or self.id is None:
            return None
        return CompletionRecord(
            self.id, self.outcome, self.state, self.closed_at, self.missing, self.late_answers
        )


@dataclass(frozen=True, slots=True)
class InputRequest:
    key: str
    instance_id: int
    unit_id: str  # the cycle's unit
    step_id: str
    person_id: str
    roles: tuple[str, ...]
    requested_at: datetime
    deadline_at: datetime
    late_until: datetime
    subject: JsonDict = field(default_factory=dict)  # what it is about: a municipality, an action
    status: RequestStatus = RequestStatus.OPEN
    answered_at: datetime | None = None
    late: bool = False
    answer: JsonDict | None = None  # the non-sensitive part of the latest answer
    answer_version: int = 0
    id: int | None = None


@dataclass(frozen=True, slots=True)
class PeriodAnswer:
    """An answer to one step of a cycle, with when the cycle's period starts: what a
    lägesbild reads (`Requests.answers_by_period`), without the rest of the request."""

    period_start: datetime
    unit_id: str  # the cycle's unit
    answer: JsonDict | None
    definition_version: int = 0  # the version of the definition the cycle runs under


@dataclass(frozen=True, slots=True)
class Timer:
    key: str
    kind: TimerKind
    due_at: datetime
    definition_name: str
    unit_id: str
    payload: JsonDict
    instance_id: int | None = None
    status: TimerStatus = TimerStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    fired_at: datetime | None = None
    fired_by: str | None = None
    note: str | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class AuditEvent:
    at: datetime
    event: str
    actor: str
    unit_id: str = ""
    definition_name: str = ""
    definition_version: int = 0
    instance_id: int | None = None
    from_state: str | None = None
    to_state: str | None = None
    detail: JsonDict = field(default_factory=dict)
    seq: int | None = None
    prev_hash: str = ""
    hash: str = ""
    chain_version: int = 1  # how `hash` was made (`workflow.core.audit_chain`)
    key_id: str = ""  # the audit key of a version 2 hash


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message the engine wants sent. Its context never holds a sensitive field's content."""

    key: str
    kind: MessageKind
    person_id: str
    recipient: str
    language: str
    created_at: datetime
    context: JsonDict
    unit_id: str = ""
    instance_id: int | None = None
    request_id: int | None = None
    valid_until: datetime | None = None  # not sent after this moment: it would mislead
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    first_attempt_at: datetime | None = None
    next_attempt_at: datetime | None = None
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    delivery: str | None = None
    reported_at: datetime | None = None  # for expired messages: when a catch-up notice named it
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Meeting:
    uid: str
    instance_id: int
    unit_id: str
    step_id: str
    starts_at: datetime
    ends_at: datetime
    location: str
    participants: tuple[str, ...]
    sequence: int = 0
    cancelled: bool = False
    id: int | None = None


class ActionStatus(StrEnum):
    OPEN = "oppen"
    IN_PROGRESS = "pagar"
    NOT_STARTED = "ej_paborjad"
    DONE = "genomford"
    CHANGED = "andrad"
    DROPPED = "avbruten"


CLOSED_ACTION = frozenset({ActionStatus.DONE, ActionStatus.CHANGED, ActionStatus.DROPPED})


@dataclass(frozen=True, slots=True)
class Action:
    """An intervention, an early intervention or a commitment, followed up until closed."""

    key: str
    unit_id: str
    kind: str  # insats, tidig_insats, atagande
    source_instance_id: int
    source_label: str
    what: str
    owner_id: str
    owner_party: str
    created_at: datetime
    due_date: date | None = None
    place: str = ""
    problem: str = ""
    indicator: str = ""
    baseline: str = ""  # as typed in a decision of an earlier definition; now computed
    target_categories: str = ""  # the EST category ids it targets, comma-separated
    status: ActionStatus = ActionStatus.OPEN
    effect: str = ""
    note: str = ""
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    version: int = 1
    id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_ACTION

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(c for c in self.target_categories.split(",") if c)


@dataclass(frozen=True, slots=True)
class ActionEvent:
    action_id: int
    at: datetime
    status: str
    actor: str
    note: str = ""
    effect: str = ""
    instance_id: int | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class CompletionRecord:
    instance_id: int
    outcome: Outcome
    final_state: str
    completed_at: datetime
    missing: tuple[JsonDict, ...] = ()
    late_inputs: int = 0


AUTO_REPLY = "auto_reply"  # an InboundMail's outcome: an out-of-office or other automatic reply


@dataclass(frozen=True, slots=True)
class InboundMail:
    """A mail Löfte read from its mailbox (a reply to a request, a bounce, an auto-reply), kept
    so that the same mail read twice is acted on once. Only a hash of its Message-ID is kept;
    what it said, if it was an answer, is in the answer itself."""

    key: str  # SHA-256 of the Message-ID (or of the whole mail when it has none)
    received_at: datetime
    outcome: str  # `workflow.application.replies.Outcome` value
    request_id: int | None
    detail: JsonDict  # versioned (`v`): what was understood, why a mail was refused
    person_id: str | None = None  # whose mail it was (a reply, an out-of-office reply)
    away_until: date | None = None  # an out-of-office reply: the date it said ("till 12 jan")
    id: int | None = None


@dataclass(frozen=True, slots=True)
class ImportedObservation:
    """An EST observation brought in from another tool's export (Embrace, Excel, a form). It
    counts in the lägesbild beside the inventories' answers, at its own time."""

    key: str  # one row of one file, stable: the same file imported again adds nothing
    unit_id: str
    observed_at: datetime  # when it happened as far as known (`observations.moment_of`), UTC
    observation: JsonDict  # in its versioned shape (`workflow.core.observations`, key `v`)
    source: str  # the file it came from
    imported_at: datetime
    imported_by: str
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Indicator:
    """A yearly figure from outside the EST inventories (reported crimes per category from
    Brå's or the police's statistics, a trygghetsmätning's result), with its source. A
    re-import that changes its value adds the next version; the latest version counts."""

    unit_id: str
    year: int
    name: str  # e.g. "Anmälda skadegörelsebrott"
    source: str  # e.g. "Brå, anmälda brott"
    value: float
    measure: str  # e.g. "antal", "procent", "per 100 000 invånare"
    version: int
    imported_at: datetime
    imported_by: str
    file: str = ""
    format: int = 1  # the shape of this record as stored
    id: int | None = None
