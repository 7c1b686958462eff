"""What the application layer reads: a port storage implements (`storage.read_model`).
Read-only; every view (CLI, web) goes through these queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lofte.workflow.core.ports import StoredVersion
from lofte.workflow.core.records import (
    Action,
    AuditEvent,
    CycleInstance,
    InputRequest,
    Meeting,
    OutboxMessage,
    Timer,
)


@dataclass(frozen=True)
class CycleFilter:
    definition: str | None = None
    units: Sequence[str] | None = None  # None: every unit
    open_only: bool = False
    started_from: datetime | None = None
    started_before: datetime | None = None


class ReadModel(Protocol):
    def cycles(self, where: CycleFilter) -> list[CycleInstance]: ...

    def cycle(self, instance_id: int) -> CycleInstance | None: ...

    def requests_of_cycle(self, instance_id: int) -> list[InputRequest]: ...

    def answered_requests_of_unit(
        self, unit_id: str, step_ids: Sequence[str]
    ) -> list[InputRequest]:
        """The answered requests of the steps `step_ids` in every cycle of `unit_id`, by cycle
        and id: one read (the public pages), not one per cycle."""
        ...

    def open_requests(
        self, person_id: str | None = None, units: Sequence[str] | None = None
    ) -> list[tuple[InputRequest, CycleInstance]]: ...

    def requests_after(
        self, request_id: int, limit: int = 1000
    ) -> list[tuple[InputRequest, CycleInstance]]:
        """Requests made after `request_id` (by id), oldest first, with their cycles."""
        ...

    def answered_requests_of(
        self, person_id: str, limit: int
    ) -> list[tuple[InputRequest, CycleInstance]]: ...

    def meetings_of(
        self, person_id: str, after: datetime
    ) -> list[tuple[Meeting, CycleInstance]]: ...

    def meetings_between(
        self, start: datetime, end: datetime
    ) -> list[tuple[Meeting, CycleInstance]]:
        """Every meeting (cancelled ones too) that begins after `start` and before `end`,
        earliest first, with its cycle."""
        ...

    def meetings_of_cycle(self, instance_id: int) -> list[Meeting]: ...

    def step_context(self, instance_id: int, step_id: str) -> dict[str, object] | None: ...

    def audit_events(
        self, instance_id: int | None = None, unit_id: str | None = None, limit: int | None = None
    ) -> list[AuditEvent]: ...

    def audit_head(self) -> tuple[int, str] | None:
        """The last audit event's number and hash (None before the first)."""
        ...

    def audit_chain(self) -> Iterator[AuditEvent]:
        """Every audit event in sequence order, as stored (hashes included)."""
        ...

    def timer_counts(self) -> dict[str, int]: ...

    def timers(self, status: str | None = None, limit: int = 50) -> list[Timer]: ...

    def next_timer(self) -> datetime | None: ...

    def outbox_counts(self) -> dict[str, int]: ...

    def outbox(self, status: str | None = None, limit: int = 50) -> list[OutboxMessage]: ...

    def actions(
        self, units: Sequence[str], status: Sequence[str] | None = None
    ) -> list[Action]: ...

    def action_history(self, action_id: int) -> list[tuple[datetime, str, str, str, str]]: ...

    def version_history(self) -> dict[tuple[str, str], list[StoredVersion]]:
        """(definition, unit) -> every stored version of its effective definition, oldest
        first (a version that switches it off has the hash `catalog.DISABLED`)."""
        ...
