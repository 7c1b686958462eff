"""The cycle engine: opens cycles on time, fires due timers, records answers.

It knows the Store protocol and the Clock, nothing of SQL, email or the web. Every public
operation is one transaction (retried when another process changed the same cycle first).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from definitions.loader import Bundle
from definitions.schema import Advance, CycleDefinition, Event
from workflow.answers import validate_answer
from workflow.cadence import first_period_after, period
from workflow.catalog import Catalog
from workflow.clock import Clock
from workflow.cycle_ops import TIMER_ACTOR, CycleOps, open_requests
from workflow.errors import (
    ConcurrentUpdate,
    InvalidToken,
    MeetingCancelled,
    NotFound,
    NotResponsible,
    RequestClosed,
)
from workflow.machines import MachineRegistry
from workflow.messages import escalation_message, input_request_message
from workflow.ports import Store, Transaction
from workflow.records import (
    CycleInstance,
    DefinitionVersion,
    InputRequest,
    Meeting,
    RequestStatus,
    Submission,
    Timer,
    TimerKind,
    TimerStatus,
)
from workflow.tokens import installation_secret, read_token

log = logging.getLogger("lofte.engine")
T = TypeVar("T")
RETRIES = 5


class Engine:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        engine_id: str = "engine",
        retryable: tuple[type[Exception], ...] = (),
    ) -> None:
        self.store = store
        self.clock = clock
        self.engine_id = engine_id
        self.catalog = Catalog()
        self.machines = MachineRegistry()
        self._retryable: tuple[type[Exception], ...] = (ConcurrentUpdate, *retryable)

    # configuration ------------------------------------------------------------------------
    def register(self, bundle: Bundle) -> list[str]:
        """Store changed definitions and organisation as new versions, in one transaction.

        Running cycles keep their version; a changed cadence takes effect from the next
        opening. Returns a line per change.
        """
        changes: list[str] = []
        with self.store.transaction() as tx:
            now = self.clock.now()
            org = bundle.organisation
            latest_org = tx.latest_organisation()
            if latest_org is None or latest_org.content_hash != org.content_hash:
                version = 1 if latest_org is None else latest_org.version + 1
                tx.add_organisation(
                    DefinitionVersion("organisation", version, org.text, org.content_hash, now)
                )
                changes.append(f"organisation: version {version}")
            for source in bundle.definitions:
                name = source.definition.name
                latest = tx.latest_definition(name)
                if latest is not None and latest.content_hash == source.content_hash:
                    continue
                version = 1 if latest is None else latest.version + 1
                tx.add_definition(
                    DefinitionVersion(name, version, source.text, source.content_hash, now)
                )
                cancelled = tx.cancel_timers(definition_name=name, kind=TimerKind.CYCLE_OPEN)
                changes.append(
                    f"{name}: version {version}"
                    + (" (next opening rescheduled)" if cancelled else "")
                )
            self._ensure_schedule(tx, now)
            installation_secret(tx)  # the key that signs answer links, made once
        return changes

    def ensure_schedule(self) -> int:
        """Make sure every definition has its next opening as a timer. Returns timers added."""
        return self._in_transaction(lambda tx: self._ensure_schedule(tx, self.clock.now()))

    def _ensure_schedule(self, tx: Transaction, now: datetime) -> int:
        added = 0
        for name in tx.definition_names():
            if tx.pending_open_timer(name) is not None:
                continue
            definition, _ = self.catalog.latest(tx, name)
            latest = tx.latest_instance(name)
            after = now if latest is None else latest.period_start + timedelta(seconds=1)
            added += self._schedule_open(tx, definition, after)
        return added

    def _schedule_open(self, tx: Transaction, definition: CycleDefinition, after: datetime) -> int:
        upcoming = first_period_after(definition, after)
        while tx.find_instance(definition.name, upcoming.key) is not None:
            upcoming = period(definition, upcoming.index + 1)
        added = tx.add_timer(
            Timer(
                key=f"open:{definition.name}:{upcoming.key}",
                kind=TimerKind.CYCLE_OPEN,
                due_at=upcoming.opens_at,
                definition_name=definition.name,
                payload={"period_index": upcoming.index, "period_key": upcoming.key},
            )
        )
        return int(added)

    # timers -----------------------------------------------------------------------------
    def run_due(self, limit: int | None = None) -> list[Timer]:
        """Fire every timer due now, earliest first. Returns the timers fired."""
        fired: list[Timer] = []
        while limit is None or len(fired) < limit:
            timer = self.fire_next_due()
            if timer is None:
                break
            fired.append(timer)
        return fired

    def fire_next_due(self) -> Timer | None:
        """Claim and fire one due timer, in its own transaction; None if nothing is due."""
        return self._in_transaction(self._fire_next_due)

    def _fire_next_due(self, tx: Transaction) -> Timer | None:
        now = self.clock.now()
        timer = tx.claim_due_timer(now)
        if timer is None:
            return None
        ops = CycleOps(tx, now, TIMER_ACTOR, self.catalog, self.machines)
        note = _HANDLERS[timer.kind](self, ops, timer)
        done = dataclasses.replace(
            timer, status=TimerStatus.FIRED, fired_at=now, fired_by=self.engine_id, note=note
        )
        tx.finish_timer(done)
        log.info(
            "fired %s %s (due %s): %s", timer.kind.value, timer.key, timer.due_at.isoformat(), note
        )
        return done

    def _on_open(self, ops: CycleOps, timer: Timer) -> str:
        definition, version = self.catalog.latest(ops.tx, timer.definition_name)
        key = timer.payload.get("period_key")
        target = period(definition, int(timer.payload["period_index"]))
        if key is not None and target.key != key:  # cadence changed since scheduling
            target = first_period_after(definition, timer.due_at)
        instance = ops.open_cycle(definition, version, target)
        self._schedule_open(ops.tx, definition, target.starts_at + timedelta(seconds=1))
        if instance is None:
            return f"{target.key} was already open"
        return f"opened {definition.name} {target.key} (instance {instance.id})"

    def _on_reminder(self, ops: CycleOps, timer: Timer) -> str:
        assert timer.request_id is not None
        request = ops.tx.request(timer.request_id)
        if request.status is not RequestStatus.OPEN:
            return f"skipped: request is {request.status.value}"
        if ops.now >= request.deadline_at:
            return "skipped: the deadline has already passed"
        instance, definition = self._instance(ops.tx, request.instance_id)
        person = ops.organisation.find(request.person_id)
        if person is None:
            return f"skipped: {request.person_id} is no longer in the organisation"
        number = int(timer.payload.get("number", 1))
        step_run = ops.tx.step_run(request.step_run_id)
        ops.tx.add_outbox(
            input_request_message(
                definition,
                instance,
                definition.step(request.step_id),
                request,
                person,
                ops.now,
                step_run.late_until,
                reminder_number=number,
            )
        )
        ops.audit(
            instance,
            "reminder_sent",
            None,
            None,
            {"request_id": request.id, "person_id": person.id, "number": number},
        )
        return f"reminded {person.id}"

    def _on_deadline(self, ops: CycleOps, timer: Timer) -> str:
        step_run = ops.tx.step_run(timer.step_run_id or 0)
        if step_run.closed_at is not None:
            return "skipped: the step had already moved on"
        instance, definition = self._instance(ops.tx, step_run.instance_id, lock=True)
        waiting = open_requests(ops.tx.requests_for_step(step_run.id or 0))
        ops.audit(
            instance,
            "deadline_reached",
            None,
            None,
            {"step": step_run.step_id, "waiting_for": [r.person_id for r in waiting]},
        )
        if definition.step(step_run.step_id).advance is Advance.DEADLINE:
            ops.transition(
                instance,
                definition,
                Event.DEADLINE_PASSED,
                {"missing": [r.person_id for r in waiting]},
            )
            return "step closed at its deadline"
        return f"{len(waiting)} input(s) still missing"

    def _on_escalation(self, ops: CycleOps, timer: Timer) -> str:
        step_run = ops.tx.step_run(timer.step_run_id or 0)
        if step_run.closed_at is not None:
            return "skipped: the step had already moved on"
        waiting = open_requests(ops.tx.requests_for_step(step_run.id or 0))
        if not waiting:
            return "skipped: nothing missing"
        instance, definition = self._instance(ops.tx, step_run.instance_id)
        step = definition.step(step_run.step_id)
        assert step.escalation is not None
        names = [(r, ops.organisation.name_of(r.person_id)) for r in waiting]
        chiefs = ops.organisation.people_with_role(step.escalation.role)
        for chief in chiefs:
            ops.tx.add_outbox(
                escalation_message(definition, instance, step, step_run, names, chief, ops.now)
            )
        ops.audit(
            instance,
            "escalated",
            None,
            None,
            {
                "step": step.id,
                "to": [c.id for c in chiefs],
                "missing": [r.person_id for r in waiting],
            },
        )
        return f"escalated {len(waiting)} missing input(s) to {step.escalation.role}"

    def _on_expiry(self, ops: CycleOps, timer: Timer) -> str:
        step_run = ops.tx.step_run(timer.step_run_id or 0)
        if step_run.closed_at is not None:
            return "skipped: the step had already moved on"
        instance, definition = self._instance(ops.tx, step_run.instance_id, lock=True)
        missing = [r.person_id for r in open_requests(ops.tx.requests_for_step(step_run.id or 0))]
        ops.transition(instance, definition, Event.EXPIRED, {"missing": missing})
        return f"step expired with {len(missing)} missing input(s)"

    # inputs -----------------------------------------------------------------------------
    def submit(self, request_id: int, person_id: str, answer: Mapping[str, Any]) -> InputRequest:
        """Record `person_id`'s answer to a request; may move the cycle on.

        Raises SubmissionError (bad answer), NotResponsible, RequestClosed, NotFound; in every
        error case nothing is stored.
        """
        return self._in_transaction(lambda tx: self._submit(tx, request_id, person_id, answer))

    def submit_with_token(
        self, token: str, answer: Mapping[str, Any], secret: str | None = None
    ) -> InputRequest:
        """Record an answer through a response link's token (the person is the request's).

        Forged, expired and used tokens raise InvalidToken; nothing is stored then.
        """

        def work(tx: Transaction) -> InputRequest:
            key = secret or installation_secret(tx)
            request_id = read_token(token, key, self.clock.now())
            request = tx.request(request_id)
            if request.status is RequestStatus.ANSWERED:
                raise InvalidToken("the answer link has already been used: the answer is in")
            if request.status is not RequestStatus.OPEN:
                raise InvalidToken(
                    f"the answer link is closed: the request is {request.status.value}"
                )
            return self._submit(tx, request_id, request.person_id, answer)

        return self._in_transaction(work)

    def _submit(
        self, tx: Transaction, request_id: int, person_id: str, answer: Mapping[str, Any]
    ) -> InputRequest:
        now = self.clock.now()
        # Lock order everywhere: the cycle first, then its requests (no deadlocks).
        instance, definition = self._instance(tx, tx.request(request_id).instance_id, lock=True)
        request = tx.request(request_id, lock=True)
        if request.person_id != person_id:
            raise NotResponsible(request_id, person_id, request.person_id)
        step_run = tx.step_run(request.step_run_id)
        step = definition.step(request.step_id)
        closes = step_run.deadline_at if step.advance is Advance.DEADLINE else step_run.late_until
        if request.status is not RequestStatus.OPEN or step_run.closed_at is not None:
            raise RequestClosed(request_id, request.status.value)
        if now > closes:
            raise RequestClosed(request_id, f"past its last answer time {closes.isoformat()}")
        ops = CycleOps(tx, now, person_id, self.catalog, self.machines)
        public, sensitive = validate_answer(
            step, request.roles, answer, ops.organisation, ZoneInfo(definition.timezone)
        )
        tx.add_submission(
            Submission(
                request.id or 0, instance.id or 0, step.id, person_id, now, public, sensitive
            )
        )
        answered = dataclasses.replace(
            request, status=RequestStatus.ANSWERED, answered_at=now, late=now > request.deadline_at
        )
        tx.save_request(answered)
        tx.cancel_timers(request_id=request.id)
        ops.audit(
            instance,
            "input_received",
            None,
            None,
            {"request_id": request.id, "step": step.id, "late": answered.late},
        )
        if step.advance is Advance.DECISION:
            ops.transition(instance, definition, Event.DECIDED, {"request_id": request.id})
        elif step.advance is Advance.ALL_INPUTS and not open_requests(
            tx.requests_for_step(step_run.id or 0)
        ):
            ops.transition(instance, definition, Event.INPUTS_COMPLETE)
        return answered

    # meetings ------------------------------------------------------------------------------
    def move_meeting(
        self, instance_id: int, step_id: str, starts_at: datetime, actor: str
    ) -> Meeting:
        """Move a meeting (keeping its length); participants get an update, SEQUENCE + 1."""
        return self._in_transaction(
            lambda tx: self._change_meeting(tx, instance_id, step_id, actor, starts_at)
        )

    def cancel_meeting(self, instance_id: int, step_id: str, actor: str) -> Meeting:
        """Cancel a meeting; participants get a cancellation with a higher SEQUENCE."""
        return self._in_transaction(
            lambda tx: self._change_meeting(tx, instance_id, step_id, actor, None)
        )

    def _change_meeting(
        self,
        tx: Transaction,
        instance_id: int,
        step_id: str,
        actor: str,
        starts_at: datetime | None,
    ) -> Meeting:
        instance, definition = self._instance(tx, instance_id, lock=True)
        meeting = tx.meeting(instance_id, step_id, lock=True)
        if meeting is None:
            raise NotFound("meeting", f"{step_id} of cycle {instance_id}")
        if meeting.cancelled:
            raise MeetingCancelled(meeting.uid)
        if starts_at is None:
            changed = dataclasses.replace(meeting, cancelled=True, sequence=meeting.sequence + 1)
            change = "cancel"
        else:
            length = meeting.ends_at - meeting.starts_at
            changed = dataclasses.replace(
                meeting,
                starts_at=starts_at,
                ends_at=starts_at + length,
                sequence=meeting.sequence + 1,
            )
            change = "update"
        tx.save_meeting(changed)
        ops = CycleOps(tx, self.clock.now(), actor, self.catalog, self.machines)
        ops.send_meeting(instance, definition, definition.step(step_id), changed, change)
        ops.audit(
            instance,
            f"meeting_{change}",
            None,
            None,
            {
                "step": step_id,
                "sequence": changed.sequence,
                "starts_at": changed.starts_at.isoformat(),
            },
        )
        return changed

    # helpers ------------------------------------------------------------------------------
    def _instance(
        self, tx: Transaction, instance_id: int, *, lock: bool = False
    ) -> tuple[CycleInstance, CycleDefinition]:
        instance = tx.instance(instance_id, lock=lock)
        definition = self.catalog.definition(
            tx, instance.definition_name, instance.definition_version
        )
        return instance, definition

    def _in_transaction(self, work: Callable[[Transaction], T]) -> T:
        for attempt in range(1, RETRIES + 1):
            try:
                with self.store.transaction() as tx:
                    return work(tx)
            except self._retryable as exc:
                if attempt == RETRIES:
                    raise
                log.info("retrying after a concurrent change (%s)", exc)
        raise AssertionError("unreachable")


_HANDLERS: dict[TimerKind, Callable[[Engine, CycleOps, Timer], str]] = {
    TimerKind.CYCLE_OPEN: Engine._on_open,
    TimerKind.REMINDER: Engine._on_reminder,
    TimerKind.DEADLINE: Engine._on_deadline,
    TimerKind.ESCALATION: Engine._on_escalation,
    TimerKind.EXPIRY: Engine._on_expiry,
}
