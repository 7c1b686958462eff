"""The contract of the ports (`workflow.core.ports`, `workflow.application.reads`): each test
here runs on the in-memory store, SQLite and PostgreSQL (`store_url`), and pins down a promise
the engine relies on, so that the three keep it alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from lofte.storage.memory import MemoryStore
from lofte.storage.memory_reads import MemoryReadModel
from lofte.storage.read_model import SqlReadModel
from lofte.storage.unit_of_work import SqlStore
from lofte.workflow.application.reads import ReadModel
from lofte.workflow.core.records import (
    Action,
    CycleInstance,
    InputRequest,
    MessageKind,
    OutboxMessage,
    Timer,
    TimerKind,
)
from tests.harness import make_store, utc

T0 = utc(2027, 1, 4, 8)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
Store = SqlStore | MemoryStore


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    built = make_store(store_url)
    yield built
    built.close()


def reads_of(store: Store) -> ReadModel:
    if isinstance(store, MemoryStore):
        return MemoryReadModel(store)
    return SqlReadModel(store.engine)


def cycle(week: int, unit: str = "sala", definition: str = "est-inventering") -> CycleInstance:
    start = T0 + timedelta(weeks=week)
    return CycleInstance(
        key=f"{definition}/{unit}/2027-W{week:02d}",
        definition_name=definition,
        unit_id=unit,
        definition_version=1,
        period_key=f"2027-W{week:02d}",
        period_label=f"v. {week}",
        period_start=start,
        opens_at=start,
        ends_at=start + timedelta(weeks=1),
        opened_at=start,
        state="rapportering",
        step_deadline_at=start + timedelta(days=2),
    )


def add_cycles(store: Store, *cycles: CycleInstance) -> list[CycleInstance]:
    with store.unit_of_work() as uow:
        added = [uow.cycles.add(c) for c in cycles]
    assert all(a is not None for a in added)
    return [a for a in added if a is not None]


def request(
    of: CycleInstance, person: str, step: str = "rapportering", **more: Any
) -> InputRequest:
    return InputRequest(
        key=f"{of.key}/{step}/{person}",
        instance_id=of.id or 0,
        unit_id=of.unit_id,
        step_id=step,
        person_id=person,
        roles=("rapportor",),
        requested_at=of.opens_at,
        deadline_at=of.opens_at + timedelta(days=2),
        late_until=of.opens_at + timedelta(days=4),
        **more,
    )


def timer(key: str, due: datetime, of: CycleInstance | None = None, **more: Any) -> Timer:
    return Timer(
        key=key,
        kind=more.pop("kind", TimerKind.REMINDER),
        due_at=due,
        definition_name=of.definition_name if of else "est-inventering",
        unit_id=of.unit_id if of else "sala",
        payload={"step": "rapportering"},
        instance_id=of.id if of else None,
        **more,
    )


def message(key: str, person: str = "tove-lind", **more: Any) -> OutboxMessage:
    return OutboxMessage(
        key=key,
        kind=more.pop("kind", MessageKind.INPUT_REQUEST),
        person_id=person,
        recipient=f"{person}@example.se",
        language="sv",
        created_at=more.pop("created_at", T0),
        context={"subject": key},
        unit_id=more.pop("unit_id", "sala"),
        **more,
    )


def action(key: str, of: CycleInstance, created: datetime, **more: Any) -> Action:
    return Action(
        key=key,
        unit_id=more.pop("unit_id", of.unit_id),
        kind=more.pop("kind", "insats"),
        source_instance_id=of.id or 0,
        source_label=of.period_label,
        what=f"Åtgärd {key}",
        owner_id="tove-lind",
        owner_party="kommunen",
        created_at=created,
        **more,
    )
