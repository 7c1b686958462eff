"""Meetings (implements `Meetings`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, insert, select, update

from lofte.storage import rows
from lofte.storage.fast_sql import prepare_module
from lofte.storage.repositories.base import Repository
from lofte.workflow.core.records import Meeting

M = rows.MEETINGS
_ADD = insert(M)
_GET = select(M).where(M.c.instance_id == bindparam("instance"), M.c.step_id == bindparam("step"))
_SAVED = ("starts_at", "ends_at", "location", "sequence", "cancelled")
_SAVE = update(M).where(M.c.id == bindparam("b_id")).values(**rows.bound(M, _SAVED))


class SqlMeetings(Repository):
    def add_many(self, meetings: Sequence[Meeting]) -> None:
        if meetings:
            self.execute(_ADD, [rows.meeting_values(m) for m in meetings])

    def get(self, instance_id: int, step_id: str, *, lock: bool = False) -> Meeting | None:
        statement = _GET.with_for_update() if lock else _GET
        row = self.execute(statement, {"instance": instance_id, "step": step_id}).mappings().first()
        return None if row is None else rows.meeting(row)

    def save(self, meeting: Meeting) -> None:
        self.execute(_SAVE, rows.MEETING.picked(meeting, _SAVED) | {"b_id": meeting.id})


prepare_module(globals())  # the statements above run on the driver (storage.fast_sql)
