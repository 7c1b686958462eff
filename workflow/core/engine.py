"""The engine: opens cycles on time, fires due timers, records answers, moves meetings.

It knows the storage ports and the injected Clock, nothing of SQL, email or the web. Every
public operation is one unit of work, retried when another process changed the same thing
first. Due timers fire in batches through `workflow.core.firing` (`run_due`); a timer whose
handler fails is retried with backoff and becomes a timer incident after a few attempts;
timers of other cycles keep firing meanwhile.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from lofte.definitions.loader import Bundle
from lofte.kernel.clock import Clock
from lofte.kernel.durations import IsoDuration
from lofte.kernel.errors import ConcurrentUpdate, LofteError
from lofte.workflow.core.catalog import GENERATION, Catalog
from lofte.workflow.core.catch_up import report_catch_up
from lofte.workflow.core.firing import Firing
from lofte.workflow.core.inbound import Bounce, Reply, receive
from lofte.workflow.core.keys import Keys, new_installation_id
from lofte.workflow.core.kinds import STANDARD_KINDS, StepKinds
from lofte.workflow.core.machines import MachineRegistry
from lofte.workflow.core.meetings import change_meeting
from lofte.workflow.core.opening import schedule_openings
from lofte.workflow.core.outbox_retry import retry_all, retry_message
from lofte.workflow.core.ports import Store, UnitOfWork
from lofte.workflow.core.records import (
    InboundMail,
    InputRequest,
    Meeting,
    OutboxMessage,
    Timer,
    TimerStatus,
)
from lofte.workflow.core.resend import resend, sign_in_message
from lofte.workflow.core.setup import store_setup
from lofte.workflow.core.submissions import submit
from lofte.workflow.core.work import PERSONAL_RETENTION, TIMER_ACTOR, Work

log = logging.getLogger("lofte.engine")
T = TypeVar("T")
RETRIES = 5
INSTALLATION = "installation_id"


TIMER_STATUS_WORDS = {
    TimerStatus.PENDING: "den väntar på sin tid",
    TimerStatus.FIRED: "den har redan körts",
    TimerStatus.CANCELLED: "den är avbruten",
    TimerStatus.FAILED: "den har felat",
}


class Engine:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        engine_id: str = "engine",
        sensitive_retention: timedelta = timedelta(days=90),
        personal_retention: IsoDuration = PERSONAL_RETENTION,
        pseudonym_key: bytes = b"",
        kinds: StepKinds = STANDARD_KINDS,
    ) -> None:
        self.store = store
        self.clock = clock
        self.engine_id = engine_id
        self.sensitive_retention = sensitive_retention
        self.personal_retention = personal_retention  # unless the setup says otherwise
        self.pseudonym_key = pseudonym_key
        self.kinds = kinds  # the step kinds it runs
        self.catalog = Catalog(definition_class=kinds.definition_class)
        self.machines = MachineRegistry()
        self._keys: Keys | None = None
        self.firing = Firing(clock, engine_id, self._unit, self._work)

    # setup ------------------------------------------------------------------------------------
    def register(
        self, bundle: Bundle, actor: str = "init", *, based_on: str | None = None
    ) -> list[str]:
        """Store changed definitions and organisation as new versions, in one unit of work,
        and schedule the openings. Returns a line per change. With `based_on` (the catalog
        generation the bundle was made from) nothing is stored if another load came first."""

        def work(uow: UnitOfWork) -> list[str]:
            # Locked: two loads on PostgreSQL take turns, and the second sees the first's.
            if based_on is not None and (uow.settings.get(GENERATION, lock=True) or "") != based_on:
                raise LofteError(
                    "uppsättningen ändrades av någon annan medan filerna kontrollerades; "
                    "inget sparades, ladda upp filerna igen"
                )
            stored = store_setup(uow, bundle, self.clock.now(), actor)
            self.catalog.forget_view()
            self.catalog.remember_directory(bundle.organisation.content_hash, bundle.directory)
            self._ensure_schedule(self._work(uow, actor), stored.takes_effect)
            return stored.changes

        try:
            changes = self._unit(work)
        except BaseException:
            self.catalog.forget_view()  # a view of the setup that was not stored
            raise
        # The view cached meanwhile was made inside the transaction: made again from what
        # was committed, at its next use.
        self.catalog.forget_view()
        return changes

    def keys(self, uow: UnitOfWork) -> Keys:
        if self._keys is None:
            self._keys = Keys(uow.settings.get_or_add(INSTALLATION, new_installation_id()))
        return self._keys

    def ensure_schedule(self) -> int:
        """Make sure every (definition, unit) has its next opening as a timer."""
        return self._unit(lambda uow: self._ensure_schedule(self._work(uow, TIMER_ACTOR), {}))

    def _ensure_schedule(self, work: Work, takes_effect: Mapping[tuple[str, str], datetime]) -> int:
        added = schedule_openings(work, takes_effect)
        work.flush()
        return added

    # timers -----------------------------------------------------------------------------------
    def run_due(
        self,
        limit: int | None = None,
        *,
        keep_going: Callable[[], bool] = lambda: True,
        on_fired: Callable[[Timer], None] = lambda timer: None,
    ) -> list[Timer]:
        """Fire every timer due now, earliest first, in batches (`workflow.core.firing`); then
        report what catch-up held back. The one way timers fire: `lofte run`'s loop, the
        simulation, the tests and the benchmarks all come here. It stops early when
        `keep_going()` says so, or when `limit` timers have fired: more are due then, so
        the catch-up is left to a later run. `on_fired` hears of each once committed."""
        fired = self.firing.fire_due(limit, keep_going=keep_going, on_fired=on_fired)
        if fired and (limit is None or len(fired) < limit):
            self.report_catch_up()
        return fired

    def retry_timer(self, timer_id: int, actor: str) -> Timer:
        """Run a failed timer again (an administrator's decision after an incident)."""

        def work(uow: UnitOfWork) -> Timer:
            timer = uow.timers.get(timer_id, lock=True)
            if timer.status is not TimerStatus.FAILED:
                raise LofteError(
                    f"timer {timer_id} är ingen incident ({TIMER_STATUS_WORDS[timer.status]}); "
                    "bara felade timers kan köras om"
                )
            again = dataclasses.replace(
                timer, status=TimerStatus.PENDING, attempts=0, next_attempt_at=None
            )
            uow.timers.save(again)
            job = self._work(uow, actor)
            job.audit(None, "timer_retry", {"timer": timer.key}, unit_id=timer.unit_id)
            job.flush()
            return again

        return self._unit(work)

    # email incidents ----------------------------------------------------------------------------
    def retry_message(self, message_id: int, actor: str) -> OutboxMessage:
        """Queue an email incident again (FAILED -> PENDING, attempts reset), audited; the
        delivery job sends it. LofteError if the message is no incident."""
        return self._unit(lambda uow: retry_message(uow, message_id, actor, self.clock.now()))

    def retry_all_messages(self, actor: str) -> int:
        """Queue every email incident again, audited; returns how many."""
        return self._unit(lambda uow: retry_all(uow, actor, self.clock.now()))

    def report_catch_up(self) -> int:
        def work(uow: UnitOfWork) -> int:
            job = self._work(uow, TIMER_ACTOR)
            count = report_catch_up(job)
            job.flush()
            return count

        return self._unit(work)

    # inputs -----------------------------------------------------------------------------------
    def submit(
        self, request_id: int, person_id: str, answer: Mapping[str, Any], actor: str | None = None
    ) -> InputRequest:
        """Record `person_id`'s answer to a request; may move the cycle on. Nothing is stored
        when it raises (SubmissionError, NotResponsible, RequestClosed, NotFound)."""

        def work(uow: UnitOfWork) -> InputRequest:
            job = self._work(uow, actor or person_id)
            answered = submit(job, request_id, person_id, answer)
            job.flush()
            return answered

        return self._unit(work)

    def receive_mail(
        self,
        mail: InboundMail,
        message_id: str,
        reply: Reply | None = None,
        bounce: Bounce | None = None,
    ) -> bool:
        """Keep a mail read from the mailbox and record the answer it carries (or tell the
        person what could not be read), together; False (nothing done) if it was read before.
        Nothing is stored when the answer is refused (SubmissionError, NotResponsible,
        RequestClosed)."""

        def work(uow: UnitOfWork) -> bool:
            job = self._work(uow, "e-post")
            kept = receive(job, mail, message_id, reply, bounce)
            job.flush()
            return kept

        return self._unit(work)

    def resend_request(self, request_id: int, actor: str) -> InputRequest:
        """Send the person a fresh email with their answer link (an administrator's help)."""

        def work(uow: UnitOfWork) -> InputRequest:
            job = self._work(uow, actor)
            request = resend(job, request_id)
            job.flush()
            return request

        return self._unit(work)

    def send_sign_in(self, person_id: str, link: str, valid_until: datetime, stamp: str) -> None:
        """Queue a sign-in link for `person_id` (`stamp` makes each request's key unique)."""

        def work(uow: UnitOfWork) -> None:
            job = self._work(uow, "web")
            sign_in_message(job, person_id, link, valid_until, stamp)
            job.flush()

        self._unit(work)

    # meetings ---------------------------------------------------------------------------------
    def move_meeting(
        self, instance_id: int, step_id: str, starts_at: datetime, actor: str
    ) -> Meeting:
        """Move a meeting (keeping its length); participants get an update, SEQUENCE + 1."""
        return self._meeting(instance_id, step_id, starts_at, actor)

    def cancel_meeting(self, instance_id: int, step_id: str, actor: str) -> Meeting:
        """Cancel a meeting; participants get a cancellation with a higher SEQUENCE."""
        return self._meeting(instance_id, step_id, None, actor)

    def _meeting(
        self, instance_id: int, step_id: str, starts_at: datetime | None, actor: str
    ) -> Meeting:
        def work(uow: UnitOfWork) -> Meeting:
            job = self._work(uow, actor)
            instance = uow.cycles.get(instance_id, lock=True)
            changed = change_meeting(job, instance, step_id, starts_at)
            job.flush()
            return changed

        return self._unit(work)

    def act(self, actor: str, change: Callable[[Work], T]) -> T:
        """Run a change people make outside a cycle (a coordinator's decision on places, say) in
        one unit of work; a change to the catalog is seen from the next unit of work on."""

        def work(uow: UnitOfWork) -> T:
            job = self._work(uow, actor)
            result = change(job)
            job.flush()
            return result

        try:
            return self._unit(work)
        finally:
            self.catalog.forget_view()

    def inspect(self, look: Callable[[Work], T]) -> T:
        """Run a read-only computation (a lägesbild, say) on a consistent view of the state."""
        with self.store.unit_of_work(read_only=True) as uow:
            return look(self._work(uow, "reader"))

    # plumbing ---------------------------------------------------------------------------------
    def _work(self, uow: UnitOfWork, actor: str) -> Work:
        now = self.clock.now()
        return Work(
            uow=uow,
            now=now,
            actor=actor,
            catalog=self.catalog,
            view=self.catalog.view(uow),
            keys=self.keys(uow),
            machines=self.machines,
            kinds=self.kinds,
            sensitive_retention=self.sensitive_retention,
            personal_retention=self.personal_retention,
            pseudonym_key=self.pseudonym_key,
        )

    def _unit(self, work: Callable[[UnitOfWork], T]) -> T:
        retryable: tuple[type[Exception], ...] = (ConcurrentUpdate, *self.store.retryable)
        for attempt in range(1, RETRIES + 1):
            try:
                with self.store.unit_of_work() as uow:
                    return work(uow)
            except retryable as exc:
                if attempt == RETRIES:
                    raise
                log.info("retrying after a concurrent change (%s)", exc)
        raise AssertionError("unreachable")
