"""Recording an answer: checked against the step's fields, stored (the sensitive part apart),
audited with its content, and moving the cycle on when it completes the step. Until the step
closes the person may change the answer; the audit log keeps every version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.fields import RowsField
from lofte.definitions.steps import AnyStep
from lofte.kernel import words
from lofte.kernel.errors import NotResponsible, RequestClosed, SubmissionError
from lofte.kernel.timerules import zone
from lofte.workflow.core.answers import validate_answer
from lofte.workflow.core.commitments import offered
from lofte.workflow.core.lagesbild import reach_problems
from lofte.workflow.core.observations import row_problems
from lofte.workflow.core.records import CycleInstance, InputRequest, RequestStatus, evolve
from lofte.workflow.core.steps import make_move
from lofte.workflow.core.work import Work


def submit(work: Work, request_id: int, person_id: str, answer: Mapping[str, Any]) -> InputRequest:
    """Record `person_id`'s answer. Raises SubmissionError, NotResponsible, RequestClosed or
    NotFound; in each case nothing is stored."""
    request, instance = work.uow.requests.get_for_update(request_id)
    if request.person_id != person_id:
        raise NotResponsible(request_id, person_id, work.directory.name_of(request.person_id))
    if work.directory.has_left(person_id):  # an answer link mailed before they left
        raise RequestClosed(request_id, "personen har lämnat organisationen")
    if request.status not in (RequestStatus.OPEN, RequestStatus.ANSWERED):
        raise RequestClosed(request_id, _STATUS_REASON[request.status])
    if instance.is_closed or instance.state != request.step_id:
        raise RequestClosed(request_id, "steget är avslutat")
    definition = work.definition_of(instance)
    step = definition.step(request.step_id)
    closes = work.kinds.of(step).answers_until(request)
    if work.now > closes:
        raise RequestClosed(request_id, f"sista svarstiden {words.moment(closes)} har passerat")
    unit = work.unit_or_placeholder(instance.unit_id)
    members = {p.id: p for p in work.directory.members(unit)}
    public, sensitive = validate_answer(
        step, request.roles, answer, members, zone(definition.timezone), offered(work, unit, step)
    )
    _check_reach(step, public, instance)
    first = request.status is RequestStatus.OPEN
    answered = evolve(
        request,
        status=RequestStatus.ANSWERED,
        answered_at=work.now,
        late=(work.now > request.deadline_at) if first else request.late,
        answer=public,
        answer_version=request.answer_version + 1,
    )
    work.uow.requests.save(answered)
    if sensitive:
        work.uow.sensitive.put(request_id, answered.answer_version, sensitive, work.now)
    work.audit(
        instance,
        "input_received" if first else "answer_changed",
        {
            "request": request.key,
            "step": step.id,
            "version": answered.answer_version,
            "late": answered.late,
            "answer": public,
            "sensitive_fields": sorted(sensitive),
        },
    )
    work.uow.cycles.save(_move_on(work, instance, definition, step, answered, first))
    return answered


def _move_on(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    step: AnyStep,
    answered: InputRequest,
    first: bool,
) -> CycleInstance:
    """The cycle after an answer: counted if it is the first, then as the step's kind has
    it (on to the next step when a decision is recorded or the last input came in, say)."""
    if first:
        instance = evolve(
            instance,
            open_requests=max(0, instance.open_requests - 1),
            late_answers=instance.late_answers + int(answered.late),
        )
    move = work.kinds.of(step).answered(work, instance, step, answered)
    return instance if move is None else make_move(work, instance, definition, move)


def _check_reach(step: AnyStep, public: dict[str, Any], instance: CycleInstance) -> None:
    """An inventory reports only what lies near its period (`workflow.core.lagesbild`)."""
    source = step.observations
    if source is None:
        return
    rows = next((f for f in step.fields if f.id == source.field), None)
    labels = {c.id: c.label.sv for c in rows.columns} if isinstance(rows, RowsField) else {}
    dated = source.date or source.time or ""
    problems = row_problems(public, source, labels)
    problems += reach_problems(
        public, source, labels.get(dated, dated), instance.period_start, instance.ends_at
    )
    if problems:
        raise SubmissionError(problems)


_STATUS_REASON = {
    RequestStatus.MISSING: "svaret saknades när steget stängdes",
    RequestStatus.CANCELLED: "den behövs inte längre (beslutet är redan fattat)",
    RequestStatus.OPEN: "",
    RequestStatus.ANSWERED: "",
}
