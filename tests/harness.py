"""The test harness: an engine on a fresh database in virtual time, and read helpers that look
at what a user would look at after the engine ran (cycles, requests, emails, the audit log)."""

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
from lofte.storage.repositories.audit import A as AUDIT
from lofte.storage.sensitive_keys import throwaway_cipher
from lofte.storage.unit_of_work import SqlStore
from lofte.workflow.core.engine import Engine
from lofte.workflow.core.records import (
    Action,
    AuditEvent,
    CompletionRecord,
    CycleInstance,
    InputRequest,
    OutboxMessage,
    Timer,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@dataclass
class Harness:
    store: SqlStore
    clock: VirtualClock
    engine: Engine
    bundle: Bundle

    def close(self) -> None:
        self.store.close()

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

    def outbox(self, kind: str | None = None, person: str | None = None) -> list[OutboxMessage]:
        query = select(rows.OUTBOX).order_by(rows.OUTBOX.c.id)
        if kind:
            query = query.where(rows.OUTBOX.c.kind == kind)
        if person:
            query = query.where(rows.OUTBOX.c.person_id == person)
        with self.store.reading() as c:
            return [rows.message(r) for r in c.execute(query).mappings()]

    def audit(self, cycle: CycleInstance | None = None) -> list[AuditEvent]:
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
        query = select(rows.ACTIONS).order_by(rows.ACTIONS.c.id)
        if unit:
            query = query.where(rows.ACTIONS.c.unit_id == unit)
        with self.store.reading() as c:
            return [rows.action(r) for r in c.execute(query).mappings()]

    def timers(self, status: str | None = None) -> list[Timer]:
        query = select(rows.TIMERS).order_by(rows.TIMERS.c.id)
        if status:
            query = query.where(rows.TIMERS.c.status == status)
        with self.store.reading() as c:
            return [rows.timer(r) for r in c.execute(query).mappings()]


def make_harness(url: str, start: datetime, bundle: Bundle) -> Harness:
    db = make_engine(url)
    migrate(db)
    store = SqlStore(db, throwaway_cipher())
    clock = VirtualClock(start)
    engine = Engine(store, clock, engine_id="test")
    engine.register(bundle)
    return Harness(store, clock, engine, bundle)


def people(requests: Sequence[InputRequest]) -> list[str]:
    return sorted(r.person_id for r in requests)
