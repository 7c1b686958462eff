"""The figures operations watch, read straight from the tables at the moment they are asked for
(implements `workflow.application.operations.OperationsReads`). A scrape reads them in one
read-only transaction (on PostgreSQL a repeatable-read one: one snapshot for all figures)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, bindparam, func, or_, select

from lofte.storage import rows
from lofte.storage.database import MIGRATIONS, READ_ONLY, current_revision
from lofte.storage.drivers import driver_for
from lofte.storage.repositories.audit import A as AUDIT
from lofte.storage.tables import SettingRow
from lofte.storage.types import UtcDateTime
from lofte.workflow.application.operations import (
    ANSWERS_WINDOW,
    HEARTBEAT_KEY,
    OVERDUE_AFTER,
    EngineBeat,
    OperationsFigures,
    read_beat,
)
from lofte.workflow.core.records import OutboxStatus, TimerStatus

CY, R, T, OB = rows.INSTANCES, rows.REQUESTS, rows.TIMERS, rows.OUTBOX
SET = rows.table(SettingRow)

# Only the statuses few rows have, each counted through its index (status first): a count of
# every status would scan the whole history.
TIMER_STATUSES = (TimerStatus.PENDING, TimerStatus.FAILED)
MESSAGE_STATUSES = (
    OutboxStatus.PENDING,
    OutboxStatus.SENDING,
    OutboxStatus.HELD,
    OutboxStatus.FAILED,
)


def _count(table: Any, status: Any) -> Any:
    return select(func.count()).where(rows.status_is(table.c.status, status)).scalar_subquery()


# Every single figure in one statement (one round trip), each a subquery of its own.
_FIGURES = select(
    *[_count(T, s).label(f"timers_{s}") for s in TIMER_STATUSES],
    *[_count(OB, s).label(f"messages_{s}") for s in MESSAGE_STATUSES],
    select(func.count())
    .where(rows.status_is(T.c.status, TimerStatus.PENDING), T.c.due_at < bindparam("before"))
    .scalar_subquery()
    .label("overdue"),
    select(func.min(OB.c.created_at))
    .where(
        or_(
            rows.status_is(OB.c.status, OutboxStatus.PENDING),
            rows.status_is(OB.c.status, OutboxStatus.SENDING),
        )
    )
    .scalar_subquery()
    .label("oldest"),
    select(func.count())
    .where(R.c.answered_at > bindparam("since"), R.c.answered_at <= bindparam("now"))
    .scalar_subquery()
    .label("answers"),
    select(SET.c.value).where(SET.c.key == HEARTBEAT_KEY).scalar_subquery().label("beat"),
    select(func.max(AUDIT.c.seq)).scalar_subquery().label("head"),
)
_OPEN_CYCLES = (
    select(CY.c.definition_name, func.count())
    .where(CY.c.closed_at.is_(None))
    .group_by(CY.c.definition_name)
)
_BEAT = select(SET.c.value).where(SET.c.key == HEARTBEAT_KEY)


class SqlOperationsReads:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.head_revision = ScriptDirectory(str(MIGRATIONS)).get_current_head()

    def _connect(self) -> Any:
        options: dict[str, Any] = {READ_ONLY: True}
        isolation = driver_for(self.engine).snapshot_isolation
        if isolation is not None:
            options["isolation_level"] = isolation
        return self.engine.connect().execution_options(**options)

    def figures(self, now: datetime) -> OperationsFigures:
        values = {"before": now - OVERDUE_AFTER, "since": now - ANSWERS_WINDOW, "now": now}
        with self._connect() as c:
            row = c.execute(_FIGURES, values).mappings().one()
            cycles = {str(d): int(n) for d, n in c.execute(_OPEN_CYCLES)}
        return OperationsFigures(
            now=now,
            timers={str(s): int(row[f"timers_{s}"]) for s in TIMER_STATUSES},
            timers_overdue=int(row["overdue"]),
            messages={str(s): int(row[f"messages_{s}"]) for s in MESSAGE_STATUSES},
            oldest_waiting_at=None if row["oldest"] is None else UtcDateTime.aware(row["oldest"]),
            open_cycles=cycles,
            answers_last_day=int(row["answers"]),
            beat=read_beat(row["beat"]),
            audit_head=int(row["head"] or 0),
        )

    def schema_current(self) -> bool:
        return current_revision(self.engine) == self.head_revision

    def beat(self) -> EngineBeat | None:
        with self._connect() as c:
            return read_beat(c.execute(_BEAT).scalar())
