"""What each kind of timer does when it fires. A handler returns a note for the log; it never
acts on a step that has already moved on, and never sends what has lost its moment."""

from __future__ import annotations

from collections.abc import Callable

from lofte.definitions.cycle import Event
from lofte.workflow.core.context import resolve_context
from lofte.workflow.core.messages import escalation_message, request_message
from lofte.workflow.core.opening import open_cycle
from lofte.workflow.core.payloads import (
    ErasurePayload,
    OpeningPayload,
    RetentionPayload,
    StepPayload,
    read_payload,
)
from lofte.workflow.core.pseudonyms import pseudonymise_cycle
from lofte.workflow.core.records import CycleInstance, InputRequest, Timer, TimerKind
from lofte.workflow.core.steps import make_move, transition
from lofte.workflow.core.work import Work

Handler = Callable[[Work, Timer], str]


def fire(work: Work, timer: Timer) -> str:
    """Run the handler of `timer`'s kind; ValueError if its payload cannot be read."""
    return HANDLERS[timer.kind](work, timer)


def _on_open(work: Work, timer: Timer) -> str:
    payload = read_payload(timer.kind, timer.payload)
    assert isinstance(payload, OpeningPayload)
    return open_cycle(work, timer, payload)


Current = tuple[CycleInstance, StepPayload, list[InputRequest]]


def _current(work: Work, timer: Timer, *, lock: bool) -> Current | str:
    """The cycle, step and still open requests a step timer belongs to, or why it no longer
    applies."""
    payload, instance_id = _step_of(timer)
    instance, requests = work.uow.requests.cycle_and_open_requests(
        instance_id, payload.step, lock=lock
    )
    if instance.state != payload.step:
        return _MOVED_ON
    return instance, payload, requests


def _step_of(timer: Timer) -> tuple[StepPayload, int]:
    payload = read_payload(timer.kind, timer.payload)
    assert isinstance(payload, StepPayload) and timer.instance_id is not None
    return payload, timer.instance_id


_MOVED_ON = "överhoppad: steget är redan avslutat"


def _on_reminder(work: Work, timer: Timer) -> str:
    found = _current(work, timer, lock=False)
    if isinstance(found, str):
        return found
    instance, payload, requests = found
    if instance.step_deadline_at is not None and work.now >= instance.step_deadline_at:
        return "överhoppad: tidsfristen har redan passerat"
    definition = work.definition_of(instance)
    step = definition.step(payload.step)
    reminded = []
    for request in requests:
        person = work.person(request.person_id)
        if person is None:
            continue
        work.send(
            request_message(
                work, instance, definition, step, request, person, reminder_number=payload.number
            )
        )
        reminded.append(person.id)
    if reminded:
        work.audit(
            instance, "reminder_sent", {"step": step.id, "number": payload.number, "to": reminded}
        )
    return f"påminde {len(reminded)}"


def _on_deadline(work: Work, timer: Timer) -> str:
    found = _current(work, timer, lock=True)
    if isinstance(found, str):
        return found
    instance, payload, requests = found
    definition = work.definition_of(instance)
    waiting = [r.person_id for r in requests]
    work.audit(instance, "deadline_reached", {"step": payload.step, "waiting_for": waiting})
    move = work.kinds.of(definition.step(payload.step)).deadline_passed(waiting)
    if move is not None:
        work.uow.cycles.save(make_move(work, instance, definition, move))
        return "steget stängdes vid tidsfristen"
    return f"{len(waiting)} svar saknas"


def _on_escalation(work: Work, timer: Timer) -> str:
    """Tell the escalation role who has not answered, never a person who is missing too."""
    found = _current(work, timer, lock=False)
    if isinstance(found, str):
        return found
    instance, payload, waiting = found  # the requests still open
    definition = work.definition_of(instance)
    step = definition.step(payload.step)
    assert step.escalation is not None
    if not waiting:
        return "överhoppad: inget saknas"
    missing_ids = {r.person_id for r in waiting}
    unit = work.unit_or_placeholder(instance.unit_id)
    chiefs = [p for p, _ in work.directory.holders_for(step.escalation.role, unit)]
    if all(c.id in missing_ids for c in chiefs):  # they are late themselves: go to the chair
        chiefs = [p for p, _ in work.directory.holders_for(definition.chair_role, unit)]
    chiefs = [c for c in chiefs if c.id not in missing_ids]
    names = sorted({_who(work, r.person_id, r.subject.get("title", "")) for r in waiting})
    for chief in chiefs:
        work.send(escalation_message(work, instance, definition, step, names, chief))
    work.audit(
        instance,
        "escalated",
        {"step": step.id, "to": [c.id for c in chiefs], "missing": sorted(missing_ids)},
    )
    return f"eskalerade {len(waiting)} saknade svar till {len(chiefs)} person(er)"


def _who(work: Work, person_id: str, about: str) -> str:
    name = work.directory.name_of(person_id)
    return f"{name} ({about})" if about else name


def _on_expiry(work: Work, timer: Timer) -> str:
    found = _current(work, timer, lock=True)
    if isinstance(found, str):
        return found
    instance, _, requests = found
    definition = work.definition_of(instance)
    missing = [r.person_id for r in requests]
    work.uow.cycles.save(
        transition(work, instance, definition, Event.EXPIRED, {"missing": missing})
    )
    return f"steget löpte ut med {len(missing)} saknade svar"


def _on_meeting(work: Work, timer: Timer) -> str:
    """The meeting begins: its step's context (the lägesbild since the last meeting, say)
    is resolved again, so it includes what was reported up to the meeting."""
    payload, instance_id = _step_of(timer)
    instance = work.uow.cycles.get(instance_id, lock=True)
    if instance.state != payload.step:
        return _MOVED_ON
    definition = work.definition_of(instance)
    context = resolve_context(work, instance, definition, definition.step(payload.step))
    if context is None:
        return "inget underlag att uppdatera"
    work.uow.contexts.put(instance.id or 0, payload.step, context)
    work.audit(instance, "context_refreshed", {"step": payload.step})
    return "underlaget uppdaterat inför mötet"


def _on_erasure(work: Work, timer: Timer) -> str:
    """The retention of a closed cycle's sensitive values has run out: erase them."""
    payload = read_payload(timer.kind, timer.payload)
    assert isinstance(payload, ErasurePayload) and timer.instance_id is not None
    instance = work.uow.cycles.get(timer.instance_id)
    erased = work.uow.sensitive.erase_for_instance(timer.instance_id, work.now)
    work.audit(
        instance,
        "sensitive_erased",
        {"values": erased, "retention_days": work.sensitive_retention.days},
    )
    return f"raderade {erased} skyddade uppgifter"


def _on_retention(work: Work, timer: Timer) -> str:
    """The retention of a closed cycle's ordinary personal data has run out: the people who
    left the organisation are named by pseudonyms in its records (`workflow.core.pseudonyms`);
    the people still in it keep their names."""
    payload = read_payload(timer.kind, timer.payload)
    assert isinstance(payload, RetentionPayload) and timer.instance_id is not None
    instance = work.uow.cycles.get(timer.instance_id, lock=True)
    done = pseudonymise_cycle(work, instance, set(work.directory.departed))
    work.audit(instance, "retention_ended", {"retention": payload.retention} | done.detail())
    return f"gallring: {done.people} person(er) som lämnat fick pseudonym"


HANDLERS: dict[TimerKind, Handler] = {
    TimerKind.CYCLE_OPEN: _on_open,
    TimerKind.REMINDER: _on_reminder,
    TimerKind.DEADLINE: _on_deadline,
    TimerKind.ESCALATION: _on_escalation,
    TimerKind.EXPIRY: _on_expiry,
    TimerKind.MEETING: _on_meeting,
    TimerKind.ERASURE: _on_erasure,
    TimerKind.RETENTION: _on_retention,
}
