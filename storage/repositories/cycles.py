"""Cycle instances (implements `workflow.core.ports.Cycles`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, select, update

from lofte.kernel.errors import ConcurrentUpdate, NotFound
from lofte.storage import rows
from lofte.storage.drivers import per_driver
from lofte.storage.fast_sql import prepare_module
from lofte.storage.repositories.base import Repository, insert_ignore
from lofte.storage.types import UtcDateTime
from lofte.workflow.core.opening_rule import LastOpened
from lofte.workflow.core.records import CycleInstance, evolve

CY = rows.INSTANCES
_BY_ID = select(CY).where(CY.c.id == bindparam("id"))
_BY_ID_LOCKED = _BY_ID.with_for_update()
_BY_KEY = select(CY).where(CY.c.key == bindparam("key"))
_ADD = per_driver(lambda driver: insert_ignore(CY, driver, ["key"]).returning(CY.c.id))
_SAVED = (
    "state",
    "step_deadline_at",
    "step_late_until",
    "open_requests",
    "missing_requests",
    "late_answers",
    "closed_at",
    "outcome",
    "missing",
)
_SAVE = (
    update(CY)
    .where(CY.c.id == bindparam("b_id"), CY.c.version == bindparam("b_version"))
    .values(**rows.bound(CY, _SAVED), version=bindparam("new_version"))
)
_LATEST = (
    select(CY)
    .where(CY.c.definition_name == bindparam("definition"), CY.c.unit_id == bindparam("unit"))
    .order_by(CY.c.period_start.desc())
    .limit(1)
)
_PREVIOUS = (
    select(CY)
    .where(
        CY.c.definition_name == bindparam("definition"),
        CY.c.unit_id == bindparam("unit"),
        CY.c.period_start < bindparam("before", type_=UtcDateTime()),
    )
    .order_by(CY.c.period_start.desc())
    .limit(1)
)
_LATEST_START = (
    select(
        CY.c.definition_name.label("d"),
        CY.c.unit_id.label("u"),
        func.max(CY.c.period_start).label("start"),
    )
    .group_by(CY.c.definition_name, CY.c.unit_id)
    .subquery()
)
_LATEST_PERIODS = select(
    CY.c.definition_name, CY.c.unit_id, CY.c.period_start, CY.c.period_key
).join(
    _LATEST_START,
    (CY.c.definition_name == _LATEST_START.c.d)
    & (CY.c.unit_id == _LATEST_START.c.u)
    & (CY.c.period_start == _LATEST_START.c.start),
)
_BETWEEN = (
    select(CY)
    .where(
        CY.c.definition_name == bindparam("definition"),
        CY.c.unit_id.in_(bindparam("units", expanding=True)),
        CY.c.period_start >= bindparam("start", type_=UtcDateTime()),
        CY.c.period_start < bindparam("end", type_=UtcDateTime()),
    )
    .order_by(CY.c.period_start, CY.c.unit_id)
)


class SqlCycles(Repository):
    def add(self, instance: CycleInstance) -> CycleInstance | None:
        new_id = self.execute(_ADD[self.driver.name], rows.instance_values(instance)).scalar()
        if new_id is None:
            return None
        return _with_id(instance, new_id)

    def get(self, instance_id: int, *, lock: bool = False) -> CycleInstance:
        row = (
            self.execute(_BY_ID_LOCKED if lock else _BY_ID, {"id": instance_id}).mappings().first()
        )
        if row is None:
            raise NotFound("cykel", instance_id)
        return rows.instance(row)

    def by_key(self, key: str) -> CycleInstance | None:
        row = self.execute(_BY_KEY, {"key": key}).mappings().first()
        return None if row is None else rows.instance(row)

    def save(self, instance: CycleInstance) -> CycleInstance:
        values = rows.INSTANCE.picked(instance, _SAVED)
        values |= {"b_id": instance.id, "b_version": instance.version}
        result = self.execute(_SAVE, values | {"new_version": instance.version + 1})
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"cykeln {instance.key}")
        return _replace_version(instance, instance.version + 1)

    def latest(self, definition: str, unit: str) -> CycleInstance | None:
        row = self.execute(_LATEST, {"definition": definition, "unit": unit}).mappings().first()
        return None if row is None else rows.instance(row)

    def latest_periods(self) -> dict[tuple[str, str], LastOpened]:
        found: dict[tuple[str, str], LastOpened] = {}
        for d, u, start, key in self.execute(_LATEST_PERIODS):
            period = LastOpened(UtcDateTime.aware(start), key)
            if (d, u) not in found or found[(d, u)].key < key:  # two keys starting alike
                found[(d, u)] = period
        return found

    def previous(self, definition: str, unit: str, before: datetime) -> CycleInstance | None:
        row = (
            self.execute(_PREVIOUS, {"definition": definition, "unit": unit, "before": before})
            .mappings()
            .first()
        )
        return None if row is None else rows.instance(row)

    def started_between(
        self, definition: str, units: Sequence[str], start: datetime, end: datetime
    ) -> list[CycleInstance]:
        if not units:
            return []
        found = self.execute(
            _BETWEEN, {"definition": definition, "units": list(units), "start": start, "end": end}
        ).mappings()
        return [rows.instance(row) for row in found]


def _with_id(instance: CycleInstance, new_id: int) -> CycleInstance:
    return evolve(instance, id=new_id)


def _replace_version(instance: CycleInstance, version: int) -> CycleInstance:
    return evolve(instance, version=version)


prepare_module(globals())  # the statements above run on the driver (storage.fast_sql)
