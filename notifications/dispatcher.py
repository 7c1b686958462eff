"""Deliver the outbox: each message once, in batches, retried with exponential backoff for a
horizon (three days by default) before it becomes an incident; never sent after its moment
has passed (then recorded as expired).

Delivery is two-phase: a batch is claimed (`sending`, committed) before it is handed to the
transport and marked `sent` after. A dispatcher that dies in between leaves its messages
`sending`; once the lease runs out another pass delivers them again with the same Message-ID,
so a mail system (and the .eml folder) keeps one copy.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from jinja2 import TemplateError

from notifications.compose import compose
from notifications.config import MailSettings
from notifications.digests import compose_digests
from notifications.failures import Failure, audit, check_outage, record_failure
from notifications.ports import DeliveryStore
from notifications.render import Renderer
from notifications.transports import DeliveryFailed, Transport
from workflow.application.answer_links import installation_secret, make_token
from workflow.core.catalog import Catalog
from workflow.core.records import MessageKind, OutboxMessage, OutboxStatus
from workflow.kernel.clock import Clock
from workflow.kernel.errors import LofteError

log = logging.getLogger("lofte.outbox")
DIGESTIBLE = (MessageKind.INPUT_REQUEST, MessageKind.REMINDER)
BATCH = 50
PERMANENT = (TemplateError, LofteError, KeyError, ValueError, TypeError, AttributeError)


@dataclass
class DispatchReport:
    sent: int = 0
    failed_attempts: int = 0
    incidents: int = 0
    expired: int = 0
    held: int = 0
    digests: int = 0
    alerts: int = 0
    permanent_failures: list[str] = field(default_factory=list)


class Dispatcher:
    def __init__(
        self,
        store: DeliveryStore,
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
        self.configured_secret = secret
        self.catalog = Catalog()
        self._secret: str | None = None

    def run_once(self, limit: int | None = None) -> DispatchReport:
        """Deliver what is due now, compose the daily digests, raise an outage alert."""
        report = DispatchReport()
        while (limit is None or report.sent + report.failed_attempts < limit) and self._batch(
            report
        ):
            pass
        if compose_digests(self.store, self.catalog, self.clock.now(), self.settings, report):
            while self._batch(report):
                pass
        check_outage(self.store, self.catalog, self.clock.now(), report)
        return report

    def _batch(self, report: DispatchReport) -> bool:
        now = self.clock.now()
        with self.store.unit_of_work() as uow:
            claimed = uow.outbox.claim(now, now - self.lease, self.dispatcher_id, BATCH)
            if not claimed:
                return False
            directory = self.catalog.view(uow, now).directory
            if self._secret is None:
                self._secret = installation_secret(uow.settings, self.configured_secret)
            sendable = []
            for message in claimed:
                person = directory.find(message.person_id)
                if message.valid_until is not None and message.valid_until <= now:
                    uow.outbox.save(_expired(message))
                    report.expired += 1
                elif message.kind in DIGESTIBLE and person is not None and person.digest:
                    uow.outbox.save(_with(message, OutboxStatus.HELD))
                    report.held += 1
                else:
                    sendable.append(message)
        self._deliver(sendable, report)
        return True

    def _deliver(self, messages: list[OutboxMessage], report: DispatchReport) -> None:
        renderer = Renderer(self._link, _ContextCache(self.store))
        sent: list[tuple[OutboxMessage, str]] = []
        failures: list[Failure] = []
        for message in messages:
            try:
                where = self.transport.deliver(self._email(renderer, message))
                sent.append((message, where))
                log.info("sent %s to %s (%s)", message.key, message.recipient, where)
            except DeliveryFailed as exc:
                failures.append(Failure(message, exc.reason, exc.permanent))
            except PERMANENT as exc:  # a template or stored context that cannot be rendered
                failures.append(Failure(message, f"{exc.__class__.__name__}: {exc}", True))
        with self.store.unit_of_work() as uow:
            uow.outbox.mark_sent(sent, self.clock.now(), self.dispatcher_id)
            for failure in failures:
                record_failure(
                    uow, failure, self.clock.now(), self.settings, self.dispatcher_id, report
                )
        report.sent += len(sent)

    def _email(self, renderer: Renderer, message: OutboxMessage) -> EmailMessage:
        return compose(message, renderer.render(message), self.settings.sender, self.clock.now())

    def _link(self, request_id: int, answer_until: str) -> str:
        assert self._secret is not None
        token = make_token(request_id, datetime.fromisoformat(answer_until), self._secret)
        return f"{self.settings.base_url}/svar/{token}"

    def retry(self, message_id: int, actor: str) -> OutboxMessage:
        """Send an incident again (an administrator's decision)."""
        with self.store.unit_of_work() as uow:
            message = uow.outbox.get(message_id, lock=True)
            if message.status is not OutboxStatus.FAILED:
                raise LofteError(
                    f"meddelande {message_id} är {message.status.value}; bara incidenter "
                    "(failed) kan skickas igen"
                )
            again = _again(message)
            uow.outbox.save(again)
            audit(uow, message, "outbox_retry", actor, self.clock.now(), {"key": message.key})
        return again

    def retry_all(self, actor: str) -> int:
        with self.store.unit_of_work() as uow:
            failed = uow.outbox.with_status(OutboxStatus.FAILED)
            for message in failed:
                uow.outbox.save(_again(message))
            if failed:
                audit(
                    uow,
                    None,
                    "outbox_retry_all",
                    actor,
                    self.clock.now(),
                    {"messages": len(failed)},
                )
        return len(failed)


class _ContextCache:
    """Step contexts, read once per batch."""

    def __init__(self, store: DeliveryStore) -> None:
        self.store = store
        self.found: dict[tuple[int, str], Any] = {}

    def __call__(self, instance_id: int, step_id: str) -> dict[str, Any] | None:
        key = (instance_id, step_id)
        if key not in self.found:
            with self.store.unit_of_work(read_only=True) as uow:
                self.found[key] = uow.contexts.get(instance_id, step_id)
        found: dict[str, Any] | None = self.found[key]
        return found


def _with(message: OutboxMessage, status: OutboxStatus, **changes: Any) -> OutboxMessage:
    return dataclasses.replace(message, status=status, **changes)


def _expired(message: OutboxMessage) -> OutboxMessage:
    return _with(
        message, OutboxStatus.EXPIRED, last_error="för sent: tiden för meddelandet hade passerat"
    )


def _again(message: OutboxMessage) -> OutboxMessage:
    return _with(
        message,
        OutboxStatus.PENDING,
        attempts=0,
        first_attempt_at=None,
        next_attempt_at=None,
        claimed_by=None,
        claimed_at=None,
    )
