"""The action register (implements `Actions`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import bindparam, case, func, insert, select, update

from lofte.kernel.errors import NotFound
from lofte.storage import rows
from lofte.storage.drivers import per_driver
from lofte.storage.fast_sql import prepare_module
from lofte.storage.repositories.base import Repository, insert_ignore
from lofte.storage.tables import ActionEventRow
from lofte.storage.types import UtcDateTime
from lofte.workflow.core.records import CLOSED_ACTION, Action, ActionEvent, ActionStatus, evolve

A = rows.ACTIONS
E = rows.table(ActionEventRow)
_ADD = per_driver(lambda driver: insert_ignore(A, driver, ["key"]).returning(A.c.id, A.c.key))
_OPEN_IN = (
    select(A)
    .where(
        A.c.unit_id.in_(bindparam("units", expanding=True)),
        A.c.kind.in_(bindparam("kinds", expanding=True)),
        A.c.status.not_in([s.value for s in CLOSED_ACTION]),
    )
    .order_by(A.c.created_at, A.c.id)
)
_BY_ID = select(A).where(A.c.id == bindparam("id"))
_FOLLOW_UP = (
    update(A)
    .where(A.c.id == bindparam("b_id"))
    .values(
        status=bindparam("status"),
        note=func.coalesce(func.nullif(bindparam("note"), ""), A.c.note),
        effect=func.coalesce(func.nullif(bindparam("effect"), ""), A.c.effect),
        updated_at=bindparam("at", type_=UtcDateTime()),
        closed_at=case(
            (bindparam("closes"), bindparam("at", type_=UtcDateTime())), else_=A.c.closed_at
        ),
        version=A.c.version + 1,
    )
    .returning(*A.c)
)
_ADD_EVENT = insert(E)


class SqlActions(Repository):
    def add_many(self, actions: Sequence[Action]) -> list[Action]:
        if not actions:
            return []
        added = self.execute(_ADD[self.driver.name], [rows.action_values(a) for a in actions]).all()
        ids = {key: new_id for new_id, key in added}
        return [evolve(a, id=ids[a.key]) for a in actions if a.key in ids]

    def open_in(self, units: Sequence[str], kinds: Iterable[str]) -> list[Action]:
        kinds = list(kinds)
        if not units or not kinds:
            return []
        found = self.execute(_OPEN_IN, {"units": list(units), "kinds": kinds}).mappings()
        return [rows.action(r) for r in found]

    def get(self, action_id: int, *, lock: bool = False) -> Action:
        statement = _BY_ID.with_for_update() if lock else _BY_ID
        row = self.execute(statement, {"id": action_id}).mappings().first()
        if row is None:
            raise NotFound("åtgärd", action_id)
        return rows.action(row)

    def follow_up(
        self,
        action_id: int,
        status: ActionStatus,
        note: str,
        effect: str,
        at: datetime,
        closes: bool,
    ) -> Action:
        row = (
            self.execute(
                _FOLLOW_UP,
                {
                    "b_id": action_id,
                    "status": status.value,
                    "note": note,
                    "effect": effect,
                    "at": at,
                    "closes": closes,
                },
            )
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound("åtgärd", action_id)
        return rows.action(row)

    def add_event(self, event: ActionEvent) -> None:
        self.write(_ADD_EVENT, rows.ACTION_EVENT.values(event))


prepare_module(globals())  # the statements above run on the driver (storage.fast_sql)
