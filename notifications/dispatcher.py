"""Deliver the outbox: each message once, retried with exponential backoff, failures become
incidents that `lofte status` shows and `lofte outbox retry ID` sends again.

Delivery is two-phase: a message is claimed (`sending`, committed) before it is handed to the
transport, and marked `sent` after. A dispatcher that dies in between leaves the message
`sending`; once its lease runs out another pass delivers it again with the same Message-ID,
so a mail system (and the .eml folder) sees one message, not two.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import TemplateError

from definitions.schema import Organisation
from notifications.compose import compose
from notifications.config import MailSettings
from notifications.render import Renderer
from notifications.transports import DeliveryFailed, Transport
from workflow.catalog import Catalog
from workflow.clock import Clock
from workflow.errors import LofteError, NotFound
from workflow.ports import Store, Transaction
from workflow.records import (
    AuditEvent,
    MessageKind,
    OutboxMessage,
    OutboxStatus,
)
from workflow.tokens import installation_secret, make_token

log = logging.getLogger("lofte.outbox")
STOCKHOLM = ZoneInfo("Europe/Stockholm")
DIGESTIBLE = (MessageKind.INPUT_REQUEST, MessageKind.REMINDER)
MAX_BACKOFF = timedelta(hours=6)


@dataclass
class DispatchReport:
    sent: int = 0
    failed_attempts: int = 0
    incidents: int = 0
    held: int = 0
    digests: int = 0


class Dispatcher:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        transport: Transport,
        settings: MailSettings,
        *,
        dispatcher_id: str = "dispatcher",
        lease: timedelta = timedelta(minutes=10),
        secret: str | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.transport = transport
        self.settings = settings
        self.dispatcher_id = dispatcher_id
        self.lease = lease
        self.catalog = Catalog()
        self._secret = secret
        self._renderer: Renderer | None = None  # compiled templates, kept between messages

    def run_once(self, limit: int | None = None) -> DispatchReport:
        """Deliver every message that is due now, composing the daily digests on the way."""
        report = DispatchReport()
        self._deliver_due(report, limit)  # holds the tasks of people who want a digest
        if self.compose_digests(report):
            self._deliver_due(report, limit)
        return report

    def _deliver_due(self, report: DispatchReport, limit: int | None) -> None:
        while limit is None or report.sent + report.failed_attempts < limit:
            if not self.deliver_next(report):
                break

    def deliver_next(self, report: DispatchReport) -> bool:
        now = self.clock.now()
        with self.store.transaction() as tx:
            message = tx.claim_outbox(now, now - self.lease, self.dispatcher_id)
            if message is None:
                return False
            organisation, _ = self.catalog.organisation(tx)
            if self._secret is None:  # it never changes: read it once
                self._secret = installation_secret(tx)
            secret = self._secret
            if message.kind in DIGESTIBLE and _wants_digest(organisation, message.person_id):
                tx.save_outbox(dataclasses.replace(message, status=OutboxStatus.HELD))
                report.held += 1
                return True
        try:
            email = self.build(message, organisation, secret, now)
            delivery = self.transport.deliver(email)
        except (DeliveryFailed, TemplateError, LofteError, KeyError, ValueError) as exc:
            permanent = not isinstance(exc, DeliveryFailed) or exc.permanent
            self._failed(message, str(exc), permanent, report)
            return True
        with self.store.transaction() as tx:
            tx.save_outbox(
                dataclasses.replace(
                    message,
                    status=OutboxStatus.SENT,
                    sent_at=self.clock.now(),
                    delivery=delivery,
                    last_error=None,
                )
            )
        report.sent += 1
        log.info("sent %s to %s (%s)", message.key, message.recipient, delivery)
        return True

    def build(
        self, message: OutboxMessage, organisation: Organisation, secret: str, now: datetime
    ) -> EmailMessage:
        def link(request_id: int, answer_until: str) -> str:
            token = make_token(request_id, datetime.fromisoformat(answer_until), secret)
            return f"{self.settings.base_url}/svar/{token}"

        if self._renderer is None or self._renderer.organisation_name != organisation.name:
            self._renderer = Renderer(organisation.name, link)
        self._renderer.link_for = link
        return compose(message, self._renderer.render(message), self.settings.sender, now)

    def _failed(
        self, message: OutboxMessage, reason: str, permanent: bool, report: DispatchReport
    ) -> None:
        now = self.clock.now()
        incident = permanent or message.attempts >= self.settings.max_attempts
        backoff = min(
            timedelta(seconds=self.settings.retry_seconds * 2 ** (message.attempts - 1)),
            MAX_BACKOFF,
        )
        updated = dataclasses.replace(
            message,
            status=OutboxStatus.FAILED if incident else OutboxStatus.PENDING,
            next_attempt_at=None if incident else now + backoff,
            last_error=reason[:2000],
        )
        with self.store.transaction() as tx:
            tx.save_outbox(updated)
            if incident:
                _audit(
                    tx,
                    message,
                    "outbox_incident",
                    self.dispatcher_id,
                    now,
                    {
                        "message_id": message.id,
                        "key": message.key,
                        "attempts": message.attempts,
                        "error": reason[:500],
                    },
                )
        report.failed_attempts += 1
        report.incidents += int(incident)
        log.warning(
            "%s to %s failed (attempt %s): %s",
            message.key,
            message.recipient,
            message.attempts,
            reason,
        )

    def retry(self, message_id: int, actor: str) -> OutboxMessage:
        """Send a failed message again (an administrator's decision after an incident)."""
        with self.store.transaction() as tx:
            message = tx.outbox_message(message_id, lock=True)
            if message.status is not OutboxStatus.FAILED:
                raise LofteError(
                    f"outbox message {message_id} is {message.status.value}; "
                    "only failed messages can be retried"
                )
            again = dataclasses.replace(
                message,
                status=OutboxStatus.PENDING,
                attempts=0,
                next_attempt_at=None,
                claimed_by=None,
                claimed_at=None,
            )
            tx.save_outbox(again)
            _audit(
                tx,
                message,
                "outbox_retry",
                actor,
                self.clock.now(),
                {"message_id": message_id, "key": message.key},
            )
        return again

    # digests ------------------------------------------------------------------------------
    def compose_digests(self, report: DispatchReport) -> int:
        """Write today's digest for each person who wants one (from `digest_hour` on)."""
        now = self.clock.now()
        if now.astimezone(STOCKHOLM).hour < self.settings.digest_hour:
            return 0
        composed = 0
        with self.store.transaction() as tx:
            try:
                organisation, _ = self.catalog.organisation(tx)
            except NotFound:
                return 0
            for person in organisation.people:
                if person.digest and self._digest(tx, person.id, organisation, now):
                    composed += 1
        report.digests += composed
        return composed

    def _digest(self, tx: Transaction, person_id: str, org: Organisation, now: datetime) -> bool:
        local_date = now.astimezone(STOCKHOLM).date()
        key = f"digest:{person_id}:{local_date.isoformat()}"
        if tx.outbox_exists(key):
            return False
        held = tx.outbox_with_status(OutboxStatus.HELD.value, person_id)
        tasks = [self._task(tx, request.id or 0, now) for request in tx.open_requests_of(person_id)]
        for message in held:
            tx.save_outbox(dataclasses.replace(message, status=OutboxStatus.DIGESTED))
        if not tasks:
            return False
        person = org.person(person_id)
        tx.add_outbox(
            OutboxMessage(
                key=key,
                kind=MessageKind.DIGEST,
                person_id=person.id,
                recipient=person.email,
                language=person.language,
                created_at=now,
                context={
                    "recipient_name": person.name,
                    "date_label": _date_label(local_date, person.language),
                    "tasks": tasks,
                },
            )
        )
        return True

    def _task(self, tx: Transaction, request_id: int, now: datetime) -> dict[str, Any]:
        request = tx.request(request_id)
        instance = tx.instance(request.instance_id)
        definition = self.catalog.definition(
            tx, instance.definition_name, instance.definition_version
        )
        step_run = tx.step_run(request.step_run_id)
        return {
            "request_id": request.id,
            "cycle_title": definition.title,
            "period_label": instance.period_label,
            "step_title": definition.step(request.step_id).title,
            "deadline": request.deadline_at.isoformat(),
            "answer_until": step_run.late_until.isoformat(),
            "overdue": request.deadline_at < now,
        }


def _wants_digest(organisation: Organisation, person_id: str) -> bool:
    person = organisation.find(person_id)
    return person is not None and person.digest


def _date_label(day: Any, language: str) -> str:
    from notifications.formatting import MONTHS

    lang = language if language in MONTHS else "sv"
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def _audit(
    tx: Transaction,
    message: OutboxMessage,
    event: str,
    actor: str,
    now: datetime,
    detail: dict[str, Any],
) -> None:
    name, version = "outbox", 0
    if message.instance_id is not None:
        instance = tx.instance(message.instance_id)
        name, version = instance.definition_name, instance.definition_version
    tx.add_audit(
        AuditEvent(
            at=now,
            definition_name=name,
            definition_version=version,
            event=event,
            actor=actor,
            instance_id=message.instance_id,
            detail=detail,
        )
    )
