"""When delivery fails: back off and retry until the horizon, then make an incident."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from lofte.notifications.config import MailSettings
from lofte.notifications.ports import DeliveryWork
from lofte.workflow.core.outbox_retry import outbox_audit
from lofte.workflow.core.records import OutboxMessage, OutboxStatus

MAX_BACKOFF = timedelta(hours=1)


class FailureTally(Protocol):
    failed_attempts: int
    incidents: int
    permanent_failures: list[str]


@dataclass(frozen=True)
class Failure:
    """One failed attempt: `permanent` ones (5xx, a context that cannot be rendered) are not
    retried."""

    message: OutboxMessage
    reason: str
    permanent: bool


def record_failure(
    uow: DeliveryWork,
    failure: Failure,
    now: datetime,
    settings: MailSettings,
    by: str,
    report: FailureTally,
) -> OutboxMessage:
    """Schedule the next try, or (permanent, or past the horizon) make an audited incident.
    Returns the message as saved (its `next_attempt_at`, or failed)."""
    message = failure.message
    started = message.first_attempt_at or now
    horizon = timedelta(hours=settings.retry_horizon_hours)
    incident = failure.permanent or now - started >= horizon
    saved = dataclasses.replace(
        message,
        status=OutboxStatus.FAILED if incident else OutboxStatus.PENDING,
        next_attempt_at=None
        if incident
        else now + backoff(settings.retry_seconds, message.attempts),
        claimed_by=None,
        last_error=failure.reason[:2000],
    )
    uow.outbox.save(saved)
    report.failed_attempts += 1
    if not incident:
        return saved
    report.incidents += 1
    if failure.permanent:
        report.permanent_failures.append(failure.reason[:300])
    detail = {"key": message.key, "attempts": message.attempts, "error": failure.reason[:500]}
    outbox_audit(uow, message, "outbox_incident", by, now, detail)
    return saved


def backoff(retry_seconds: float, attempts: int) -> timedelta:
    """The wait after the `attempts`-th try: doubling from `retry_seconds`, at most an hour.
    The exponent is capped: after a day of retries 2**attempts would overflow a timedelta."""
    doubling = 2 ** min(max(0, attempts - 1), 20)
    return min(timedelta(seconds=retry_seconds * doubling), MAX_BACKOFF)
