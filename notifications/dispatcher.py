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
from datetime import date, datetime, timedelta
from typing import Any

from notifications.compose import OutgoingEmail, compose
from notifications.config import MailSettings
from notifications.digests import compose_digests
from notifications.failures import Failure, record_failure
from notifications.outage import check_outage
from notifications.ports import DeliveryStore
from notifications.render import Renderer
from notifications.transports import DeliveryFailed, Transport
from workflow.application.answer_links import installation_secret, make_token
from workflow.core.catalog import Catalog
from workflow.core.outbox_retry import retry_all, retry_message
from workflow.core.records import MessageKind, OutboxMessage, OutboxStatus
from workflow.kernel.clock import Clock
from workflow.kernel.errors import LofteError

log = logging.getLogger("lofte.outbox")
DIGESTIBLE = frozenset({MessageKind.INPUT_REQUEST, MessageKind.REMINDER})
BATCH = 50
OUTAGE_CHECK_EVERY = timedelta(minutes=1)  # an outage is alerted after an hour: a minute is plenty
EXPIRED_REASON = "för sent: tiden för meddelandet hade passerat"


@dataclass
class DispatchReport:
    """What one `run_once` did. `permanent_failures` holds the reasons of new incidents that
    retrying will not mend (a 5xx answer, a message that cannot be rendered)."""

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
        self._digested: set[tuple[date, str]] = set()  # (day, person) whose digest is written
        self._outage_checked: datetime | None = None

    def run_once(self, limit: int | None = None) -> DispatchReport:
        """Deliver what is due now, write the daily digests, alert on an outage."""
        report = DispatchReport()
        renderer = Renderer(self._link, StepContextCache(self.store))
        while (limit is None or report.sent + report.failed_attempts < limit) and self._batch(
            renderer, report
        ) == BATCH:  # a full batch: there may be more
            pass
        report.digests = compose_digests(
            self.store, self.catalog, self.clock.now(), self.settings.digest_hour, self._digested
        )
        if report.digests:
            while self._batch(renderer, report) == BATCH:
                pass
        now = self.clock.now()
        if (
            report.failed_attempts
            or self._outage_checked is None
            or now - self._outage_checked >= OUTAGE_CHECK_EVERY
        ):
            report.alerts = check_outage(self.store, self.catalog, now, report.sent > 0)
            self._outage_checked = now
        return report

    def retry(self, message_id: int, actor: str) -> OutboxMessage:
        """Send an incident again (an administrator's decision), audited."""
        with self.store.unit_of_work() as uow:
            return retry_message(uow, message_id, actor, self.clock.now())

    def retry_all(self, actor: str) -> int:
        """Send every incident again; returns how many."""
        with self.store.unit_of_work() as uow:
            return retry_all(uow, actor, self.clock.now())

    def _batch(self, renderer: Renderer, report: DispatchReport) -> int:
        """Claim up to BATCH due messages and deliver what may be sent; how many were claimed."""
        now = self.clock.now()
        with self.store.unit_of_work() as uow:
            claimed = uow.outbox.claim(now, now - self.lease, self.dispatcher_id, BATCH)
            if not claimed:
                return 0
            directory = self.catalog.view(uow, now).directory
            if self._secret is None:
                self._secret = installation_secret(uow.settings, self.configured_secret)
            sendable = []
            for message in claimed:
                person = directory.find(message.person_id)
                if message.valid_until is not None and message.valid_until <= now:
                    uow.outbox.save(_with(message, OutboxStatus.EXPIRED, last_error=EXPIRED_REASON))
                    report.expired += 1
                elif message.kind in DIGESTIBLE and person is not None and person.digest:
                    uow.outbox.save(_with(message, OutboxStatus.HELD))
                    report.held += 1
                else:
                    sendable.append(message)
        self._deliver(renderer, sendable, report)
        return len(claimed)

    def _deliver(
        self, renderer: Renderer, messages: list[OutboxMessage], report: DispatchReport
    ) -> None:
        sent: list[tuple[OutboxMessage, str]] = []
        failures: list[Failure] = []
        for message in messages:
            outcome = self._send(renderer, message)
            if isinstance(outcome, Failure):
                failures.append(outcome)
            else:
                sent.append((message, outcome))
        now = self.clock.now()
        with self.store.unit_of_work() as uow:
            uow.outbox.mark_sent(sent, now, self.dispatcher_id)
            for failure in failures:
                record_failure(uow, failure, now, self.settings, self.dispatcher_id, report)
        report.sent += len(sent)

    def _send(self, renderer: Renderer, message: OutboxMessage) -> str | Failure:
        """Where the message went, or why it did not."""
        try:
            email = self._email(renderer, message)
        except Exception as exc:  # a stored context or template that cannot make an email
            log.warning("cannot render %s: %s", message.key, exc)
            return Failure(message, f"kan inte skapas: {exc.__class__.__name__}: {exc}", True)
        try:
            where = self.transport.deliver(email)
        except DeliveryFailed as exc:
            return Failure(message, exc.reason, exc.permanent)
        except Exception as exc:  # a transport's own bug must not lose the batch's record
            log.exception("transport failed on %s", message.key)
            return Failure(message, f"{exc.__class__.__name__}: {exc}", False)
        log.info("sent %s to %s (%s)", message.key, message.recipient, where)
        return where

    def _email(self, renderer: Renderer, message: OutboxMessage) -> OutgoingEmail:
        return compose(message, renderer.render(message), self.settings.sender, self.clock.now())

    def _link(self, request_id: int, answer_until: str) -> str:
        if self._secret is None:
            raise LofteError("svarslänkens nyckel är inte läst än")
        token = make_token(request_id, datetime.fromisoformat(answer_until), self._secret)
        return f"{self.settings.base_url}/svar/{token}"


class StepContextCache:
    """Step contexts (what a request shows), each read once per dispatcher run."""

    def __init__(self, store: DeliveryStore) -> None:
        self.store = store
        self.found: dict[tuple[int, str], dict[str, Any] | None] = {}

    def __call__(self, instance_id: int, step_id: str) -> dict[str, Any] | None:
        key = (instance_id, step_id)
        if key not in self.found:
            with self.store.unit_of_work(read_only=True) as uow:
                self.found[key] = uow.contexts.get(instance_id, step_id)
        return self.found[key]


def _with(message: OutboxMessage, status: OutboxStatus, **changes: Any) -> OutboxMessage:
    return dataclasses.replace(message, status=status, **changes)
