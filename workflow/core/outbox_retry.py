"""Email incidents sent again: an administrator's decision after the mail server is mended.

The one implementation of "send again": the engine (web console), the dispatcher and
`lofte outbox retry` all call these, each in its own unit of work. A message that became an
incident (`failed`) goes back to `pending` with its attempts reset, so the delivery job tries
it at once and, should it fail again, retries it for a whole new horizon.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from lofte.kernel.errors import LofteError
from lofte.workflow.core.ports import UnitOfWork
from lofte.workflow.core.records import AuditEvent, OutboxMessage, OutboxStatus


def again(message: OutboxMessage) -> OutboxMessage:
    """The message as if it had never been tried."""
    return dataclasses.replace(
        message,
        status=OutboxStatus.PENDING,
        attempts=0,
        first_attempt_at=None,
        next_attempt_at=None,
        claimed_by=None,
        claimed_at=None,
    )


STATUS_WORDS = {
    OutboxStatus.PENDING: "det väntar på att skickas",
    OutboxStatus.SENDING: "det skickas just nu",
    OutboxStatus.SENT: "det är redan skickat",
    OutboxStatus.HELD: "det väntar på dagssammanfattningen",
    OutboxStatus.DIGESTED: "det gick ut i en dagssammanfattning",
    OutboxStatus.FAILED: "det kunde inte levereras",
    OutboxStatus.EXPIRED: "dess tid har passerat",
}


def retry_message(uow: UnitOfWork, message_id: int, actor: str, now: datetime) -> OutboxMessage:
    """Queue one incident again, audited (`outbox_retry`); LofteError if it is no incident,
    NotFound if there is no such message."""
    message = uow.outbox.get(message_id, lock=True)
    if message.status is not OutboxStatus.FAILED:
        raise LofteError(
            f"meddelande {message_id} är ingen incident ({STATUS_WORDS[message.status]}); "
            "bara e-post som inte kunde levereras kan skickas igen"
        )
    queued = again(message)
    uow.outbox.save(queued)
    outbox_audit(uow, message, "outbox_retry", actor, now, {"key": message.key})
    return queued


def retry_all(uow: UnitOfWork, actor: str, now: datetime) -> int:
    """Queue every incident again, audited once (`outbox_retry_all`); returns how many."""
    failed = uow.outbox.with_status(OutboxStatus.FAILED, lock=True)  # none sent meanwhile
    for message in failed:
        uow.outbox.save(again(message))
    if failed:
        outbox_audit(uow, None, "outbox_retry_all", actor, now, {"messages": len(failed)})
    return len(failed)


def outbox_audit(
    uow: UnitOfWork,
    message: OutboxMessage | None,
    event: str,
    actor: str,
    now: datetime,
    detail: dict[str, Any],
) -> None:
    """An audit event about `message` (its unit and cycle), or about delivery as a whole."""
    uow.audit.append(
        [
            AuditEvent(
                at=now,
                event=event,
                actor=actor,
                unit_id=message.unit_id if message else "",
                instance_id=message.instance_id if message else None,
                detail=detail | ({"message_id": message.id} if message else {}),
            )
        ]
    )
