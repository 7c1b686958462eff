"""Durable timers (implements `Timers`). Several engines may share the database: a timer is
claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite serialises writers), and never
while an earlier pending timer of the same cycle exists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, or_, select, union_all, update
from sqlalchemy.orm import aliased

from lofte.kernel.errors import NotFound
from lofte.storage import rows
from lofte.storage.drivers import Driver, per_driver
from lofte.storage.fast_sql import prepare_module
from lofte.storage.repositories.base import Repository
from lofte.storage.types import UtcDateTime
from lofte.workflow.core.records import Timer, TimerKind, TimerStatus

T = rows.TIMERS
# Every condition on a timer's status is written into the statement (`rows.status_is`): with
# partial indexes over the status, SQLite plans a statement again at each execution whose
# status is a bound parameter (it looks at the value to see whether they apply).
PENDING = rows.status_is(T.c.status, TimerStatus.PENDING)


def _claim_statement() -> object:
    """The earliest due pending timer whose cycle has no earlier pending timer, claimed.

    An opening has no cycle yet (`instance_id` NULL) and is never blocked: written as
    `instance_id IS NULL OR NOT EXISTS (...)`, the check is a subquery the planner runs per
    candidate through `ix_timers_instance` (`instance_id = <the candidate's>`), only for timers
    of a cycle. As `NOT EXISTS` alone, PostgreSQL may make it an anti join, which without
    statistics (a new database before auto-analyze) it planned as a nested loop over every
    pending timer for every due one: 107 ms a claim for 290 municipalities' openings, 892 ms for
    1,900; as written here 0.5 ms (`tests/storage/test_claim_plan.py`)."""
    earlier = aliased(T)
    blocked = exists().where(
        rows.status_is(earlier.c.status, TimerStatus.PENDING),  # ix_timers_instance
        earlier.c.instance_id == T.c.instance_id,
        or_(
            earlier.c.due_at < T.c.due_at,
            and_(earlier.c.due_at == T.c.due_at, earlier.c.id < T.c.id),
        ),
    )
    due = (
        select(T.c.id)
        .where(
            PENDING,
            T.c.due_at <= bindparam("now", type_=UtcDateTime()),
            or_(
                T.c.next_attempt_at.is_(None),
                T.c.next_attempt_at <= bindparam("now", type_=UtcDateTime()),
            ),
            or_(T.c.instance_id.is_(None), ~blocked),
        )
        .order_by(T.c.due_at, T.c.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=T)
        .scalar_subquery()
    )
    # Claimed and marked fired in one statement; if the handler fails, the transaction rolls
    # back and the timer is pending again.
    return (
        update(T)
        .where(T.c.id == due)
        .values(
            status=TimerStatus.FIRED.value,
            fired_at=bindparam("now", type_=UtcDateTime()),
            fired_by=bindparam("by"),
        )
        .returning(*T.c)
    )


_CLAIM = _claim_statement()


def _add_statement(driver: type[Driver]) -> object:
    """Insert timers; a timer whose key exists is left as it is, except a cancelled opening,
    which is pending again with the new moment (a setup change cancelled it, and a later one
    schedules the same period again)."""
    made = driver.insert(T)
    revived = {
        "status": made.excluded.status,
        "due_at": made.excluded.due_at,
        "payload": made.excluded.payload,
        "attempts": 0,
        "next_attempt_at": None,
        "last_error": None,
        "fired_at": None,
        "fired_by": None,
    }
    return made.on_conflict_do_update(
        index_elements=[T.c.key],
        set_=revived,
        where=and_(
            rows.status_is(T.c.status, TimerStatus.CANCELLED),
            rows.status_is(T.c.kind, TimerKind.CYCLE_OPEN),
        ),
    )


_ADD = per_driver(_add_statement)
_SAVED = ("status", "attempts", "next_attempt_at", "last_error")
_SAVE = update(T).where(T.c.id == bindparam("b_id")).values(**rows.bound(T, _SAVED))
_CANCEL_INSTANCE = (
    update(T)
    .where(
        T.c.instance_id == bindparam("instance"),
        PENDING,  # ix_timers_instance
    )
    .values(status=TimerStatus.CANCELLED.value)
)
_MOVE_PENDING = (
    update(T)
    .where(T.c.key == bindparam("b_key"), PENDING)
    .values(due_at=bindparam("due", type_=UtcDateTime()))
)
_CANCEL_PENDING = (
    update(T)
    .where(T.c.key == bindparam("b_key"), PENDING)
    .values(status=TimerStatus.CANCELLED.value)
)
# ix_timers_opening's condition, stated as it is written there
_PENDING_OPENING = (PENDING, rows.status_is(T.c.kind, TimerKind.CYCLE_OPEN))
_CANCEL_OPENINGS = (
    update(T)
    .where(
        T.c.definition_name == bindparam("definition"),
        T.c.unit_id == bindparam("unit"),
        *_PENDING_OPENING,
    )
    .values(status=TimerStatus.CANCELLED.value)
    .returning(T.c.due_at)
)
_PENDING_OPENINGS = select(T.c.definition_name, T.c.unit_id).where(*_PENDING_OPENING)
# The earliest of: the first pending timer not being retried (ix_timers_due, in order) and the
# first retry (ix_timers_retry). One aggregate over coalesce(next_attempt_at, due_at) read
# every pending timer: half a millisecond with the 2,300 of 290 municipalities.
_FIRST_DUE = (
    select(T.c.due_at.label("at"))
    .where(PENDING, T.c.next_attempt_at.is_(None))
    .order_by(T.c.due_at)
    .limit(1)
)
_FIRST_RETRY = (
    select(T.c.next_attempt_at.label("at"))
    .where(PENDING, T.c.next_attempt_at.is_not(None))
    .order_by(T.c.next_attempt_at)
    .limit(1)
)
_NEXT_DUE_PARTS = union_all(_FIRST_DUE.subquery().select(), _FIRST_RETRY.subquery().select())
_NEXT_DUE = select(func.min(_NEXT_DUE_PARTS.subquery().c.at))
_BY_ID = select(T).where(T.c.id == bindparam("id"))


class SqlTimers(Repository):
    def __init__(self, connection: Any, driver: Driver) -> None:
        super().__init__(connection, driver)
        self.writes = 0  # statements that added or changed timers (see `Writes`)

    def add_many(self, timers: Sequence[Timer]) -> None:
        if timers:
            self.writes += 1
            unique: dict[str, Timer] = {}
            for timer in timers:  # one row per key (the first), in the order given
                unique.setdefault(timer.key, timer)
            self.write(_ADD[self.driver.name], [rows.timer_values(t) for t in unique.values()])

    def claim_due(self, now: datetime, by: str) -> Timer | None:
        row = self.execute(_CLAIM, {"now": now, "by": by}).mappings().first()
        if row is None:
            return None
        self.writes += 1
        return rows.timer(row)

    def save(self, timer: Timer) -> None:
        self.writes += 1
        self.write(_SAVE, rows.TIMER.picked(timer, _SAVED) | {"b_id": timer.id})

    def cancel_for_instance(self, instance_id: int) -> int:
        self.writes += 1
        return int(self.execute(_CANCEL_INSTANCE, {"instance": instance_id}).rowcount)

    def move_pending(self, key: str, due_at: datetime | None) -> int:
        self.writes += 1
        if due_at is None:
            return int(self.execute(_CANCEL_PENDING, {"b_key": key}).rowcount)
        return int(self.execute(_MOVE_PENDING, {"b_key": key, "due": due_at}).rowcount)

    def cancel_openings(self, definition: str, unit: str) -> datetime | None:
        self.writes += 1
        result = self.execute(_CANCEL_OPENINGS, {"definition": definition, "unit": unit})
        due = [UtcDateTime.aware(at) for (at,) in result]
        return min(due) if due else None

    def pending_openings(self) -> set[tuple[str, str]]:
        return {(d, u) for d, u in self.execute(_PENDING_OPENINGS)}

    def next_due(self) -> datetime | None:
        value = self.execute(_NEXT_DUE).scalar()
        return None if value is None else UtcDateTime.aware(value)

    def get(self, timer_id: int, *, lock: bool = False) -> Timer:
        statement = _BY_ID.with_for_update() if lock else _BY_ID
        row = self.execute(statement, {"id": timer_id}).mappings().first()
        if row is None:
            raise NotFound("timer", timer_id)
        return rows.timer(row)


prepare_module(globals())  # the statements above run on the driver (storage.fast_sql)
