"""The test harness: an engine on a fresh database (or the in-memory store) in virtual time,
and read helpers that look at what a user would look at after the engine ran (cycles,
requests, emails, the audit log)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from lofte.definitions.loader import Bundle
from lofte.kernel.clock import VirtualClock
from lofte.storage import rows
from lofte.storage.database import make_engine, migrate
from lofte.storage.memory import MemoryStore
from lofte.storage.memory_misc import audit_copy
from lofte.storage.memory_reads import MemoryReadModel
from lofte.storage.memory_tables import fresh_all
from lofte.storage.read_model import SqlReadModel
from lofte.storage.repositories.audit import A as AUDIT
from lofte.storage.sensitive_keys import throwaway_cipher
from lofte.storage.unit_of_work import SqlStore
from lofte.workflow.application.app import Application
from lofte.workflow.application.reads import ReadModel
from lofte.workflow.core.audit_chain import AuditKeys
from lofte.workflow.core.engine import Engine
from lofte.workflow.core.records import (
    Action,
    AuditEvent,
    CompletionRecord,
    CycleInstance,
    InputRequest,
    OutboxMessage,
    RequestStatus,
    Timer,
)

MEMORY = "memory"  # make_harness's "URL" of the in-memory store (storage.memory)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@dataclass
class Harness:
    store: SqlStore | MemoryStore
    clock: VirtualClock
    engine: Engine
    bundle: Bundle

    def close(self) -> None:
        self.store.close()

    @property
    def in_memory(self) -> bool:
        return isinstance(self.store, MemoryStore)

    def read_model(self) -> ReadModel:
        """The application's read model on this harness's store."""
        if isinstance(self.store, MemoryStore):
            return MemoryReadModel(self.store)
        return SqlReadModel(self.store.engine)

    def app(self, secret: str | None = None) -> Application:
        """The application layer (views, pages' reads) on this harness's engine."""
        return Application(self.engine, self.read_model(), secret)

    # time ---------------------------------------------------------------------------------------
    def run_until(self, end: datetime) -> list[Timer]:
        """Move virtual time to `end`, firing each timer at its due moment, in order."""
        fired: list[Timer] = []
        while True:
            with self.store.unit_of_work() as uow:
                due = uow.timers.next_due()
            if due is None or due > end:
                break
            self.clock.set(max(due, self.clock.now()))
            fired.extend(self.engine.run_due())
        self.clock.set(max(end, self.clock.now()))
        return fired

    # answers -------------------------------------------------------------------------------------
    def answer(
        self, cycle: CycleInstance, step: str, person: str, answer: dict[str, Any], about: str = ""
    ) -> InputRequest:
        request = self.request(cycle, step, person, about)
        return self.engine.submit(request.id or 0, person, answer)

    # reads ---------------------------------------------------------------------------------------
    def cycle(self, definition: str, unit: str, period: str) -> CycleInstance:
        with self.store.unit_of_work() as uow:
            found = uow.cycles.by_key(f"{definition}/{unit}/{period}")
        assert found is not None, f"no cycle {definition}/{unit}/{period}"
        return found

    def cycles(self, definition: str | None = None, unit: str | None = None) -> list[CycleInstance]:
        if isinstance(self.store, MemoryStore):
            found = [
                c
                for c in self.store.db.cycles.all()
                if (not definition or c.definition_name == definition)
                and (not unit or c.unit_id == unit)
            ]
            return fresh_all(sorted(found, key=lambda c: (c.period_start, c.id or 0)))
        query = select(rows.INSTANCES).order_by(rows.INSTANCES.c.period_start, rows.INSTANCES.c.id)
        if definition:
            query = query.where(rows.INSTANCES.c.definition_name == definition)
        if unit:
            query = query.where(rows.INSTANCES.c.unit_id == unit)
        with self.store.reading() as c:
            return [rows.instance(r) for r in c.execute(query).mappings()]

    def requests(self, cycle: CycleInstance, step: str | None = None) -> list[InputRequest]:
        with self.store.unit_of_work() as uow:
            found = uow.requests.for_instance(cycle.id or 0)
        return [r for r in found if step is None or r.step_id == step]

    def request(
        self, cycle: CycleInstance, step: str, person: str, about: str = ""
    ) -> InputRequest:
        matches = [
            r
            for r in self.requests(cycle, step)
            if r.person_id == person and (not about or r.subject.get("unit") == about)
        ]
        assert len(matches) == 1, f"{len(matches)} requests to {person} in {step}: {matches}"
        return matches[0]

    def open_requests_of(self, person: str) -> list[InputRequest]:
        """Every open request of `person`, in any cycle."""
        with self.store.unit_of_work() as uow:
            found = uow.people.requests_of(person)
        return [r for r in found if r.status is RequestStatus.OPEN]

    def outbox(self, kind: str | None = None, person: str | None = None) -> list[OutboxMessage]:
        if isinstance(self.store, MemoryStore):
            return fresh_all(
                m
                for m in self.store.db.outbox.all()
                if (not kind or m.kind == kind) and (not person or m.person_id == person)
            )
        query = select(rows.OUTBOX).order_by(rows.OUTBOX.c.id)
        if kind:
            query = query.where(rows.OUTBOX.c.kind == kind)
        if person:
            query = query.where(rows.OUTBOX.c.person_id == person)
        with self.store.reading() as c:
            return [rows.message(r) for r in c.execute(query).mappings()]

    def audit(self, cycle: CycleInstance | None = None) -> list[AuditEvent]:
        if isinstance(self.store, MemoryStore):
            return [
                audit_copy(e)
                for e in self.store.db.audit.values()
                if cycle is None or e.instance_id == cycle.id
            ]
        query = select(AUDIT).order_by(AUDIT.c.seq)
        if cycle is not None:
            query = query.where(AUDIT.c.instance_id == cycle.id)
        with self.store.reading() as c:
            return [
                AuditEvent(
                    at=r["at"],
                    event=r["event"],
                    actor=r["actor"],
                    unit_id=r["unit_id"],
                    definition_name=r["definition_name"],
                    definition_version=r["definition_version"],
                    instance_id=r["instance_id"],
                    from_state=r["from_state"],
                    to_state=r["to_state"],
                    detail=json.loads(r["detail"]),
                    seq=r["seq"],
                    prev_hash=r["prev_hash"],
                    hash=r["hash"],
                )
                for r in c.execute(query).mappings()
            ]

    def events(self, cycle: CycleInstance | None = None) -> list[str]:
        return [e.event for e in self.audit(cycle)]

    def completion(self, cycle: CycleInstance) -> CompletionRecord:
        record = self.cycle(cycle.definition_name, cycle.unit_id, cycle.period_key).completion
        assert record is not None, f"{cycle.key} has not closed"
        return record

    def actions(self, unit: str | None = None) -> list[Action]:
        if isinstance(self.store, MemoryStore):
            return fresh_all(
                a for a in self.store.db.actions.all() if not unit or a.unit_id == unit
            )
        query = select(rows.ACTIONS).order_by(rows.ACTIONS.c.id)
        if unit:
            query = query.where(rows.ACTIONS.c.unit_id == unit)
        with self.store.reading() as c:
            return [rows.action(r) for r in c.execute(query).mappings()]

    def timers(self, status: str | None = None) -> list[Timer]:
        if isinstance(self.store, MemoryStore):
            return fresh_all(
                t for t in self.store.db.timers.all() if not status or t.status == status
            )
        query = select(rows.TIMERS).order_by(rows.TIMERS.c.id)
        if status:
            query = query.where(rows.TIMERS.c.status == status)
        with self.store.reading() as c:
            return [rows.timer(r) for r in c.execute(query).mappings()]


def make_store(url: str, audit_keys: AuditKeys | None = None) -> SqlStore | MemoryStore:
    """A store on the migrated database at `url`, or the in-memory store for `MEMORY`
    (`audit_keys`: a throw-away key unless given)."""
    if url == MEMORY:
        return MemoryStore()
    db = make_engine(url)
    migrate(db)
    return SqlStore(db, throwaway_cipher(), audit_keys)


def make_harness(
    url: str, start: datetime, bundle: Bundle, audit_keys: AuditKeys | None = None
) -> Harness:
    """An engine with `bundle` registered on a fresh store (`url`, or `MEMORY`)."""
    store = make_store(url, audit_keys)
    clock = VirtualClock(start)
    engine = Engine(store, clock, engine_id="test")
    engine.register(bundle)
    return Harness(store, clock, engine, bundle)


def people(requests: Sequence[InputRequest]) -> list[str]:
    return sorted(r.person_id for r in requests)
