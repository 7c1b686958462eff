"""Completing a cycle: its outcome, the completion record naming every missing input and who
owed it, and the summary to the chair."""

from __future__ import annotations

from typing import Any

from lofte.definitions.cycle import TERMINAL_CLOSED, TERMINAL_COMPLETED, CycleDefinition
from lofte.workflow.core.basis import basis_in_force
from lofte.workflow.core.messages import summary_message
from lofte.workflow.core.payloads import ErasurePayload, dump_payload
from lofte.workflow.core.pseudonyms import schedule_retention
from lofte.workflow.core.records import (
    CycleInstance,
    InputRequest,
    Outcome,
    RequestStatus,
    Timer,
    TimerKind,
    evolve,
)
from lofte.workflow.core.work import Work


def complete(work: Work, instance: CycleInstance, definition: CycleDefinition) -> CycleInstance:
    """Close `instance` (already in its end state) with its completion record."""
    assert instance.id is not None
    requests = work.uow.requests.for_instance(instance.id)  # the summary names every answer
    missing = tuple(
        _missing(work, definition, r) for r in requests if r.status is RequestStatus.MISSING
    )
    late = instance.late_answers
    outcome = _outcome(work, instance, definition, bool(missing), late)
    closed = evolve(
        instance,
        closed_at=work.now,
        outcome=outcome,
        missing=missing,
        open_requests=0,
        step_deadline_at=None,
        step_late_until=None,
    )
    record = closed.completion
    assert record is not None
    work.audit(
        closed,
        "cycle_closed",
        {
            "outcome": outcome.value,
            "missing": [m["person_id"] for m in missing],
            "late_inputs": late,
        },
    )
    unit = work.unit_or_placeholder(instance.unit_id)
    for chair, _ in work.directory.holders_for(definition.chair_role, unit):
        work.send(summary_message(work, closed, definition, record, chair, requests))
    if any(f.sensitive for step in definition.steps for f in step.fields):
        _schedule_erasure(work, closed)
    schedule_retention(work, closed, definition)
    return closed


def close_with_nothing_to_follow_up(
    work: Work, instance: CycleInstance, definition: CycleDefinition
) -> CycleInstance:
    """A follow-up that opens with no decision in force has nothing to follow up: it closes as
    it opens, with the outcome `no_basis`, asks nobody and publishes nothing. The chair's
    summary says so (the quarter's follow-up is not missing, it had nothing to do)."""
    return complete(work, evolve(instance, state=TERMINAL_COMPLETED), definition)


def _missing(work: Work, definition: CycleDefinition, request: InputRequest) -> dict[str, Any]:
    """A missing answer as the completion record keeps it: who, for which step, about what."""
    return {
        "request_id": request.id,
        "step": request.step_id,
        "step_title": definition.step(request.step_id).title.sv,
        "person_id": request.person_id,
        "person_name": work.directory.name_of(request.person_id),
        "roles": list(request.roles),
        "about": request.subject.get("title", ""),
    }


def _outcome(
    work: Work, instance: CycleInstance, definition: CycleDefinition, missing: bool, late: int
) -> Outcome:
    if definition.basis is not None and basis_in_force(work, instance, definition) is None:
        return Outcome.NO_BASIS
    if instance.state == TERMINAL_CLOSED or missing:
        return Outcome.CLOSED_INCOMPLETE
    if late:
        return Outcome.COMPLETED_LATE
    return Outcome.COMPLETED_ON_TIME


def _schedule_erasure(work: Work, instance: CycleInstance) -> None:
    """Sensitive values are erased a set time after their cycle closes."""
    work.schedule(
        Timer(
            key=work.keys.step_timer(
                instance.key, instance.unit_id, "sensitive", TimerKind.ERASURE.value
            ),
            kind=TimerKind.ERASURE,
            due_at=work.now + work.sensitive_retention,
            definition_name=instance.definition_name,
            unit_id=instance.unit_id,
            instance_id=instance.id,
            payload=dump_payload(ErasurePayload(instance.key)),
        )
    )
