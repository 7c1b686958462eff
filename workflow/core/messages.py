"""Outbox messages the engine writes, built from records in the recipient's language.

Only definitions and non-sensitive data go into a context; the content of sensitive fields
never does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Person
from lofte.definitions.steps import AnyStep
from lofte.workflow.core.answers import asked_fields
from lofte.workflow.core.cadence import label_of_key
from lofte.workflow.core.display import about_line, shown_fields
from lofte.workflow.core.message_types import (
    RECIPIENT_NAME,
    ActionMessage,
    CycleRef,
    DecisionMessage,
    EscalationMessage,
    MeetingMessage,
    MessageContext,
    RequestMessage,
    SummaryMessage,
    dump_message,
)
from lofte.workflow.core.promise_in_force import names_promise, promise_words
from lofte.workflow.core.records import (
    Action,
    CompletionRecord,
    CycleInstance,
    InputRequest,
    Meeting,
    MessageKind,
    OutboxMessage,
    RequestStatus,
)
from lofte.workflow.core.work import Work

ACTION_KINDS = {
    "insats": ("insats", "intervention"),
    "tidig_insats": ("tidig insats", "early intervention"),
    "atagande": ("åtagande", "commitment"),
}
MEETING_KINDS = {
    "invite": MessageKind.MEETING_INVITE,
    "update": MessageKind.MEETING_UPDATE,
    "cancel": MessageKind.MEETING_CANCEL,
}


def cycle_ref(
    work: Work, instance: CycleInstance, definition: CycleDefinition, language: str
) -> CycleRef:
    return CycleRef(
        definition=definition.name,
        unit_id=instance.unit_id,
        unit_name=work.unit_or_placeholder(instance.unit_id).name,
        title=definition.title.get(language),
        short_title=definition.display_title(language),
        period_label=label_of_key(instance.period_key, language),
        instance_key=instance.key,
        instance_id=instance.id or 0,
        timezone=definition.timezone,
        promise=(
            promise_words(work.directory, instance.unit_id, instance.period_key, language)
            if names_promise(definition)
            else ""
        ),
    )


def addressed(
    work: Work,
    key: str,
    kind: MessageKind,
    person: Person,
    context: MessageContext,
    *,
    unit_id: str = "",
    instance: CycleInstance | None = None,
    request_id: int | None = None,
    valid_until: datetime | None = None,
) -> OutboxMessage:
    return addressed_at(
        work.now,
        key,
        kind,
        person,
        context,
        unit_id=instance.unit_id if instance is not None else unit_id,
        instance_id=None if instance is None else instance.id,
        request_id=request_id,
        valid_until=valid_until,
    )


def addressed_at(
    now: datetime,
    key: str,
    kind: MessageKind,
    person: Person,
    context: MessageContext,
    *,
    unit_id: str = "",
    instance_id: int | None = None,
    request_id: int | None = None,
    valid_until: datetime | None = None,
) -> OutboxMessage:
    """An outbox message to `person`, written at `now` (delivery's own messages use it too)."""
    return OutboxMessage(
        key=key,
        kind=kind,
        person_id=person.id,
        recipient=person.email,
        language=person.language,
        created_at=now,
        context=dump_message(context) | {RECIPIENT_NAME: person.name},
        unit_id=unit_id,
        instance_id=instance_id,
        request_id=request_id,
        valid_until=valid_until,
    )


def request_message(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    step: AnyStep,
    request: InputRequest,
    person: Person,
    *,
    reminder_number: int = 0,
    meeting: dict[str, Any] | None = None,
    has_context: bool = False,
) -> OutboxMessage:
    """The request for an input; with `reminder_number`, a reminder of it."""
    lang = person.language
    context = RequestMessage(
        cycle=cycle_ref(work, instance, definition, lang),
        step_id=step.id,
        step_title=step.title.get(lang),
        purpose=step.purpose.get(lang),
        deadline=request.deadline_at.isoformat(),
        answer_until=request.late_until.isoformat(),
        request_id=request.id or 0,
        fields=asked_fields(step, request.roles, lang),
        about=_about(request, lang),
        reminder_number=reminder_number,
        meeting=meeting,
        has_context=has_context,
        step_kind=step.kind,
        decision_title=definition.decision_name(step, lang) if step.records_decision else "",
        meeting_title=definition.meeting_name(step, lang) if step.meeting else "",
    )
    kind = MessageKind.REMINDER if reminder_number else MessageKind.INPUT_REQUEST
    return addressed(
        work,
        work.keys.message(request.key, kind.value, person.id, reminder_number),
        kind,
        person,
        context,
        instance=instance,
        request_id=request.id,
        valid_until=request.deadline_at if reminder_number else request.late_until,
    )


def _about(request: InputRequest, language: str) -> dict[str, Any] | None:
    subject = request.subject
    if not subject:
        return None
    values = subject.get("values", [])
    return {
        "title": subject.get("title_en" if language == "en" else "title", subject.get("title", "")),
        "values": [[v.get(language, v.get("sv", "")) for v in pair] for pair in values],
    }


def escalation_message(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    step: AnyStep,
    missing: list[str],
    chief: Person,
) -> OutboxMessage:
    lang = chief.language
    context = EscalationMessage(
        cycle=cycle_ref(work, instance, definition, lang),
        step_title=step.title.get(lang),
        deadline=(instance.step_deadline_at or work.now).isoformat(),
        missing=missing,
    )
    step_key = work.keys.step(instance.key, instance.unit_id, step.id)
    return addressed(
        work,
        work.keys.message(step_key, "escalation", chief.id),
        MessageKind.ESCALATION,
        chief,
        context,
        instance=instance,
        valid_until=instance.step_late_until,
    )


def summary_message(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    record: CompletionRecord,
    chair: Person,
    requests: Sequence[InputRequest] = (),
) -> OutboxMessage:
    """The chair's summary: the outcome, every answer that came in and every one missing
    (who, for which step and about what), and what was decided (`requests` are the cycle's)."""
    lang = chair.language

    def line(request: InputRequest) -> dict[str, Any]:
        return {
            "name": work.directory.name_of(request.person_id),
            "step_title": definition.step(request.step_id).title.get(lang),
            "about": about_line(request.subject, lang),
            "late": request.late,
        }

    answered = [r for r in requests if r.status is RequestStatus.ANSWERED]
    missing = [r for r in requests if r.status is RequestStatus.MISSING]
    decision = _decision_of(definition, answered)
    context = SummaryMessage(
        cycle=cycle_ref(work, instance, definition, lang),
        outcome=record.outcome.value,
        missing=[line(r) | {"late": False} for r in missing]
        or [
            {"name": str(m["person_name"]), "step_title": str(m["step_title"]), "about": ""}
            for m in record.missing
        ],
        late_inputs=record.late_inputs,
        definite_title=definition.definite_title(lang),
        gender=definition.names.gender,
        received=[line(r) for r in answered],
        decision_title=(
            definition.decision_name(definition.step(decision.step_id), lang) if decision else ""
        ),
        decided=_decided(work, definition, decision, lang),
    )
    cycle_key = work.keys.step(instance.key, instance.unit_id, "summary")
    return addressed(
        work,
        work.keys.message(cycle_key, "summary", chair.id),
        MessageKind.CYCLE_SUMMARY,
        chair,
        context,
        instance=instance,
    )


def _decided(
    work: Work, definition: CycleDefinition, decision: InputRequest | None, lang: str
) -> list[dict[str, Any]]:
    """The decision's fields in words, for the summary (none when nothing was decided)."""
    if decision is None:
        return []
    fields = definition.step(decision.step_id).fields
    return [
        _in_language(f, lang) for f in shown_fields(fields, decision.answer or {}, work.directory)
    ]


def meeting_message(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    step: AnyStep,
    meeting: Meeting,
    person: Person,
    organizer: Person | None,
    change: str,
) -> OutboxMessage:
    """An invitation, an update (higher SEQUENCE) or a cancellation."""
    lang = person.language
    context = MeetingMessage(
        cycle=cycle_ref(work, instance, definition, lang),
        meeting_title=definition.meeting_name(step, lang),
        step_title=step.title.get(lang),
        purpose=step.purpose.get(lang),
        uid=meeting.uid,
        sequence=meeting.sequence,
        starts_at=meeting.starts_at.isoformat(),
        ends_at=meeting.ends_at.isoformat(),
        location=meeting.location,
        organizer_name=organizer.name if organizer else "Löfte",
        organizer_email=organizer.email if organizer else "",
        change=change,
    )
    kind = MEETING_KINDS[change]
    return addressed(
        work,
        work.keys.message(
            f"{work.keys.step(instance.key, instance.unit_id, step.id)}/meeting#{meeting.sequence}",
            kind.value,
            person.id,
        ),
        kind,
        person,
        context,
        instance=instance,
        valid_until=meeting.starts_at if change != "cancel" else meeting.ends_at,
    )


def action_message(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    action: Action,
    owner: Person,
) -> OutboxMessage:
    lang = owner.language
    sv, en = ACTION_KINDS.get(action.kind, (action.kind, action.kind))
    context = ActionMessage(
        cycle=cycle_ref(work, instance, definition, lang),
        action_kind=en if lang == "en" else sv,
        what=action.what,
        place=action.place,
        due=action.due_date.isoformat() if action.due_date else "",
        decided_in=action.source_label,
        kind=action.kind,
        action_id=action.id or 0,
    )
    return addressed(
        work,
        work.keys.message(action.key, "assigned", owner.id),
        MessageKind.ACTION_ASSIGNED,
        owner,
        context,
        instance=instance,
    )


def decision_message(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    step: AnyStep,
    fields: list[dict[str, Any]],
    person: Person,
    reason: str,
) -> OutboxMessage:
    lang = person.language
    shown = [_in_language(f, lang) for f in fields]
    context = DecisionMessage(
        cycle=cycle_ref(work, instance, definition, lang),
        step_title=step.title.get(lang),
        fields=shown,
        reason=reason,
        decision_title=definition.decision_name(step, lang),
    )
    step_key = work.keys.step(instance.key, instance.unit_id, step.id)
    return addressed(
        work,
        work.keys.message(step_key, "decision", person.id),
        MessageKind.DECISION,
        person,
        context,
        instance=instance,
    )


def _decision_of(
    definition: CycleDefinition, answered: Sequence[InputRequest]
) -> InputRequest | None:
    """The answer of the cycle's last decision step that was answered."""
    for step in reversed(definition.steps):
        if step.records_decision:
            found = [r for r in answered if r.step_id == step.id]
            if found:
                return found[-1]
    return None


def _in_language(shown: dict[str, Any], lang: str) -> dict[str, Any]:
    """A shown field ({label: {sv, en}, value | rows}) with texts in one language."""
    out: dict[str, Any] = {"label": shown["label"]["en" if lang == "en" else "sv"]}
    if "rows" in shown:
        out["rows"] = [[_in_language(cell, lang) for cell in row] for row in shown["rows"]]
    else:
        out["value"] = shown["value"][lang if lang == "en" else "sv"]
    return out
