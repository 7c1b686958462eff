"""The outbox (implements `Outbox`, and the delivery side the dispatcher uses)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, func, or_, select, update

from lofte.kernel.errors import NotFound
from lofte.storage import rows
from lofte.storage.drivers import Driver, per_driver
from lofte.storage.fast_sql import prepare_module
from lofte.storage.repositories.base import Repository, insert_ignore
from lofte.storage.types import UtcDateTime
from lofte.workflow.core.records import (
    CycleInstance,
    InputRequest,
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    RequestStatus,
)
from lofte.workflow.core.work import CATCH_UP

OB = rows.OUTBOX
_ADD = per_driver(lambda driver: insert_ignore(OB, driver, ["key"]))
_UNREPORTED = (
    select(OB)
    .where(
        rows.status_is(OB.c.status, OutboxStatus.EXPIRED),
        OB.c.last_error == CATCH_UP,
        OB.c.reported_at.is_(None),
    )
    .order_by(OB.c.unit_id, OB.c.id)
    .with_for_update()
)
_MARK_REPORTED = (
    update(OB)
    .where(OB.c.id.in_(bindparam("ids", expanding=True)))
    .values(reported_at=bindparam("at", type_=UtcDateTime()))
)


def _claimable() -> Any:
    """Pending and due, or `sending` by a dispatcher whose lease ran out."""
    return or_(
        rows.status_is(OB.c.status, OutboxStatus.PENDING)
        & (
            # never before it was written: a dispatcher whose clock lags (another host, or
            # the simulation's delivery worker) leaves later messages alone
            (
                OB.c.next_attempt_at.is_(None)
                & (OB.c.created_at <= bindparam("now", type_=UtcDateTime()))
            )
            | (OB.c.next_attempt_at <= bindparam("now", type_=UtcDateTime()))
        ),
        rows.status_is(OB.c.status, OutboxStatus.SENDING)  # ix_outbox_claimed
        & (OB.c.claimed_at < bindparam("stale", type_=UtcDateTime())),
    )


def _claim_statement() -> Any:
    due = (
        select(OB.c.id)
        .where(_claimable())
        .order_by(OB.c.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )
    # Claimed in one statement: `sending`, one more attempt, the first attempt's time kept.
    return (
        update(OB)
        .where(OB.c.id.in_(due.scalar_subquery()))
        .values(
            status=OutboxStatus.SENDING.value,
            attempts=OB.c.attempts + 1,
            first_attempt_at=func.coalesce(
                OB.c.first_attempt_at, bindparam("now", type_=UtcDateTime())
            ),
            claimed_by=bindparam("by"),
            claimed_at=bindparam("now", type_=UtcDateTime()),
        )
        .returning(*OB.c)
    )


_CLAIM = _claim_statement()
_ANY_CLAIMABLE = select(OB.c.id).where(_claimable()).limit(1)
_RETRIES = select(OB.c.next_attempt_at).where(
    rows.status_is(OB.c.status, OutboxStatus.PENDING), OB.c.next_attempt_at.is_not(None)
)
_SENT = (
    update(OB)
    .where(OB.c.id == bindparam("b_id"), OB.c.claimed_by == bindparam("b_by"))
    .values(
        status=OutboxStatus.SENT.value,
        sent_at=bindparam("sent_at", type_=UtcDateTime()),
        delivery=bindparam("delivery"),
        last_error=None,
    )
)
_RELEASE = (
    update(OB)
    .where(
        OB.c.id == bindparam("b_id"),
        OB.c.claimed_by == bindparam("b_by"),
        rows.status_is(OB.c.status, OutboxStatus.SENDING),
    )
    .values(  # the right-hand sides read the row as it was
        status=OutboxStatus.PENDING.value,
        attempts=OB.c.attempts - 1,
        first_attempt_at=case((OB.c.attempts <= 1, None), else_=OB.c.first_attempt_at),
        claimed_by=None,
        claimed_at=None,
        last_error=func.coalesce(bindparam("note"), OB.c.last_error),
    )
)
_SAVED = (
    "status",
    "attempts",
    "first_attempt_at",
    "next_attempt_at",
    "claimed_by",
    "claimed_at",
    "sent_at",
    "last_error",
    "delivery",
)
_SAVE = update(OB).where(OB.c.id == bindparam("b_id")).values(**rows.bound(OB, _SAVED))
_BY_ID = select(OB).where(OB.c.id == bindparam("id"))
_BY_KEY = select(OB.c.id).where(OB.c.key == bindparam("key"))
_FAILING_SINCE = select(func.min(OB.c.first_attempt_at)).where(
    rows.status_is(OB.c.status, OutboxStatus.PENDING),
    OB.c.attempts > 0,
    OB.c.kind != MessageKind.DELIVERY_ALERT.value,  # an alert stuck in the outage starts none
)
CY, R = rows.INSTANCES, rows.REQUESTS
_TASKS = (
    select(R, *[c.label(f"i_{c.name}") for c in CY.c])
    .join(CY, CY.c.id == R.c.instance_id)
    .where(
        R.c.person_id == bindparam("person"),
        R.c.status == RequestStatus.OPEN.value,
        CY.c.closed_at.is_(None),
    )
    .order_by(R.c.deadline_at, R.c.id)
)


class SqlOutbox(Repository):
    def __init__(self, connection: Any, driver: Driver) -> None:
        super().__init__(connection, driver)
        self.added = 0  # messages this unit of work queued (counted by the store at commit)

    def add_many(self, messages: Sequence[OutboxMessage]) -> None:
        if messages:
            self.write(_ADD[self.driver.name], [rows.message_values(m) for m in messages])
            self.added += len(messages)

    def unreported_catch_up(self) -> list[OutboxMessage]:
        return [rows.message(r) for r in self.execute(_UNREPORTED).mappings()]

    def mark_reported(self, message_ids: Sequence[int], at: datetime) -> None:
        if message_ids:
            self.execute(_MARK_REPORTED, {"ids": list(message_ids), "at": at})

    # delivery -----------------------------------------------------------------------------
    def claim(
        self, now: datetime, stale_before: datetime, by: str, limit: int
    ) -> list[OutboxMessage]:
        """Mark up to `limit` messages `sending` and return them: pending and due, or `sending`
        by a dispatcher whose lease ran out; rows another dispatcher holds are skipped."""
        found = self.execute(
            _CLAIM, {"now": now, "stale": stale_before, "by": by, "limit": limit}
        ).mappings()
        return sorted((rows.message(row) for row in found), key=lambda m: m.id or 0)

    def claimable(self, now: datetime, stale_before: datetime) -> bool:
        """Whether `claim` would find anything (a read that takes no lock)."""
        found = self.execute(_ANY_CLAIMABLE, {"now": now, "stale": stale_before}).first()
        return found is not None

    def pending_retries(self) -> list[datetime]:
        """When the messages waiting for another try are due."""
        return [UtcDateTime.aware(value) for value in self.execute(_RETRIES).scalars()]

    def mark_sent(self, sent: Sequence[tuple[OutboxMessage, str]], at: datetime, by: str) -> None:
        """Record messages as sent (with where they went), if this dispatcher still holds them."""
        if sent:
            self.execute(
                _SENT,
                [
                    {"b_id": m.id, "b_by": by, "sent_at": at, "delivery": where[:500]}
                    for m, where in sent
                ],
            )

    def release(self, released: Sequence[tuple[OutboxMessage, str | None]], by: str) -> None:
        """Back to waiting, if this dispatcher still holds them: the claim's try not counted."""
        if released:
            self.execute(
                _RELEASE,
                [
                    {"b_id": m.id, "b_by": by, "note": None if note is None else note[:2000]}
                    for m, note in released
                ],
            )

    def save(self, message: OutboxMessage) -> None:
        self.execute(_SAVE, rows.MESSAGE.picked(message, _SAVED) | {"b_id": message.id})

    def get(self, message_id: int, *, lock: bool = False) -> OutboxMessage:
        statement = _BY_ID.with_for_update() if lock else _BY_ID
        row = self.execute(statement, {"id": message_id}).mappings().first()
        if row is None:
            raise NotFound("meddelande", message_id)
        return rows.message(row)

    def with_status(
        self, status: OutboxStatus, person_id: str | None = None, *, lock: bool = False
    ) -> list[OutboxMessage]:
        query = select(OB).where(rows.status_is(OB.c.status, status))  # ix_outbox_person
        if person_id is not None:
            query = query.where(OB.c.person_id == person_id)
        if lock:  # PostgreSQL: a row changed meanwhile is looked at again (SQLite: one writer)
            query = query.with_for_update()
        return [rows.message(r) for r in self.execute(query.order_by(OB.c.id)).mappings()]

    def exists(self, key: str) -> bool:
        return self.execute(_BY_KEY, {"key": key}).first() is not None

    def failing_since(self) -> datetime | None:
        """When the oldest message that is still being retried first failed."""
        value = self.execute(_FAILING_SINCE).scalar()
        return None if value is None else UtcDateTime.aware(value)

    def open_tasks(self, person_id: str) -> list[tuple[InputRequest, CycleInstance]]:
        """A person's open requests in every unit, with their cycles (for the daily digest)."""
        found = self.execute(_TASKS, {"person": person_id}).mappings()
        return [
            (rows.request(r), rows.instance({k[2:]: v for k, v in r.items() if k.startswith("i_")}))
            for r in found
        ]


prepare_module(globals())  # the statements above run on the driver (storage.fast_sql)
