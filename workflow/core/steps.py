"""Entering a step, leaving it, and the transitions between: the heart of a cycle's life.

A step opens with its context, one input request per recipient (with its email), and its
timers; it closes when its event fires, which turns still open requests into missing (or
cancelled, when a decision made them moot), cancels its timers, makes its answers' rows into
actions, announces a decision, and enters the next step or completes the cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lofte.definitions.cycle import TERMINAL_STATES, CycleDefinition, Event
from lofte.definitions.steps import AnyStep
from lofte.workflow.core.actions import announce, create_actions
from lofte.workflow.core.completion import complete
from lofte.workflow.core.context import resolve_context
from lofte.workflow.core.kinds import Move
from lofte.workflow.core.messages import request_message
from lofte.workflow.core.payloads import StepPayload, dump_payload
from lofte.workflow.core.recipients import Recipient
from lofte.workflow.core.records import (
    CycleInstance,
    InputRequest,
    Meeting,
    RequestStatus,
    Timer,
    TimerKind,
    evolve,
)
from lofte.workflow.core.step_times import StepTimes, step_times
from lofte.workflow.core.work import Work


@dataclass(frozen=True)
class StepPlan:
    """What entering a step will do, worked out before anything is written."""

    step: AnyStep
    times: StepTimes
    recipients: list[Recipient]

    def applied_to(self, instance: CycleInstance) -> CycleInstance:
        return evolve(
            instance,
            state=self.step.id,
            step_deadline_at=self.times.deadline,
            step_late_until=self.times.late_until,
            open_requests=len(self.recipients),
        )


def plan_step(
    work: Work, instance: CycleInstance, definition: CycleDefinition, step_id: str
) -> StepPlan:
    step = definition.step(step_id)
    booked = booked_meeting(work, instance, step)
    starts = None if booked is None or booked.cancelled else booked.starts_at
    return StepPlan(
        step,
        step_times(definition, step, instance.opens_at, starts),
        work.kinds.of(step).asks(work, instance, step),
    )


def booked_meeting(work: Work, instance: CycleInstance, step: AnyStep) -> Meeting | None:
    """The meeting booked for a meeting step of a stored cycle (cancelled or not)."""
    if step.meeting is None or instance.id is None:
        return None
    return work.uow.meetings.get(instance.id, step.id)


def enter_step(
    work: Work, instance: CycleInstance, definition: CycleDefinition, step_id: str
) -> CycleInstance:
    """Open `step_id`: context, requests and their emails, timers. Returns the changed cycle."""
    plan = plan_step(work, instance, definition, step_id)
    return start_step(work, plan.applied_to(instance), definition, plan)


def start_step(
    work: Work, instance: CycleInstance, definition: CycleDefinition, plan: StepPlan
) -> CycleInstance:
    """Carry out a plan for a cycle already in the planned state (and stored, with an id)."""
    assert instance.id is not None
    step, times = plan.step, plan.times
    context = resolve_context(work, instance, definition, step)
    if context is not None:
        work.uow.contexts.put(instance.id, step.id, context)
    booked = booked_meeting(work, instance, step)
    meeting = _meeting_info(booked)
    requests = _ask(work, instance, definition, plan, context is not None, meeting)
    stale = times.deadline <= work.now  # after downtime: never ask for what is already late
    _schedule_step_timers(work, instance, step, times, meeting)
    if booked is not None and booked.cancelled:  # nobody is chased for a cancelled meeting
        cancel_chasing(work, instance, step)
    work.audit(
        instance,
        "step_opened",
        {
            "step": step.id,
            "deadline": times.deadline.isoformat(),
            "requested_from": [r.person_id for r in requests],
            **({"requests_not_sent": "deadline passed before the step opened"} if stale else {}),
        },
        to_state=step.id,
    )
    move = work.kinds.of(step).asked_nobody() if not requests else None
    return instance if move is None else make_move(work, instance, definition, move)


def _ask(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    plan: StepPlan,
    has_context: bool,
    meeting: dict[str, Any] | None,
) -> list[InputRequest]:
    """One request per recipient, each with its email (recorded, not sent, if stale)."""
    assert instance.id is not None
    step, times, found = plan.step, plan.times, plan.recipients
    requests = work.uow.requests.add_many(
        [
            InputRequest(
                key=work.keys.request(instance.key, instance.unit_id, step.id, r.person.id, r.item),
                instance_id=instance.id,
                unit_id=instance.unit_id,
                step_id=step.id,
                person_id=r.person.id,
                roles=r.roles,
                requested_at=work.now,
                deadline_at=times.deadline,
                late_until=times.late_until,
                subject=r.subject,
            )
            for r in found
        ]
    )
    for request, recipient in zip(requests, found, strict=True):
        message = request_message(
            work,
            instance,
            definition,
            step,
            request,
            recipient.person,
            meeting=meeting,
            has_context=has_context,
        )
        work.send(message, stale=times.deadline <= work.now)
    return requests


def _meeting_info(meeting: Meeting | None) -> dict[str, Any] | None:
    if meeting is None or meeting.cancelled:
        return None
    return {"start": meeting.starts_at.isoformat(), "location": meeting.location}


def step_timer_key(
    work: Work, instance: CycleInstance, step: AnyStep, kind: TimerKind, n: int = 0
) -> str:
    return work.keys.step_timer(instance.key, instance.unit_id, step.id, kind.value, n)


def cancel_chasing(work: Work, instance: CycleInstance, step: AnyStep) -> None:
    """Cancel the step's pending reminders and escalation (its meeting was cancelled)."""
    for number in range(1, len(step.reminders) + 1):
        work.uow.timers.move_pending(
            step_timer_key(work, instance, step, TimerKind.REMINDER, number), None
        )
    work.uow.timers.move_pending(step_timer_key(work, instance, step, TimerKind.ESCALATION), None)


def move_step_times(
    work: Work, instance: CycleInstance, step: AnyStep, times: StepTimes
) -> CycleInstance:
    """Give the current step new times: its pending timers, its open requests' deadlines and
    the cycle's (a reminder already sent stays sent)."""
    assert instance.id is not None
    for number, due in enumerate(times.reminders, start=1):
        work.uow.timers.move_pending(
            step_timer_key(work, instance, step, TimerKind.REMINDER, number), due
        )
    work.uow.timers.move_pending(
        step_timer_key(work, instance, step, TimerKind.DEADLINE), times.deadline
    )
    if times.escalation is not None:
        work.uow.timers.move_pending(
            step_timer_key(work, instance, step, TimerKind.ESCALATION), times.escalation
        )
    work.uow.timers.move_pending(
        step_timer_key(work, instance, step, TimerKind.EXPIRY), times.late_until
    )
    work.uow.requests.move_open(instance.id, step.id, times.deadline, times.late_until)
    return work.uow.cycles.save(
        evolve(instance, step_deadline_at=times.deadline, step_late_until=times.late_until)
    )


def _schedule_step_timers(
    work: Work,
    instance: CycleInstance,
    step: AnyStep,
    times: StepTimes,
    meeting: dict[str, Any] | None,
) -> None:
    def timer(kind: TimerKind, due: Any, number: int = 0) -> None:
        work.schedule(
            Timer(
                key=step_timer_key(work, instance, step, kind, number),
                kind=kind,
                due_at=due,
                definition_name=instance.definition_name,
                unit_id=instance.unit_id,
                instance_id=instance.id,
                payload=dump_payload(StepPayload(step.id, number)),
            )
        )

    for number, due in enumerate(times.reminders, start=1):
        if due > work.now:
            timer(TimerKind.REMINDER, due, number)
    timer(TimerKind.DEADLINE, times.deadline)
    if times.escalation is not None:
        timer(TimerKind.ESCALATION, times.escalation)
    if work.kinds.of(step).expires:
        timer(TimerKind.EXPIRY, times.late_until)
    if meeting is not None and step.context:
        starts = datetime.fromisoformat(meeting["start"])
        if starts > work.now:  # what the meeting sees is brought up to date when it begins
            timer(TimerKind.MEETING, starts)


def make_move(
    work: Work, instance: CycleInstance, definition: CycleDefinition, move: Move
) -> CycleInstance:
    """Make the move a step's kind decided on."""
    return transition(work, instance, definition, move.event, move.detail, decision=move.decision)


def transition(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    event: Event,
    detail: dict[str, Any] | None = None,
    *,
    decision: InputRequest | None = None,
) -> CycleInstance:
    """Fire `event`: close the current step, then enter the next one or complete."""
    machine = work.machines.machine(definition)
    label = f"{definition.name} {instance.unit_id} {instance.period_key}"
    new_state = machine.fire(instance.state, event, label)
    leaving = definition.step(instance.state)
    instance = _close_step(work, instance, definition, leaving, event, decision)
    work.audit(instance, event.value, detail, from_state=instance.state, to_state=new_state)
    if new_state in TERMINAL_STATES:
        return complete(work, evolve(instance, state=new_state), definition)
    return enter_step(work, instance, definition, new_state)


def _close_step(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    step: AnyStep,
    event: Event,
    decision: InputRequest | None,
) -> CycleInstance:
    """Close the step; returns the cycle with its tally of missing inputs brought up to date."""
    cycle_id = instance.id
    assert cycle_id is not None
    status = RequestStatus.CANCELLED if event is Event.DECIDED else RequestStatus.MISSING
    closed = (
        work.uow.requests.close_open(cycle_id, step.id, status) if instance.open_requests else []
    )
    if closed:
        work.audit(
            instance,
            "requests_closed",
            {"step": step.id, "status": status.value, "people": [r.person_id for r in closed]},
        )
        if status is RequestStatus.MISSING:
            instance = evolve(instance, missing_requests=instance.missing_requests + len(closed))
    work.uow.timers.cancel_for_instance(cycle_id)
    if not (step.creates_actions or step.announce):
        return instance
    answered = (
        [decision] if decision is not None else work.uow.requests.answered([cycle_id], step.id)
    )
    created = create_actions(work, instance, definition, step, answered)
    if step.announce and event is Event.DECIDED and answered:
        announce(work, instance, definition, step, answered[0], created)
    return instance
