"""One unit of work: the transaction, the moment, who acts, and what the change writes.

Audit events, outbox messages and timers are collected while a change is worked out and
written in one batch per table when it is done, in the same transaction as the state change.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Directory, Person, Unit
from lofte.kernel.durations import IsoDuration
from lofte.kernel.errors import NotFound
from lofte.workflow.core.catalog import Catalog, CatalogView
from lofte.workflow.core.keys import Keys
from lofte.workflow.core.machines import MachineRegistry
from lofte.workflow.core.ports import UnitOfWork
from lofte.workflow.core.records import (
    AuditEvent,
    CycleInstance,
    OutboxMessage,
    OutboxStatus,
    Timer,
)

if TYPE_CHECKING:  # the kinds use Work themselves
    from lofte.workflow.core.kinds import StepKinds

TIMER_ACTOR = "timer"
PERSONAL_RETENTION = IsoDuration.parse("P2Y")  # the default gallring of ordinary personal data
CATCH_UP = "catch_up"  # the reason recorded on a message whose moment passed before it was made


@dataclass
class Work:
    uow: UnitOfWork
    now: datetime
    actor: str
    catalog: Catalog
    view: CatalogView
    keys: Keys
    machines: MachineRegistry
    kinds: StepKinds
    sensitive_retention: timedelta = timedelta(days=90)
    personal_retention: IsoDuration = PERSONAL_RETENTION  # unless the setup says otherwise
    pseudonym_key: bytes = b""  # "": the deployment's own, kept in its settings
    events: list[AuditEvent] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)

    @property
    def directory(self) -> Directory:
        return self.view.directory

    def definition_of(self, instance: CycleInstance) -> CycleDefinition:
        return self.catalog.definition(
            self.uow, instance.definition_name, instance.unit_id, instance.definition_version
        )

    def unit(self, unit_id: str) -> Unit:
        found = self.directory.unit(unit_id)
        if found is None:
            raise NotFound("enhet", unit_id)
        return found

    def unit_or_placeholder(self, unit_id: str) -> Unit:
        """The unit, or a stand-in if it has left the organisation (old cycles still show)."""
        found = self.directory.unit(unit_id)
        return found if found is not None else Unit(unit_id, "municipality", unit_id, "")

    def person(self, person_id: str) -> Person | None:
        return self.directory.find(person_id)

    def audit(
        self,
        instance: CycleInstance | None,
        event: str,
        detail: dict[str, Any] | None = None,
        *,
        from_state: str | None = None,
        to_state: str | None = None,
        unit_id: str = "",
    ) -> None:
        self.events.append(
            AuditEvent(
                at=self.now,
                event=event,
                actor=self.actor,
                unit_id=instance.unit_id if instance is not None else unit_id,
                definition_name="" if instance is None else instance.definition_name,
                definition_version=0 if instance is None else instance.definition_version,
                instance_id=None if instance is None else instance.id,
                from_state=from_state,
                to_state=to_state,
                detail=detail or {},
            )
        )

    def send(self, message: OutboxMessage, *, stale: bool = False) -> None:
        """Queue a message. One whose moment has already passed (after downtime or a clock
        jump) is recorded as expired and never sent; the unit's coordinator hears of it in
        one catch-up notice."""
        if stale or (message.valid_until is not None and message.valid_until <= self.now):
            message = dataclasses.replace(message, status=OutboxStatus.EXPIRED, last_error=CATCH_UP)
        self.messages.append(message)

    def schedule(self, timer: Timer) -> None:
        self.timers.append(timer)

    def flush(self) -> None:
        """Write what the change collected; called once, before the transaction commits."""
        if self.timers:
            self.uow.timers.add_many(self.timers)
            self.timers = []
        if self.messages:
            self.uow.outbox.add_many(self.messages)
            self.messages = []
        if self.events:
            self.uow.audit.append(self.events)
            self.events = []
