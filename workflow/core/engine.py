"""The engine: opens cycles on time, fires due timers, records answers, moves meetings.

It knows the storage ports and the injected Clock, nothing of SQL, email or the web. Every
public operation is one unit of work, retried when another process changed the same thing
first. A timer whose handler fails is retried with backoff and, after `MAX_TIMER_ATTEMPTS`,
becomes a timer incident; timers of other cycles keep firing meanwhile.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from lofte.definitions.loader import Bundle
from lofte.kernel.clock import Clock
from lofte.kernel.errors import ConcurrentUpdate, LofteError
from lofte.workflow.core.catalog import GENERATION, Catalog
from lofte.workflow.core.catch_up import report_catch_up
from lofte.workflow.core.keys import Keys, new_installation_id
from lofte.workflow.core.kinds import STANDARD_KINDS, StepKinds
from lofte.workflow.core.machines import MachineRegistry
from lofte.workflow.core.meetings import change_meeting
from lofte.workflow.core.opening import schedule_openings
from lofte.workflow.core.outbox_retry import retry_all, retry_message
from lofte.workflow.core.ports import Store, UnitOfWork
from lofte.workflow.core.records import InputRequest, Meeting, OutboxMessage, Timer, TimerStatus
from lofte.workflow.core.resend import resend, sign_in_message
from lofte.workflow.core.setup import store_setup
from lofte.workflow.core.submissions import submit
from lofte.workflow.core.timer_handlers import fire
from lofte.workflow.core.work import TIMER_ACTOR, Work

log = logging.getLogger("lofte.engine")
T = TypeVar("T")
RETRIES = 5
TOGETHER = 20  # due timers fired in one unit of work (SQLite's write lock: ~2 ms each)
MAX_TIMER_ATTEMPTS = 5
MAX_TIMER_BACKOFF = timedelta(hours=1)
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
        kinds: StepKinds = STANDARD_KINDS,
    ) -> None:
        self.store = store
        self.clock = clock
        self.engine_id = engine_id
        self.sensitive_retention = sensitive_retention
        self.kinds = kinds  # the step kinds it runs
        self.catalog = Catalog(definition_class=kinds.definition_class)
        self.machines = MachineRegistry()
        self._keys: Keys | None = None

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
    def run_due(self, limit: int | None = None) -> list[Timer]:
        """Fire every timer due now, earliest first; then report what catch-up held back.

        Due timers (every municipality's Monday inventory falls due at the same minute, say)
        are fired up to `TOGETHER` in one unit of work, each with its own audit events, timers and
        outbox rows, in the order one at a time would fire them. If one of them raises,
        nothing of that batch is kept and the rest of this run goes one timer per unit of
        work, which records the failure on its timer."""
        fired: list[Timer] = []
        together = True
        while limit is None or len(fired) < limit:
            room = TOGETHER if limit is None else min(TOGETHER, limit - len(fired))
            batch = self._fire_together(room) if together and room > 1 else None
            if batch is None:
                together = False
                timer = self.fire_next_due()
                batch = [] if timer is None else [timer]
            if not batch:
                break
            fired.extend(batch)
        if fired:
            self.report_catch_up()
        return fired

    def _fire_together(self, limit: int) -> list[Timer] | None:
        """Claim and fire up to `limit` due timers in one unit of work; None if any raised
        (then nothing of them is kept)."""

        done: list[Timer] = []
        try:
            with self.store.unit_of_work() as uow:
                while len(done) < limit and (timer := self._fire_one(uow, [])) is not None:
                    done.append(timer)
        except Exception as exc:  # fired again one at a time, where a failure is recorded
            log.warning("due timers fired one at a time after %s: %s", type(exc).__name__, exc)
            return None
        for timer in done:
            _log_fired(timer)
        return done

    def fire_next_due(self) -> Timer | None:
        """Claim and fire one due timer in its own unit of work; None if nothing is due.

        A handler that raises leaves nothing of its own work behind; the failure is recorded
        on the timer (retried with backoff, an incident after MAX_TIMER_ATTEMPTS)."""
        claimed: list[Timer] = []

        def work(uow: UnitOfWork) -> Timer | None:
            claimed.clear()
            return self._fire_one(uow, claimed)

        try:
            done = self._unit(work)
        except Exception as exc:
            if not claimed:
                raise
            return self._record_failure(claimed[0], exc)
        if done is not None:
            _log_fired(done)
        return done

    def _fire_one(self, uow: UnitOfWork, claimed: list[Timer]) -> Timer | None:
        """Claim the next due timer (noted in `claimed`) and fire it, within `uow`."""
        timer = uow.timers.claim_due(self.clock.now(), self.engine_id)
        if timer is None:
            return None
        claimed.append(timer)
        job = self._work(uow, TIMER_ACTOR)
        note = fire(job, timer)
        job.flush()
        return dataclasses.replace(timer, note=note[:500])

    def _record_failure(self, timer: Timer, exc: Exception) -> Timer:
        reason = f"{exc.__class__.__name__}: {exc}"[:1000]
        log.warning("timer %s failed (attempt %s): %s", timer.key, timer.attempts + 1, reason)

        def work(uow: UnitOfWork) -> Timer:
            now = self.clock.now()
            current = uow.timers.get(timer.id or 0, lock=True)
            attempts = current.attempts + 1
            incident = attempts >= MAX_TIMER_ATTEMPTS
            backoff = min(timedelta(seconds=60 * 2 ** (attempts - 1)), MAX_TIMER_BACKOFF)
            failed = dataclasses.replace(
                current,
                attempts=attempts,
                status=TimerStatus.FAILED if incident else TimerStatus.PENDING,
                next_attempt_at=None if incident else now + backoff,
                last_error=reason,
            )
            uow.timers.save(failed)
            if incident:
                job = self._work(uow, TIMER_ACTOR)
                job.audit(
                    None,
                    "timer_incident",
                    {
                        "timer": timer.key,
                        "kind": timer.kind.value,
                        "attempts": attempts,
                        "error": reason,
                    },
                    unit_id=timer.unit_id,
                )
                job.flush()
            return failed

        return self._unit(work)

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


def _log_fired(timer: Timer) -> None:
    log.info("fired %s %s: %s", timer.kind.value, timer.key, timer.note)
