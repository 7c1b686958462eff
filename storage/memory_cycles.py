"""The in-memory store's cycles, requests and sensitive values (implement `Cycles`, `Requests`
and `SensitiveValues` of `workflow.core.ports`, as `storage.repositories` does on SQL)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lofte.kernel.errors import ConcurrentUpdate, NotFound
from lofte.storage import json_text
from lofte.storage.memory_tables import Journal, Table, fresh, fresh_all, replaced, utc
from lofte.workflow.core.opening_rule import LastOpened
from lofte.workflow.core.records import CycleInstance, InputRequest, PeriodAnswer, RequestStatus


def cycle_table() -> Table[CycleInstance]:
    return Table(lambda c: c.key, pair=lambda c: (c.definition_name, c.unit_id))


def request_table() -> Table[InputRequest]:
    return Table(
        lambda r: r.key,
        step=lambda r: (r.instance_id, r.step_id),
        instance=lambda r: r.instance_id,
        person=lambda r: r.person_id,
    )


@dataclasses.dataclass(frozen=True)
class SensitiveEntry:
    payload: str  # JSON text; "" once erased
    stored_at: datetime
    erased_at: datetime | None = None


class MemoryCycles:
    def __init__(self, table: Table[CycleInstance], journal: Journal) -> None:
        self.table = table
        self.journal = journal

    def add(self, instance: CycleInstance) -> CycleInstance | None:
        if instance.key in self.table.by_unique:
            return None
        stored = self.table.insert(self.journal, instance)
        return replaced(instance, id=stored.id)

    def get(self, instance_id: int, *, lock: bool = False) -> CycleInstance:
        found = self.table.get(instance_id)
        if found is None:
            raise NotFound("cykel", instance_id)
        return fresh(found)

    def by_key(self, key: str) -> CycleInstance | None:
        found = self.table.find(key)
        return None if found is None else fresh(found)

    def save(self, instance: CycleInstance) -> CycleInstance:
        stored = self.table.get(instance.id)
        if stored is None or stored.version != instance.version:
            raise ConcurrentUpdate(f"cykeln {instance.key}")
        changed = replaced(
            stored,
            state=instance.state,
            step_deadline_at=instance.step_deadline_at,
            step_late_until=instance.step_late_until,
            open_requests=instance.open_requests,
            missing_requests=instance.missing_requests,
            late_answers=instance.late_answers,
            version=instance.version + 1,
            closed_at=instance.closed_at,
            outcome=instance.outcome,
            missing=instance.missing,
        )
        self.table.replace(self.journal, changed)
        return replaced(instance, version=instance.version + 1)

    def _of_pair(self, definition: str, unit: str) -> list[CycleInstance]:
        return self.table.group("pair", (definition, unit))

    def latest(self, definition: str, unit: str) -> CycleInstance | None:
        found = self._of_pair(definition, unit)
        return fresh(max(found, key=lambda c: c.period_start)) if found else None

    def latest_periods(self) -> dict[tuple[str, str], LastOpened]:
        found: dict[tuple[str, str], LastOpened] = {}
        for ids in self.table.groups["pair"].values():
            if ids:
                last = max(
                    (self.table.rows[i] for i in ids), key=lambda c: (c.period_start, c.period_key)
                )
                pair = (last.definition_name, last.unit_id)
                found[pair] = LastOpened(last.period_start, last.period_key)
        return found

    def previous(self, definition: str, unit: str, before: datetime) -> CycleInstance | None:
        before = utc(before)
        found = [c for c in self._of_pair(definition, unit) if c.period_start < before]
        return fresh(max(found, key=lambda c: c.period_start)) if found else None

    def started_between(
        self, definition: str, units: Sequence[str], start: datetime, end: datetime
    ) -> list[CycleInstance]:
        found = [
            c
            for unit in set(units)
            for c in self._of_pair(definition, unit)
            if start <= c.period_start < end
        ]
        return fresh_all(sorted(found, key=lambda c: (c.period_start, c.unit_id)))


class MemoryRequests:
    def __init__(
        self, table: Table[InputRequest], cycles: Table[CycleInstance], journal: Journal
    ) -> None:
        self.table = table
        self.cycles = cycles
        self.journal = journal
        self.added = 0  # requests this unit of work added (see `Writes`)

    def add_many(self, requests: Sequence[InputRequest]) -> list[InputRequest]:
        if any(r.key in self.table.by_unique for r in requests):
            raise ValueError("en förfrågan med samma nyckel finns redan")
        self.added += len(requests)
        return [replaced(r, id=self.table.insert(self.journal, r).id) for r in requests]

    def get(self, request_id: int) -> InputRequest:
        found = self.table.get(request_id)
        if found is None:
            raise NotFound("förfrågan", request_id)
        return fresh(found)

    def get_for_update(self, request_id: int) -> tuple[InputRequest, CycleInstance]:
        found = self.table.get(request_id)
        cycle = None if found is None else self.cycles.get(found.instance_id)
        if found is None or cycle is None:
            raise NotFound("förfrågan", request_id)
        return fresh(found), fresh(cycle)

    def _open(self, instance_id: int, step_id: str) -> list[InputRequest]:
        return [
            r
            for r in self.table.group("step", (instance_id, step_id))
            if r.status is RequestStatus.OPEN
        ]

    def open_for_step(self, instance_id: int, step_id: str) -> list[InputRequest]:
        return fresh_all(self._open(instance_id, step_id))

    def cycle_and_open_requests(
        self, instance_id: int, step_id: str, *, lock: bool = False
    ) -> tuple[CycleInstance, list[InputRequest]]:
        cycle = self.cycles.get(instance_id)
        if cycle is None:
            raise NotFound("cykel", instance_id)
        return fresh(cycle), self.open_for_step(instance_id, step_id)

    def for_instance(self, instance_id: int) -> list[InputRequest]:
        return fresh_all(self.table.group("instance", instance_id))

    def answered(self, instance_ids: Sequence[int], step_id: str) -> list[InputRequest]:
        return [
            fresh(r)
            for instance_id in sorted(set(instance_ids))
            for r in self.table.group("step", (instance_id, step_id))
            if r.status is RequestStatus.ANSWERED
        ]

    def answers_by_period(
        self, definition: str, unit_id: str, step_id: str, start: datetime, end: datetime
    ) -> list[PeriodAnswer]:
        cycles = sorted(
            (c for c in self.cycles.group("pair", (definition, unit_id))),
            key=lambda c: c.id or 0,
        )
        return [
            PeriodAnswer(cycle.period_start, r.unit_id, fresh(r).answer, cycle.definition_version)
            for cycle in cycles
            if start <= cycle.period_start < end
            for r in self.table.group("step", (cycle.id, step_id))
            if r.status is RequestStatus.ANSWERED
        ]

    def save(self, request: InputRequest) -> None:
        stored = self.table.get(request.id)
        if stored is not None:
            self.table.replace(
                self.journal,
                replaced(
                    stored,
                    status=request.status,
                    answered_at=request.answered_at,
                    late=request.late,
                    answer=request.answer,
                    answer_version=request.answer_version,
                ),
            )

    def move_open(
        self, instance_id: int, step_id: str, deadline_at: datetime, late_until: datetime
    ) -> None:
        for r in self._open(instance_id, step_id):
            moved = replaced(r, deadline_at=deadline_at, late_until=late_until)
            self.table.replace(self.journal, moved)

    def close_open(
        self, instance_id: int, step_id: str, status: RequestStatus
    ) -> list[InputRequest]:
        closed = []
        for r in self._open(instance_id, step_id):
            changed = replaced(r, status=RequestStatus(status))
            self.table.replace(self.journal, changed)
            closed.append(fresh(changed))
        return closed


class MemorySensitiveValues:
    """Kept as JSON text by request and version (the SQL store encrypts it; nothing here
    outlives the process)."""

    def __init__(
        self,
        values: dict[int, dict[int, SensitiveEntry]],
        requests: Table[InputRequest],
        journal: Journal,
    ) -> None:
        self.values = values
        self.requests = requests
        self.journal = journal

    def put(self, request_id: int, version: int, values: dict[str, Any], at: datetime) -> None:
        versions = self.values.get(request_id)
        if versions is None:
            versions = {}
            self.journal.put(self.values, request_id, versions)
        if version in versions:
            raise ValueError(f"känsliga värden version {version} finns redan")
        entry = SensitiveEntry(json_text.dumps(values), utc(at))
        self.journal.put(versions, version, entry)

    def get(self, request_id: int) -> dict[str, Any] | None:
        versions = self.values.get(request_id)
        if not versions:
            return None
        entry = versions[max(versions)]
        if entry.erased_at is not None:
            return None
        loaded: dict[str, Any] = json_text.loads(entry.payload)
        return loaded

    def erase_for_instance(self, instance_id: int, at: datetime) -> int:
        erased = 0
        for request in self.requests.group("instance", instance_id):
            versions = self.values.get(request.id or 0, {})
            for version, entry in list(versions.items()):
                if entry.erased_at is None:
                    gone = SensitiveEntry("", entry.stored_at, utc(at))
                    self.journal.put(versions, version, gone)
                    erased += 1
        return erased
