"""Input requests and the sensitive values of their answers (implements `Requests` and
`SensitiveValues`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from lofte.kernel.errors import NotFound
from lofte.storage import rows
from lofte.storage.drivers import Driver
from lofte.storage.fast_sql import prepare_module
from lofte.storage.repositories.base import Repository
from lofte.storage.sensitive_keys import SensitiveCipher
from lofte.storage.tables import SensitiveRow
from lofte.storage.types import UtcDateTime
from lofte.workflow.core.records import (
    CycleInstance,
    InputRequest,
    PeriodAnswer,
    RequestStatus,
    evolve,
)

R = rows.REQUESTS
CY = rows.INSTANCES
S = rows.table(SensitiveRow)

# One multi-row INSERT; ids come back by key (the database may return rows in any order).
_ADD = insert(R).returning(R.c.id, R.c.key)
_BY_ID = select(R).where(R.c.id == bindparam("id"))
# The cycle first, then the request: one lock order everywhere, so no deadlocks.
_FOR_UPDATE = (
    select(R, *[c.label(f"i_{c.name}") for c in CY.c])
    .join(CY, CY.c.id == R.c.instance_id)
    .where(R.c.id == bindparam("id"))
    .with_for_update(of=[CY, R])
)


# A step's cycle, read apart from its requests: joined, the cycle's columns were read again
# with every request (a police area's step asks a dozen people).
_CYCLE = select(CY).where(CY.c.id == bindparam("instance"))
_CYCLE_LOCKED = _CYCLE.with_for_update()
_OPEN_FOR_STEP = (
    select(R)
    .where(
        R.c.instance_id == bindparam("instance"),
        R.c.step_id == bindparam("step"),
        R.c.status == RequestStatus.OPEN.value,
    )
    .order_by(R.c.id)
)
_FOR_INSTANCE = select(R).where(R.c.instance_id == bindparam("instance")).order_by(R.c.id)
_ANSWERED = (
    select(R)
    .where(
        R.c.instance_id.in_(bindparam("instances", expanding=True)),
        R.c.step_id == bindparam("step"),
        R.c.status == RequestStatus.ANSWERED.value,
    )
    .order_by(R.c.instance_id, R.c.id)
)
# A lägesbild's answers: two columns of each, with when its cycle's period starts (a quarter of
# a municipality's inventories is some fifty answers, of which only these are needed).
_BY_PERIOD = (
    select(CY.c.period_start, R.c.unit_id, R.c.answer, CY.c.definition_version)
    .select_from(R.join(CY, CY.c.id == R.c.instance_id))
    .where(
        CY.c.definition_name == bindparam("definition"),
        CY.c.unit_id == bindparam("unit"),
        CY.c.period_start >= bindparam("start", type_=UtcDateTime()),
        CY.c.period_start < bindparam("end", type_=UtcDateTime()),
        R.c.step_id == bindparam("step"),
        R.c.status == RequestStatus.ANSWERED.value,
    )
    .order_by(R.c.instance_id, R.c.id)
)
_SAVED = ("status", "answered_at", "late", "answer", "answer_version")
_SAVE = update(R).where(R.c.id == bindparam("b_id")).values(**rows.bound(R, _SAVED))
_CLOSE_OPEN = (
    update(R)
    .where(
        R.c.instance_id == bindparam("instance"),
        R.c.step_id == bindparam("step"),
        R.c.status == RequestStatus.OPEN.value,
    )
    .values(status=bindparam("status"))
    .returning(*R.c)
)
_MOVE_OPEN = (
    update(R)
    .where(
        R.c.instance_id == bindparam("instance"),
        R.c.step_id == bindparam("step"),
        R.c.status == RequestStatus.OPEN.value,
    )
    .values(
        deadline_at=bindparam("deadline", type_=UtcDateTime()),
        late_until=bindparam("late", type_=UtcDateTime()),
    )
)
_PUT_SENSITIVE = insert(S)
_ERASE = (
    update(S)
    .where(
        S.c.request_id.in_(select(R.c.id).where(R.c.instance_id == bindparam("instance"))),
        S.c.erased_at.is_(None),
    )
    .values(payload="", erased_at=bindparam("at", type_=UtcDateTime()))
)
_GET_SENSITIVE = (
    select(S.c.payload, S.c.erased_at)
    .where(S.c.request_id == bindparam("request"))
    .order_by(S.c.version.desc())
    .limit(1)
)


class SqlRequests(Repository):
    def __init__(self, connection: Connection, driver: Driver) -> None:
        super().__init__(connection, driver)
        self.added = 0  # requests this unit of work added (see `Writes`)

    def add_many(self, requests: Sequence[InputRequest]) -> list[InputRequest]:
        if not requests:
            return []
        self.added += len(requests)
        ids = {
            key: new_id
            for new_id, key in self.execute(_ADD, [rows.request_values(r) for r in requests])
        }
        return [evolve(r, id=ids[r.key]) for r in requests]

    def get(self, request_id: int) -> InputRequest:
        row = self.execute(_BY_ID, {"id": request_id}).mappings().first()
        if row is None:
            raise NotFound("förfrågan", request_id)
        return rows.request(row)

    def get_for_update(self, request_id: int) -> tuple[InputRequest, CycleInstance]:
        row = self.execute(_FOR_UPDATE, {"id": request_id}).mappings().first()
        if row is None:
            raise NotFound("förfrågan", request_id)
        cycle = {key[2:]: value for key, value in row.items() if key.startswith("i_")}
        return rows.request(row), rows.instance(cycle)

    def open_for_step(self, instance_id: int, step_id: str) -> list[InputRequest]:
        found = self.execute(_OPEN_FOR_STEP, {"instance": instance_id, "step": step_id})
        return [rows.request(row) for row in found.mappings()]

    def cycle_and_open_requests(
        self, instance_id: int, step_id: str, *, lock: bool = False
    ) -> tuple[CycleInstance, list[InputRequest]]:
        statement = _CYCLE_LOCKED if lock else _CYCLE
        cycle = self.execute(statement, {"instance": instance_id}).mappings().first()
        if cycle is None:
            raise NotFound("cykel", instance_id)
        return rows.instance(cycle), self.open_for_step(instance_id, step_id)

    def for_instance(self, instance_id: int) -> list[InputRequest]:
        return [
            rows.request(r)
            for r in self.execute(_FOR_INSTANCE, {"instance": instance_id}).mappings()
        ]

    def answered(self, instance_ids: Sequence[int], step_id: str) -> list[InputRequest]:
        if not instance_ids:
            return []
        found = self.execute(_ANSWERED, {"instances": list(instance_ids), "step": step_id})
        return [rows.request(row) for row in found.mappings()]

    def answers_by_period(
        self, definition: str, unit_id: str, step_id: str, start: datetime, end: datetime
    ) -> list[PeriodAnswer]:
        window = {"definition": definition, "unit": unit_id, "start": start, "end": end}
        found = self.execute(_BY_PERIOD, {**window, "step": step_id})
        return [PeriodAnswer(when, unit, answer, version) for when, unit, answer, version in found]

    def save(self, request: InputRequest) -> None:
        self.write(_SAVE, rows.REQUEST.picked(request, _SAVED) | {"b_id": request.id})

    def move_open(
        self, instance_id: int, step_id: str, deadline_at: datetime, late_until: datetime
    ) -> None:
        values = {"instance": instance_id, "step": step_id, "deadline": deadline_at}
        self.write(_MOVE_OPEN, {**values, "late": late_until})

    def close_open(
        self, instance_id: int, step_id: str, status: RequestStatus
    ) -> list[InputRequest]:
        found = self.execute(
            _CLOSE_OPEN, {"instance": instance_id, "step": step_id, "status": status.value}
        ).mappings()
        return [rows.request(row) for row in found]


class SqlSensitiveValues(Repository):
    """Stored apart from the answer, encrypted with the installation's data key."""

    def __init__(self, connection: Connection, driver: Driver, cipher: SensitiveCipher) -> None:
        super().__init__(connection, driver)
        self.cipher = cipher

    def put(self, request_id: int, version: int, values: dict[str, Any], at: datetime) -> None:
        self.execute(
            _PUT_SENSITIVE,
            {
                "request_id": request_id,
                "version": version,
                "key_id": self.cipher.key_id,
                "payload": self.cipher.encrypt(json.dumps(values, ensure_ascii=False)),
                "stored_at": at,
            },
        )

    def get(self, request_id: int) -> dict[str, Any] | None:
        row = self.execute(_GET_SENSITIVE, {"request": request_id}).first()
        if row is None or row.erased_at is not None:
            return None
        loaded: dict[str, Any] = json.loads(self.cipher.decrypt(row.payload))
        return loaded

    def erase_for_instance(self, instance_id: int, at: datetime) -> int:
        result = self.execute(_ERASE, {"instance": instance_id, "at": at})
        return int(result.rowcount)


prepare_module(globals())  # the statements above run on the driver (storage.fast_sql)
