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

_TIMERS = select(T.c.status, func.count()).group_by(T.c.status)
_OVERDUE = select(func.count()).where(
    rows.status_is(T.c.status, TimerStatus.PENDING), T.c.due_at < bindparam("before")
)
_MESSAGES = select(OB.c.status, func.count()).group_by(OB.c.status)
_OLDEST_WAITING = select(func.min(OB.c.created_at)).where(
    or_(
        rows.status_is(OB.c.status, OutboxStatus.PENDING),
        rows.status_is(OB.c.status, OutboxStatus.SENDING),
    )
)
_OPEN_CYCLES = (
    select(CY.c.definition_name, func.count())
    .where(CY.c.closed_at.is_(None))
    .group_by(CY.c.definition_name)
)
_ANSWERS = select(func.count()).where(
    R.c.answered_at > bindparam("since"), R.c.answered_at <= bindparam("now")
)
_BEAT = select(SET.c.value).where(SET.c.key == HEARTBEAT_KEY)
_AUDIT_HEAD = select(func.max(AUDIT.c.seq))


class SqlOperationsReads:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.head_revision = ScriptDirectory(str(MIGRATIONS)).get_current_head()

    def _connect(self) -> Any:
        options: dict[str, Any] = {READ_ONLY: True}
        if self.engine.dialect.name == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"
        return self.engine.connect().execution_options(**options)

    def figures(self, now: datetime) -> OperationsFigures:
        with self._connect() as c:
            timers = {str(s): int(n) for s, n in c.execute(_TIMERS)}
            overdue = c.execute(_OVERDUE, {"before": now - OVERDUE_AFTER}).scalar_one()
            messages = {str(s): int(n) for s, n in c.execute(_MESSAGES)}
            oldest = c.execute(_OLDEST_WAITING).scalar()
            cycles = {str(d): int(n) for d, n in c.execute(_OPEN_CYCLES)}
            answers = c.execute(_ANSWERS, {"since": now - ANSWERS_WINDOW, "now": now}).scalar_one()
            beat = read_beat(c.execute(_BEAT).scalar())
            head = c.execute(_AUDIT_HEAD).scalar()
        return OperationsFigures(
            now=now,
            timers=timers,
            timers_overdue=int(overdue),
            messages=messages,
            oldest_waiting_at=None if oldest is None else UtcDateTime.aware(oldest),
            open_cycles=cycles,
            answers_last_day=int(answers),
            beat=beat,
            audit_head=int(head or 0),
        )

    def schema_current(self) -> bool:
        return current_revision(self.engine) == self.head_revision

    def beat(self) -> EngineBeat | None:
        with self._connect() as c:
            return read_beat(c.execute(_BEAT).scalar())
