"""The messages the engine asks to have sent, as outbox records.

A message's context is built from the definition and from non-sensitive data only: labels,
deadlines, the item a request is about. The content of sensitive fields never enters it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from definitions.schema import CycleDefinition, Person, StepSpec
from workflow.answers import fields_for
from workflow.records import (
    CompletionRecord,
    CycleInstance,
    InputRequest,
    Meeting,
    MessageKind,
    OutboxMessage,
    StepRun,
)


def _cycle_context(definition: CycleDefinition, instance: CycleInstance) -> dict[str, Any]:
    return {
        "cycle": definition.name,
        "cycle_title": definition.title,
        "cycle_short_title": definition.display_title,
        "period_key": instance.period_key,
        "period_label": instance.period_label,
        "instance_id": instance.id,
        "timezone": definition.timezone,
    }


def _local(moment: datetime, definition: CycleDefinition) -> str:
    return moment.astimezone(ZoneInfo(definition.timezone)).isoformat(timespec="minutes")


def _step_context(
    definition: CycleDefinition, step: StepSpec, request: InputRequest
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "step": step.id,
        "step_title": step.title,
        "purpose": step.purpose,
        "deadline": _local(request.deadline_at, definition),
        "request_id": request.id,
        "roles": list(request.roles),
        "fields": [
            {"id": f.id, "label": f.label, "type": f.type.value, "required": f.required}
            for f in fields_for(step, request.roles)
        ],
        "subject": request.subject,
    }
    context["meeting_step"] = step.meeting is not None
    return context


def _addressed(
    key: str,
    kind: MessageKind,
    person: Person,
    now: datetime,
    context: dict[str, Any],
    instance: CycleInstance,
    request: InputRequest | None = None,
) -> OutboxMessage:
    return OutboxMessage(
        key=key,
        kind=kind,
        person_id=person.id,
        recipient=person.email,
        language=person.language,
        created_at=now,
        context=context | {"recipient_name": person.name},
        instance_id=instance.id,
        request_id=None if request is None else request.id,
    )


def input_request_message(
    definition: CycleDefinition,
    instance: CycleInstance,
    step: StepSpec,
    request: InputRequest,
    person: Person,
    now: datetime,
    answer_until: datetime,
    reminder_number: int | None = None,
) -> OutboxMessage:
    """The request for an input, or (with `reminder_number`) a reminder of it."""
    context = _cycle_context(definition, instance) | _step_context(definition, step, request)
    context["answer_until"] = answer_until.isoformat()
    if reminder_number is None:
        return _addressed(
            f"request:{request.id}",
            MessageKind.INPUT_REQUEST,
            person,
            now,
            context,
            instance,
            request,
        )
    context["reminder_number"] = reminder_number
    return _addressed(
        f"reminder:{request.id}:{reminder_number}",
        MessageKind.REMINDER,
        person,
        now,
        context,
        instance,
        request,
    )


def escalation_message(
    definition: CycleDefinition,
    instance: CycleInstance,
    step: StepSpec,
    step_run: StepRun,
    missing: Sequence[tuple[InputRequest, str]],
    chief: Person,
    now: datetime,
) -> OutboxMessage:
    context = _cycle_context(definition, instance) | {
        "step": step.id,
        "step_title": step.title,
        "deadline": _local(step_run.deadline_at, definition),
        "missing": [
            {"person_id": r.person_id, "person_name": name, "request_id": r.id}
            for r, name in missing
        ],
    }
    return _addressed(
        f"escalation:{step_run.id}:{chief.id}",
        MessageKind.ESCALATION,
        chief,
        now,
        context,
        instance,
    )


def summary_message(
    definition: CycleDefinition,
    instance: CycleInstance,
    record: CompletionRecord,
    chair: Person,
    now: datetime,
) -> OutboxMessage:
    context = _cycle_context(definition, instance) | {
        "outcome": record.outcome.value,
        "final_state": record.final_state,
        "missing": list(record.missing),
        "late_inputs": record.late_inputs,
    }
    return _addressed(
        f"summary:{instance.id}:{chair.id}",
        MessageKind.CYCLE_SUMMARY,
        chair,
        now,
        context,
        instance,
    )


MEETING_KINDS = {
    "invite": MessageKind.MEETING_INVITE,
    "update": MessageKind.MEETING_UPDATE,
    "cancel": MessageKind.MEETING_CANCEL,
}


def meeting_message(
    definition: CycleDefinition,
    instance: CycleInstance,
    step: StepSpec,
    meeting: Meeting,
    person: Person,
    organizer: Person,
    change: str,
    now: datetime,
) -> OutboxMessage:
    """An invitation, an update (higher SEQUENCE) or a cancellation of a meeting step."""
    context = _cycle_context(definition, instance) | {
        "step": step.id,
        "step_title": step.title,
        "purpose": step.purpose,
        "meeting": {
            "uid": meeting.uid,
            "sequence": meeting.sequence,
            "starts_at": meeting.starts_at.isoformat(),
            "ends_at": meeting.ends_at.isoformat(),
            "start": _local(meeting.starts_at, definition),
            "end": _local(meeting.ends_at, definition),
            "location": meeting.location,
            "organizer_name": organizer.name,
            "organizer_email": organizer.email,
            "attendees": list(meeting.participants),
        },
    }
    return _addressed(
        f"meeting:{meeting.uid}:{meeting.sequence}:{person.id}",
        MEETING_KINDS[change],
        person,
        now,
        context,
        instance,
    )
