"""When delivery fails: back off and retry for the horizon, then make an incident; and tell
the administrators once when delivery has been failing for an hour."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from notifications.config import MailSettings
from notifications.ports import DeliveryStore
from workflow.core.catalog import Catalog
from workflow.core.keys import Keys
from workflow.core.message_types import DeliveryAlertMessage, dump_message
from workflow.core.records import AuditEvent, MessageKind, OutboxMessage, OutboxStatus

MAX_BACKOFF = timedelta(hours=1)
ALERT_AFTER = timedelta(hours=1)
ADMIN_ROLE = "administrator"


class Tally(Protocol):
    failed_attempts: int
    incidents: int
    alerts: int
    permanent_failures: list[str]


@dataclass(frozen=True)
class Failure:
    message: OutboxMessage
    reason: str
    permanent: bool


def record_failure(
    uow: Any, failure: Failure, now: datetime, settings: MailSettings, by: str, report: Tally
) -> None:
    message = failure.message
    started = message.first_attempt_at or now
    horizon = timedelta(hours=settings.retry_horizon_hours)
    incident = failure.permanent or now - started >= horizon
    wait = backoff(settings.retry_seconds, message.attempts)
    uow.outbox.save(
        dataclasses.replace(
            message,
            status=OutboxStatus.FAILED if incident else OutboxStatus.PENDING,
            next_attempt_at=None if incident else now + wait,
            claimed_by=None,
            last_error=failure.reason[:2000],
        )
    )
    report.failed_attempts += 1
    if incident:
        report.incidents += 1
        if failure.permanent:
            report.permanent_failures.append(failure.reason[:300])
        audit(
            uow,
            message,
            "outbox_incident",
            by,
            now,
            {"key": message.key, "attempts": message.attempts, "error": failure.reason[:500]},
        )


def check_outage(store: DeliveryStore, catalog: Catalog, now: datetime, report: Tally) -> None:
    """One alert per outage to the administrators, once delivery has failed for an hour."""
    with store.unit_of_work() as uow:
        since = uow.outbox.failing_since()
        if since is None or now - since < ALERT_AFTER:
            return
        waiting = [m for m in uow.outbox.with_status(OutboxStatus.PENDING) if m.attempts > 0]
        if not waiting:
            return
        directory = catalog.view(uow, now).directory
        keys = Keys(uow.settings.get("installation_id") or "lofte")
        alerts = []
        for admin in directory.holders(ADMIN_ROLE, "deployment"):
            context = DeliveryAlertMessage(
                since.isoformat(), len(waiting), waiting[-1].last_error or ""
            )
            alerts.append(
                OutboxMessage(
                    key=keys.unit_message(
                        "deployment", "delivery_alert", since.isoformat(), admin.id
                    ),
                    kind=MessageKind.DELIVERY_ALERT,
                    person_id=admin.id,
                    recipient=admin.email,
                    language=admin.language,
                    created_at=now,
                    context=dump_message(context) | {"recipient_name": admin.name},
                    unit_id="deployment",
                )
            )
        fresh = [a for a in alerts if not uow.outbox.exists(a.key)]
        if fresh:
            uow.outbox.add_many(fresh)
            audit(
                uow, None, "delivery_alert", "dispatcher", now, {"failing_since": since.isoformat()}
            )
            report.alerts += len(fresh)


def audit(
    uow: Any,
    message: OutboxMessage | None,
    event: str,
    actor: str,
    now: datetime,
    detail: dict[str, Any],
) -> None:
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


def backoff(retry_seconds: float, attempts: int) -> timedelta:
    """The wait before the next try: doubling from `retry_seconds`, at most MAX_BACKOFF. The
    exponent is capped: after a day of retries 2**attempts would overflow a timedelta."""
    doubling = 2 ** min(max(0, attempts - 1), 20)
    return min(timedelta(seconds=retry_seconds * doubling), MAX_BACKOFF)
