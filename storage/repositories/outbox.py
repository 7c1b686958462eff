"""The outbox (implements `Outbox`, and the delivery side the dispatcher uses)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, or_, select, update

from storage import rows
from storage.repositories.base import Repository, insert_ignore
from storage.types import UtcDateTime
from workflow.core.records import OutboxMessage, OutboxStatus
from workflow.core.work import CATCH_UP
from workflow.kernel.errors import NotFound

O = rows.OUTBOX
_ADD = {d: insert_ignore(O, d, ["key"]) for d in ("sqlite", "postgresql")}
_UNREPORTED = (
    select(O)
    .where(
        O.c.status == OutboxStatus.EXPIRED.value,
        O.c.last_error == CATCH_UP,
        O.c.reported_at.is_(None),
    )
    .order_by(O.c.unit_id, O.c.id)
)
_MARK_REPORTED = (
    update(O)
    .where(O.c.id.in_(bindparam("ids", expanding=True)))
    .values(reported_at=bindparam("at", type_=UtcDateTime()))
)
_CLAIM = (
    select(O)
    .where(
        or_(
            (O.c.status == OutboxStatus.PENDING.value)
            & (
                O.c.next_attempt_at.is_(None)
                | (O.c.next_attempt_at <= bindparam("now", type_=UtcDateTime()))
            ),
            (O.c.status == OutboxStatus.SENDING.value)
            & (O.c.claimed_at < bindparam("stale", type_=UtcDateTime())),
        )
    )
    .order_by(O.c.id)
    .limit(1)
    .with_for_update(skip_locked=True)
)
_SAVE = (
    update(O)
    .where(O.c.id == bindparam("b_id"))
    .values(
        status=bindparam("status"),
        attempts=bindparam("attempts"),
        next_attempt_at=bindparam("next_attempt_at", type_=UtcDateTime()),
        claimed_by=bindparam("claimed_by"),
        claimed_at=bindparam("claimed_at", type_=UtcDateTime()),
        sent_at=bindparam("sent_at", type_=UtcDateTime()),
        last_error=bindparam("last_error"),
        delivery=bindparam("delivery"),
    )
)
_BY_ID = select(O).where(O.c.id == bindparam("id"))


class SqlOutbox(Repository):
    def add_many(self, messages: Sequence[OutboxMessage]) -> None:
        if messages:
            self.execute(_ADD[self.dialect], [rows.message_values(m) for m in messages])

    def unreported_catch_up(self) -> list[OutboxMessage]:
        return [rows.message(r) for r in self.execute(_UNREPORTED).mappings()]

    def mark_reported(self, message_ids: Sequence[int], at: datetime) -> None:
        if message_ids:
            self.execute(_MARK_REPORTED, {"ids": list(message_ids), "at": at})

    # delivery -----------------------------------------------------------------------------
    def claim(self, now: datetime, stale_before: datetime) -> OutboxMessage | None:
        """Lock the next message to deliver: pending and due, or `sending` by a dispatcher
        whose lease ran out; rows another dispatcher holds are skipped."""
        row = self.execute(_CLAIM, {"now": now, "stale": stale_before}).mappings().first()
        return None if row is None else rows.message(row)

    def save(self, message: OutboxMessage) -> None:
        self.execute(
            _SAVE,
            {
                "b_id": message.id,
                "status": message.status.value,
                "attempts": message.attempts,
                "next_attempt_at": message.next_attempt_at,
                "claimed_by": message.claimed_by,
                "claimed_at": message.claimed_at,
                "sent_at": message.sent_at,
                "last_error": message.last_error,
                "delivery": message.delivery,
            },
        )

    def get(self, message_id: int, *, lock: bool = False) -> OutboxMessage:
        statement = _BY_ID.with_for_update() if lock else _BY_ID
        row = self.execute(statement, {"id": message_id}).mappings().first()
        if row is None:
            raise NotFound("meddelande", message_id)
        return rows.message(row)

    def with_status(self, status: OutboxStatus, person_id: str | None = None) -> list[OutboxMessage]:
        query = select(O).where(O.c.status == status.value)
        if person_id is not None:
            query = query.where(O.c.person_id == person_id)
        return [rows.message(r) for r in self.execute(query.order_by(O.c.id)).mappings()]

    def exists(self, key: str) -> bool:
        return self.execute(select(O.c.id).where(O.c.key == key)).first() is not None
