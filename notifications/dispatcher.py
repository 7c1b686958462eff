"""Deliver the outbox: each message once, in batches, retried with exponential backoff for a
horizon (three days by default) before it becomes an incident; never sent after its moment
has passed (then recorded as expired).

Delivery is two-phase: a batch is claimed (`sending`, committed) before it is handed to the
transport and marked `sent` after. A dispatcher that dies in between leaves its messages
`sending`; once the lease runs out another pass delivers them again with the same Message-ID,
so a mail system (and the .eml folder) keeps one copy.

Given a `StopSignal`, a dispatcher claims nothing once it is set, and what it holds unsent
(the conversation under way abandoned at once, see `notifications.sending`) goes back to
waiting when its result is recorded, with no try counted: the next start sends it.
"""

from __future__ import annotations

import dataclasses
import heapq
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from lofte.kernel.clock import Clock
from lofte.kernel.errors import ConcurrentUpdate
from lofte.kernel.stopping import StopSignal
from lofte.notifications.config import MailSettings
from lofte.notifications.digests import compose_digests
from lofte.notifications.failures import Failure, record_failure
from lofte.notifications.outage import check_outage
from lofte.notifications.ports import DeliveryStore
from lofte.notifications.render import shown_key
from lofte.notifications.sending import Sender, SendJob, SendResult, ShownKey
from lofte.notifications.transports import Transport
from lofte.workflow.application.answer_links import installation_secret
from lofte.workflow.core.catalog import Catalog
from lofte.workflow.core.outbox_retry import retry_all, retry_message
from lofte.workflow.core.records import MessageKind, OutboxMessage, OutboxStatus

log = logging.getLogger("lofte.outbox")
DIGESTIBLE = frozenset({MessageKind.INPUT_REQUEST, MessageKind.REMINDER})
BATCH = 50
RECORD_TRIES = 3
OUTAGE_CHECK_EVERY = timedelta(minutes=1)  # an outage is alerted after an hour: a minute is plenty
EXPIRED_REASON = "för sent: tiden för meddelandet hade passerat"
INCIDENT_UNRECORDED = "kan ha skickats, men utfallet kunde inte registreras"


@dataclass
class DispatchReport:
    """What one `run_once` did. `permanent_failures` holds the reasons of new incidents that
    retrying will not mend (a 5xx answer, a message that cannot be rendered)."""

    sent: int = 0
    failed_attempts: int = 0
    incidents: int = 0
    expired: int = 0
    held: int = 0
    released: int = 0  # claimed but not sent because the process stopped: waiting again
    handed: int = 0  # given to `hand_off`; recorded with `record` when done
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
        hand_off: Callable[[SendJob], object] | None = None,
        outage_check_every: timedelta = OUTAGE_CHECK_EVERY,
        exclusive: bool = False,
        catalog: Catalog | None = None,
        stop: StopSignal | None = None,
    ) -> None:
        """`exclusive`: no other dispatcher sends from this store (the simulation's), so an
        outage can only begin with a failure this one records: while none is open, the
        outage is looked for only after a failure, not every `outage_check_every`; and a
        message can only become due again by a retry this one scheduled (see `run_once`).
        `catalog`: the process's parsed setup (the engine's), else one of its own.
        `stop`: when set, claim nothing more and abandon the send under way (see the module)."""
        self.store = store
        self.clock = clock
        self.transport = transport
        self.settings = settings
        self.dispatcher_id = dispatcher_id
        self.lease = lease
        self.configured_secret = secret
        self.catalog = catalog or Catalog()
        self.stop = stop
        self._secret: str | None = None
        self._digested: set[tuple[date, str]] = set()  # (day, person) whose digest is written
        self._outage_checked: datetime | None = None
        # What `record` saw since the last outage check: mail went out; a try failed.
        self._sent_since_check = False
        self.hand_off = hand_off
        self.outage_check_every = outage_check_every
        self.exclusive = exclusive
        self._failed_since_check = False
        self._outage_open = True  # not known until the first check
        self._retries: list[datetime] = []  # when retries fall due (heap; see run_once)
        self._retries_read = False  # the retries already waiting in the store, at the first run
        self._look_next = False  # an incident was put back: look at the next run
        self._unrecorded: list[tuple[SendResult, datetime]] = []  # see record_all

    def run_once(self, limit: int | None = None, *, anything_new: bool = True) -> DispatchReport:
        """Deliver what is due now, write the daily digests, alert on an outage.

        `anything_new=False`: the caller knows that no message was queued since the last run
        (the simulation, whose engine writes through the same store); an exclusive
        dispatcher then claims only when a retry has fallen due: one it scheduled, or one
        that was waiting in the store when it first ran."""
        report = DispatchReport()
        if self._unrecorded:  # what went out before is recorded before anything else is sent
            self.record_all([], report)
            if self._unrecorded:
                return report

        def room() -> bool:
            if self._stopping():
                return False
            return limit is None or report.sent + report.failed_attempts < limit

        if self.exclusive and not self._retries_read:
            with self.store.unit_of_work(read_only=True) as uow:
                self._retries = sorted(uow.outbox.pending_retries())
            self._retries_read = True
        may_be_due = anything_new or not self.exclusive or self._look_next
        may_be_due = self._retry_fell_due() or may_be_due
        self._look_next = False
        # The first claim looks without a lock first: most runs of a shared dispatcher find
        # nothing due. An exclusive one runs only when messages were queued or a retry fell
        # due, so it claims at once.
        claimed = self._batch(report, look_first=not self.exclusive) if may_be_due and room() else 0
        while claimed == BATCH and room() and not self._unrecorded:  # there may be more
            claimed = self._batch(report)
        if self._unrecorded or self._stopping():  # what went out is recorded first
            return report
        report.digests = compose_digests(
            self.store, self.catalog, self.clock.now(), self.settings.digest_hour, self._digested
        )
        if report.digests:
            while not self._stopping() and self._batch(report) == BATCH:
                pass
        now = self.clock.now()
        if self._outage_check_due(now):
            found = check_outage(self.store, self.catalog, now, self._sent_since_check)
            report.alerts, self._outage_open = found.alerts, found.open
            self._outage_checked = now
            self._sent_since_check = self._failed_since_check = False
        return report

    def _stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def _retry_fell_due(self) -> bool:
        now, due = self.clock.now(), False
        while self._retries and self._retries[0] <= now:
            heapq.heappop(self._retries)
            due = True
        return due

    def _outage_check_due(self, now: datetime) -> bool:
        if self._failed_since_check or self._outage_checked is None:
            return True
        if self.exclusive and not self._outage_open:
            return False
        return now - self._outage_checked >= self.outage_check_every

    def answer_secret(self) -> str:
        """The key that signs answer links (made on first use)."""
        if self._secret is None:
            with self.store.unit_of_work() as uow:
                self._secret = installation_secret(uow.settings, self.configured_secret)
        return self._secret

    def record(self, result: SendResult, report: DispatchReport, now: datetime) -> None:
        """Record what became of a job: sent, or failed (retried later, or an incident)."""
        self.record_all([(result, now)], report)

    def record_all(
        self, results: Sequence[tuple[SendResult, datetime]], report: DispatchReport
    ) -> None:
        """Record what became of jobs, each (result, at the moment it was done), in one unit
        of work; if that fails, each on its own (so that one that cannot be recorded leaves
        the others recorded). Mail that went out is never sent again because its recording
        failed: a job that cannot be recorded becomes an incident (an administrator decides
        whether to send it again), and one that cannot even be marked so is kept and recorded
        before this dispatcher claims anything else. Results kept from before go first."""
        waiting = [*self._unrecorded, *results]
        self._unrecorded = []
        if not waiting:
            return
        try:
            self._record_together(waiting, report)
            return
        except Exception as exc:
            if len(waiting) == 1:
                self._unrecordable(waiting[0], exc, report)
                return
        for one in waiting:
            try:
                self._record_together([one], report)
            except Exception as exc:
                self._unrecordable(one, exc, report)

    def _unrecordable(
        self, job: tuple[SendResult, datetime], error: Exception, report: DispatchReport
    ) -> None:
        result, at = job
        reason = f"{INCIDENT_UNRECORDED}: {type(error).__name__}: {error}"[:1000]
        log.error("recording a delivery failed for good; incidents instead: %s", reason)
        messages = [m for m, _ in result.sent] + [f.message for f in result.failures]
        incidents = [Failure(message, reason, permanent=True) for message in messages]
        try:
            self._record_together([(SendResult(at, [], incidents), at)], report)
        except Exception as again:  # the store is unreachable: keep it, try at the next run
            log.error("could not mark them either (%s); kept to record at the next run", again)
            self._unrecorded.append(job)

    def _record_together(
        self, results: Sequence[tuple[SendResult, datetime]], report: DispatchReport
    ) -> None:
        """The mail has gone already, so a collision in the audit log, a lost connection or a
        lock held too long is tried again (else the messages would be sent again once their
        lease ran out)."""
        store_retryable: tuple[type[Exception], ...] = getattr(self.store, "retryable", ())
        retryable: tuple[type[Exception], ...] = (ConcurrentUpdate, *store_retryable)
        for attempt in range(1, RECORD_TRIES + 1):
            tally = DispatchReport()
            retries = []
            try:
                with self.store.unit_of_work() as uow:
                    for result, at in results:
                        if result.sent:
                            uow.outbox.mark_sent(result.sent, at, self.dispatcher_id)
                        if result.released:
                            uow.outbox.release(result.released, self.dispatcher_id)
                        for failure in result.failures:
                            saved = record_failure(
                                uow, failure, at, self.settings, self.dispatcher_id, tally
                            )
                            if saved.next_attempt_at is not None:
                                retries.append(saved.next_attempt_at)
                break
            except retryable as exc:
                if attempt == RECORD_TRIES:
                    raise
                log.warning("recording what was sent failed (%s); trying again", exc)
        for retry_at in retries:
            heapq.heappush(self._retries, retry_at)
        report.failed_attempts += tally.failed_attempts
        report.incidents += tally.incidents
        report.permanent_failures += tally.permanent_failures
        for result, _ in results:
            report.sent += len(result.sent)
            report.released += len(result.released)
            self._sent_since_check = self._sent_since_check or bool(result.sent)
            self._failed_since_check = self._failed_since_check or bool(result.failures)

    def retry(self, message_id: int, actor: str) -> OutboxMessage:
        """Send an incident again (an administrator's decision), audited."""
        with self.store.unit_of_work() as uow:
            again = retry_message(uow, message_id, actor, self.clock.now())
        self._look_next = True
        return again

    def retry_all(self, actor: str) -> int:
        """Send every incident again; returns how many."""
        with self.store.unit_of_work() as uow:
            count = retry_all(uow, actor, self.clock.now())
        self._look_next = True
        return count

    def _batch(self, report: DispatchReport, *, look_first: bool = False) -> int:
        """Claim up to BATCH due messages and deliver what may be sent; how many were claimed.
        `look_first`: see whether any is due before taking the write lock to claim."""
        now = self.clock.now()
        if look_first:
            with self.store.unit_of_work(read_only=True) as uow:
                if not uow.outbox.claimable(now, now - self.lease):
                    return 0
        with self.store.unit_of_work() as uow:
            claimed = uow.outbox.claim(now, now - self.lease, self.dispatcher_id, BATCH)
            if not claimed:
                return 0
            directory = self.catalog.view(uow).directory
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
            shown = {key: uow.contexts.get(*key) for key in _shown_keys(sendable)}
        job = SendJob(now, tuple(sendable), shown)
        if self.hand_off is not None:
            self.hand_off(job)
            report.handed += len(sendable)
        elif sendable:
            result = Sender(self.transport, self.settings, self._secret, self.stop).send(job)
            self.record(result, report, self.clock.now())
        return len(claimed)


def _shown_keys(messages: list[OutboxMessage]) -> set[ShownKey]:
    found = set()
    for message in messages:
        try:
            key = shown_key(message)
        except Exception:  # a context that cannot be read fails when it is rendered
            continue
        if key is not None:
            found.add(key)
    return found


def _with(message: OutboxMessage, status: OutboxStatus, **changes: Any) -> OutboxMessage:
    return dataclasses.replace(message, status=status, **changes)
