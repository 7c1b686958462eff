"""The read model on the in-memory store (implements `workflow.application.reads.ReadModel`
as `storage.read_model` does on SQL: the same filters, the same order)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from lofte.storage.memory import MemoryStore
from lofte.storage.memory_misc import audit_copy
from lofte.storage.memory_tables import copied, fresh, fresh_all
from lofte.workflow.application.reads import CycleFilter, ReadModel
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

T = TypeVar("T")
EARLIEST = datetime.min.replace(tzinfo=UTC)


class MemoryReadModel:
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.db = store.db

    def _read(self, look: Callable[[], T]) -> T:
        with self.store.unit_of_work(read_only=True):  # a consistent view
            return look()

    def _with_cycle(self, requests: list[InputRequest]) -> list[tuple[InputRequest, CycleInstance]]:
        found = []
        for r in requests:
            cycle = self.db.cycles.get(r.instance_id)
            if cycle is not None:
                found.append((fresh(r), fresh(cycle)))
        return found

    def cycles(self, where: CycleFilter) -> list[CycleInstance]:
        units = None if where.units is None else set(where.units)

        def wanted(c: CycleInstance) -> bool:
            return (
                (not where.definition or c.definition_name == where.definition)
                and (units is None or c.unit_id in units)
                and not (where.open_only and c.closed_at is not None)
                and not (where.started_from and c.period_start < where.started_from)
                and not (where.started_before and c.period_start >= where.started_before)
            )

        found = self._read(lambda: [c for c in self.db.cycles.all() if wanted(c)])
        return fresh_all(
            sorted(found, key=lambda c: (c.period_start, c.definition_name, c.unit_id))
        )

    def cycle(self, instance_id: int) -> CycleInstance | None:
        found = self._read(lambda: self.db.cycles.get(instance_id))
        return None if found is None else fresh(found)

    def requests_of_cycle(self, instance_id: int) -> list[InputRequest]:
        return fresh_all(self._read(lambda: self.db.requests.group("instance", instance_id)))

    def answered_requests_of_unit(
        self, unit_id: str, step_ids: Sequence[str]
    ) -> list[InputRequest]:
        def look() -> list[InputRequest]:
            ids = sorted(c.id or 0 for c in self.db.cycles.all() if c.unit_id == unit_id)
            return [
                r
                for i in ids
                for r in self.db.requests.group("instance", i)
                if r.status is RequestStatus.ANSWERED and r.step_id in step_ids
            ]

        return fresh_all(self._read(look))

    def open_requests(
        self, person_id: str | None = None, units: Sequence[str] | None = None
    ) -> list[tuple[InputRequest, CycleInstance]]:
        def look() -> list[tuple[InputRequest, CycleInstance]]:
            requests = [
                r
                for r in self.db.requests.all()
                if r.status is RequestStatus.OPEN
                and (person_id is None or r.person_id == person_id)
                and (units is None or r.unit_id in units)
            ]
            return [(r, c) for r, c in self._with_cycle(requests) if c.closed_at is None]

        found = self._read(look)
        return sorted(found, key=lambda rc: (rc[0].deadline_at, rc[0].id or 0))

    def requests_after(
        self, request_id: int, limit: int = 1000
    ) -> list[tuple[InputRequest, CycleInstance]]:
        def look() -> list[tuple[InputRequest, CycleInstance]]:
            after = [r for i, r in self.db.requests.rows.items() if i > request_id]
            return self._with_cycle(after)[:limit]

        return self._read(look)

    def answered_requests_of(
        self, person_id: str, limit: int
    ) -> list[tuple[InputRequest, CycleInstance]]:
        def look() -> list[tuple[InputRequest, CycleInstance]]:
            answered = [
                r
                for r in self.db.requests.group("person", person_id)
                if r.status is RequestStatus.ANSWERED
            ]
            return self._with_cycle(answered)

        found = self._read(look)
        found.sort(key=lambda rc: rc[0].answered_at or EARLIEST, reverse=True)
        return found[:limit]

    def _meetings(self, wanted: Callable[[Meeting], bool]) -> list[tuple[Meeting, CycleInstance]]:
        def look() -> list[tuple[Meeting, CycleInstance]]:
            found = []
            for m in self.db.meetings.all():
                cycle = self.db.cycles.get(m.instance_id)
                if cycle is not None and wanted(m):
                    found.append((fresh(m), fresh(cycle)))
            return found

        return sorted(self._read(look), key=lambda mc: (mc[0].starts_at, mc[0].id or 0))

    def meetings_of(self, person_id: str, after: datetime) -> list[tuple[Meeting, CycleInstance]]:
        return self._meetings(
            lambda m: m.ends_at >= after and not m.cancelled and person_id in m.participants
        )

    def meetings_between(
        self, start: datetime, end: datetime
    ) -> list[tuple[Meeting, CycleInstance]]:
        return self._meetings(lambda m: start < m.starts_at < end)

    def meetings_of_cycle(self, instance_id: int) -> list[Meeting]:
        return [m for m, _ in self._meetings(lambda m: m.instance_id == instance_id)]

    def step_context(self, instance_id: int, step_id: str) -> dict[str, object] | None:
        found = self._read(lambda: self.db.contexts.get((instance_id, step_id)))
        return None if found is None else dict(copied(found))

    def audit_events(
        self, instance_id: int | None = None, unit_id: str | None = None, limit: int | None = None
    ) -> list[AuditEvent]:
        def look() -> list[AuditEvent]:
            return [
                e
                for e in self.db.audit.values()
                if (instance_id is None or e.instance_id == instance_id)
                and (unit_id is None or e.unit_id == unit_id)
            ]

        found = self._read(look)
        if limit is not None:  # the latest `limit` events of the same filter
            found = found[-limit:] if limit > 0 else []
        return [audit_copy(e) for e in found]

    def audit_head(self) -> tuple[int, str] | None:
        def look() -> tuple[int, str] | None:
            last = self.db.audit.get(len(self.db.audit))
            return None if last is None else (last.seq or 0, last.hash)

        return self._read(look)

    def audit_chain(self) -> Iterator[AuditEvent]:
        for event in self._read(lambda: list(self.db.audit.values())):
            yield audit_copy(event)

    def timer_counts(self) -> dict[str, int]:
        return self._read(
            lambda: {
                str(status): len(ids)
                for status, ids in self.db.timers.groups["status"].items()
                if ids
            }
        )

    def timers(self, status: str | None = None, limit: int = 50) -> list[Timer]:
        if status is not None and status not in {s.value for s in TimerStatus}:
            return []

        def look() -> list[Timer]:
            if status is None:
                return list(self.db.timers.all())
            return self.db.timers.group("status", TimerStatus(status))

        found = sorted(self._read(look), key=lambda t: (t.due_at, t.id or 0))
        return fresh_all(found[:limit])

    def next_timer(self) -> datetime | None:
        return self._read(
            lambda: min(
                (t.due_at for t in self.db.timers.group("status", TimerStatus.PENDING)),
                default=None,
            )
        )

    def outbox_counts(self) -> dict[str, int]:
        return self._read(
            lambda: {
                str(status): len(ids)
                for status, ids in self.db.outbox.groups["status"].items()
                if ids
            }
        )

    def outbox(self, status: str | None = None, limit: int = 50) -> list[OutboxMessage]:
        if status is not None and status not in {s.value for s in OutboxStatus}:
            return []

        def look() -> list[OutboxMessage]:
            if status is None:
                return list(self.db.outbox.all())
            return self.db.outbox.group("status", OutboxStatus(status))

        found = self._read(look)
        return fresh_all(found[-limit:] if limit > 0 else [])

    def actions(self, units: Sequence[str], status: Sequence[str] | None = None) -> list[Action]:
        def look() -> list[Action]:
            return [
                a
                for unit in set(units)
                for a in self.db.actions.group("unit", unit)
                if status is None or a.status.value in status
            ]

        found = sorted(self._read(look), key=lambda a: (a.created_at, a.id or 0))
        return fresh_all(found)

    def action_history(self, action_id: int) -> list[tuple[datetime, str, str, str, str]]:
        found = self._read(lambda: self.db.action_events.group("action", action_id))
        ordered = sorted(found, key=lambda e: (e.at, e.id or 0))
        return [(e.at, e.status, e.actor, e.note, e.effect) for e in ordered]

    def version_history(self) -> dict[tuple[str, str], list[StoredVersion]]:
        def look() -> list[StoredVersion]:
            return [v for v in self.db.versions.values() if v.kind == DEFINITION]

        history: dict[tuple[str, str], list[StoredVersion]] = {}
        for v in sorted(self._read(look), key=lambda v: (v.name, v.unit, v.version)):
            history.setdefault((v.name, v.unit), []).append(v)
        return history


if TYPE_CHECKING:  # mypy checks that it implements the port
    _READS: ReadModel = MemoryReadModel(MemoryStore())
