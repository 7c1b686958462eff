"""What the engine needs from storage: one small protocol per aggregate, gathered in a unit of
work. Storage implements them (`storage/`); the engine knows only these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from lofte.workflow.core.audit_chain import AuditKeys
from lofte.workflow.core.inbound_port import InboundMails
from lofte.workflow.core.opening_rule import LastOpened
from lofte.workflow.core.people_port import PersonalRecords
from lofte.workflow.core.records import (
    Action,
    ActionEvent,
    ActionStatus,
    AuditEvent,
    CycleInstance,
    ImportedObservation,
    Indicator,
    InputRequest,
    Meeting,
    OutboxMessage,
    OutboxStatus,
    PeriodAnswer,
    RequestStatus,
    Timer,
)


class Cycles(Protocol):
    def add(self, instance: CycleInstance) -> CycleInstance | None:
        """Insert unless a cycle with the same key exists; the stored cycle (with id) or None."""
        ...

    def get(self, instance_id: int, *, lock: bool = False) -> CycleInstance:
        """Raises NotFound."""
        ...

    def by_key(self, key: str) -> CycleInstance | None: ...

    def save(self, instance: CycleInstance) -> CycleInstance:
        """Write if the stored version equals `instance.version`; ConcurrentUpdate otherwise.
        Returns the instance with its version incremented."""
        ...

    def latest(self, definition: str, unit: str) -> CycleInstance | None:
        """The cycle with the latest period start."""
        ...

    def latest_periods(self) -> dict[tuple[str, str], LastOpened]:
        """(definition, unit) -> the period of its cycle with the latest start."""
        ...

    def previous(self, definition: str, unit: str, before: datetime) -> CycleInstance | None:
        """The cycle with the latest period start before `before`."""
        ...

    def started_between(
        self, definition: str, units: Sequence[str], start: datetime, end: datetime
    ) -> list[CycleInstance]:
        """Cycles of `units` whose period starts in [start, end), oldest first."""
        ...


class Requests(Protocol):
    def add_many(self, requests: Sequence[InputRequest]) -> list[InputRequest]:
        """Insert; returns them with ids, in the same order."""
        ...

    def get(self, request_id: int) -> InputRequest:
        """Raises NotFound."""
        ...

    def get_for_update(self, request_id: int) -> tuple[InputRequest, CycleInstance]:
        """The request and its cycle, both locked (the cycle first). Raises NotFound."""
        ...

    def open_for_step(self, instance_id: int, step_id: str) -> list[InputRequest]:
        """The requests of one step of a cycle that are still open, in the order they were
        made."""
        ...

    def cycle_and_open_requests(
        self, instance_id: int, step_id: str, *, lock: bool = False
    ) -> tuple[CycleInstance, list[InputRequest]]:
        """The cycle (locked if asked) and the still open requests of one of its steps (all
        that a step's timer acts on: reminders, escalations, what is missing)."""
        ...

    def for_instance(self, instance_id: int) -> list[InputRequest]: ...

    def answered(self, instance_ids: Sequence[int], step_id: str) -> list[InputRequest]:
        """Answered requests of one step of several cycles (for context and the lägesbild)."""
        ...

    def answers_by_period(
        self, definition: str, unit_id: str, step_id: str, start: datetime, end: datetime
    ) -> list[PeriodAnswer]:
        """The answers to `step_id` of `definition`'s cycles of `unit_id` whose period starts
        in [start, end): cycle by cycle in the order they were made, each cycle's answers in
        the order they were asked for (for the lägesbild)."""
        ...

    def save(self, request: InputRequest) -> None: ...

    def move_open(
        self, instance_id: int, step_id: str, deadline_at: datetime, late_until: datetime
    ) -> None:
        """Give the step's open requests a new deadline and late window."""
        ...

    def close_open(
        self, instance_id: int, step_id: str, status: RequestStatus
    ) -> list[InputRequest]:
        """Give every still open request of the step `status`; returns them (as they were)."""
        ...


class SensitiveValues(Protocol):
    """Values of sensitive fields: encrypted at rest, erased after their retention."""

    def put(self, request_id: int, version: int, values: dict[str, Any], at: datetime) -> None: ...

    def get(self, request_id: int) -> dict[str, Any] | None:
        """The latest values, or None if there are none or they were erased."""
        ...

    def erase_for_instance(self, instance_id: int, at: datetime) -> int:
        """Erase every stored version of the cycle's sensitive values; returns how many."""
        ...


class Timers(Protocol):
    def add_many(self, timers: Sequence[Timer]) -> None:
        """Insert; a timer whose key exists is left as it is."""
        ...

    def claim_due(self, now: datetime, by: str) -> Timer | None:
        """Mark fired (by `by`, now) and return the earliest due pending timer no other
        process holds; a timer is not offered while an earlier pending timer of the same
        cycle exists. If the unit of work fails, the timer is pending again."""
        ...

    def cancel_for_instance(self, instance_id: int) -> int: ...

    def cancel_openings(self, definition: str, unit: str) -> datetime | None:
        """Cancel the pair's pending opening; when it was due (None: there was none)."""
        ...

    def move_pending(self, key: str, due_at: datetime | None) -> int:
        """Move the pending timer with `key` to `due_at` (None: cancel it); how many moved."""
        ...

    def pending_openings(self) -> set[tuple[str, str]]:
        """(definition, unit) of every pending opening."""
        ...

    def next_due(self) -> datetime | None: ...

    def get(self, timer_id: int, *, lock: bool = False) -> Timer: ...

    def save(self, timer: Timer) -> None: ...


class Outbox(Protocol):
    def add_many(self, messages: Sequence[OutboxMessage]) -> None:
        """Insert; a message whose key exists is left as it is."""
        ...

    def unreported_catch_up(self) -> list[OutboxMessage]:
        """Messages expired at creation (after downtime) that no catch-up notice named yet."""
        ...

    def mark_reported(self, message_ids: Sequence[int], at: datetime) -> None: ...

    def get(self, message_id: int, *, lock: bool = False) -> OutboxMessage:
        """The message; NotFound if there is none."""
        ...

    def save(self, message: OutboxMessage) -> None:
        """Write a message's delivery state (status, attempts, times, error)."""
        ...

    def with_status(
        self, status: OutboxStatus, person_id: str | None = None, *, lock: bool = False
    ) -> list[OutboxMessage]:
        """Messages with `status`; `lock` holds them until the unit of work ends."""
        ...


class AuditLog(Protocol):
    def append(self, events: Sequence[AuditEvent]) -> None:
        """Append to the hash chain (each event's hash covers the previous one's)."""
        ...


class Meetings(Protocol):
    def add_many(self, meetings: Sequence[Meeting]) -> None: ...

    def get(self, instance_id: int, step_id: str, *, lock: bool = False) -> Meeting | None: ...

    def save(self, meeting: Meeting) -> None: ...


class Actions(Protocol):
    def add_many(self, actions: Sequence[Action]) -> list[Action]:
        """Insert unless the key exists; returns the ones added, with ids."""
        ...

    def open_in(self, units: Sequence[str], kinds: Iterable[str]) -> list[Action]: ...

    def get(self, action_id: int, *, lock: bool = False) -> Action: ...

    def follow_up(
        self,
        action_id: int,
        status: ActionStatus,
        note: str,
        effect: str,
        at: datetime,
        closes: bool,
    ) -> Action:
        """Set a followed-up action's status (and, when given, note and effect); NotFound if
        there is no such action. Returns the action as it now is."""
        ...

    def add_event(self, event: ActionEvent) -> None: ...


class Imports(Protocol):
    """Observations and yearly indicators brought in from other tools' exports."""

    def add_observations(self, observations: Sequence[ImportedObservation]) -> int:
        """Insert those whose (unit, key) is not stored yet; returns how many were added."""
        ...

    def known_keys(self, unit_id: str, keys: Sequence[str]) -> set[str]:
        """Which of `keys` the unit's imported observations already have."""
        ...

    def observations_between(
        self, unit_id: str, start: datetime, end: datetime
    ) -> list[ImportedObservation]:
        """The unit's imported observations whose time is in [start, end), oldest first."""
        ...

    def indicators(self, unit_id: str) -> list[Indicator]:
        """Every stored version of the unit's indicators, by year, name, source and version."""
        ...

    def add_indicators(self, indicators: Sequence[Indicator]) -> None:
        """Insert new versions; a (unit, year, name, source, version) stored already is an
        error (ConcurrentUpdate: another import got there first)."""
        ...


class StepContexts(Protocol):
    def put(self, instance_id: int, step_id: str, context: dict[str, Any]) -> None: ...

    def get(self, instance_id: int, step_id: str) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class StoredDocument:
    content_hash: str
    kind: str
    format: int
    text: str


@dataclass(frozen=True)
class StoredVersion:
    kind: str
    name: str
    unit: str
    version: int
    content_hash: str
    registered_at: datetime


class CatalogStore(Protocol):
    """Stored definitions: documents by content hash, versions per (name, unit)."""

    def latest_versions(self, kind: str) -> dict[tuple[str, str], tuple[int, str]]:
        """(name, unit) -> (latest version, document hash)."""
        ...

    def version_hash(self, kind: str, name: str, unit: str, version: int) -> str | None: ...

    def document(self, content_hash: str) -> str | None: ...

    def add_documents(self, documents: Sequence[StoredDocument]) -> None:
        """Insert; a document whose hash is stored already is left as it is."""
        ...

    def add_versions(self, versions: Sequence[StoredVersion]) -> None: ...


class Settings(Protocol):
    def get(self, key: str, *, lock: bool = False) -> str | None:
        """The stored value; `lock` holds the row until the unit of work ends."""
        ...

    def get_or_add(self, key: str, default: str) -> str:
        """The stored value; stores `default` first if none (the first of racing writers wins)."""
        ...

    def put(self, key: str, value: str) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: everything written through it commits together or not at all."""

    @property
    def cycles(self) -> Cycles: ...

    @property
    def requests(self) -> Requests: ...

    @property
    def sensitive(self) -> SensitiveValues: ...

    @property
    def timers(self) -> Timers: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def meetings(self) -> Meetings: ...

    @property
    def actions(self) -> Actions: ...

    @property
    def contexts(self) -> StepContexts: ...

    @property
    def imports(self) -> Imports: ...

    @property
    def inbound(self) -> InboundMails: ...

    @property
    def people(self) -> PersonalRecords: ...

    @property
    def catalog(self) -> CatalogStore: ...

    @property
    def settings(self) -> Settings: ...


@dataclass(frozen=True)
class Writes:
    """What the units of work of this process committed, counted from its start. A driver that
    shares the process with the engine (the simulation, its delivery job) reads again only
    what can have changed: due messages after some were queued, the next timer after timers
    were written, new requests after some were added."""

    messages_queued: int = 0
    timer_writes: int = 0  # timers added, claimed, saved, moved or cancelled
    requests_added: int = 0

    def __add__(self, other: Writes) -> Writes:
        return Writes(
            self.messages_queued + other.messages_queued,
            self.timer_writes + other.timer_writes,
            self.requests_added + other.requests_added,
        )


class Store(Protocol):
    """Opens units of work. The engine never holds a connection outside one."""

    def unit_of_work(self, *, read_only: bool = False) -> AbstractContextManager[UnitOfWork]: ...

    def writes(self) -> Writes:
        """What this process's committed units of work wrote so far (see `Writes`)."""
        ...

    retryable: tuple[type[Exception], ...]
    audit_keys: AuditKeys  # the audit chain's keys: the first signs, all verify
