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


def input_request_message(
    definition: CycleDefinition,
    instance: CycleInstance,
    step: StepSpec,
    request: InputRequest,
    person: Person,
    now: datetime,
    answer_until: datetime,
) -> OutboxMessage:
    context = _cycle_context(definition, instance) | _step_context(definition, step, request)
    context["recipient_name"] = person.name
    context["answer_until"] = answer_until.isoformat()
    return OutboxMessage(
        key=f"request:{request.id}",
        kind=MessageKind.INPUT_REQUEST,
        person_id=person.id,
        recipient=person.email,
        language=person.language,
        created_at=now,
        context=context,
        instance_id=instance.id,
        request_id=request.id,
    )


def reminder_message(
    definition: CycleDefinition,
    instance: CycleInstance,
    step: StepSpec,
    request: InputRequest,
    person: Person,
    number: int,
    now: datetime,
    answer_until: datetime,
) -> OutboxMessage:
    context = _cycle_context(definition, instance) | _step_context(definition, step, request)
    context |= {
        "recipient_name": person.name,
        "reminder_number": number,
        "answer_until": answer_until.isoformat(),
    }
    return OutboxMessage(
        key=f"reminder:{request.id}:{number}",
        kind=MessageKind.REMINDER,
        person_id=person.id,
        recipient=person.email,
        language=person.language,
        created_at=now,
        context=context,
        instance_id=instance.id,
        request_id=request.id,
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
        "recipient_name": chief.name,
        "missing": [
            {"person_id": r.person_id, "person_name": name, "request_id": r.id}
            for r, name in missing
        ],
    }
    return OutboxMessage(
        key=f"escalation:{step_run.id}:{chief.id}",
        kind=MessageKind.ESCALATION,
        person_id=chief.id,
        recipient=chief.email,
        language=chief.language,
        created_at=now,
        context=context,
        instance_id=instance.id,
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
        "recipient_name": chair.name,
    }
    return OutboxMessage(
        key=f"summary:{instance.id}:{chair.id}",
        kind=MessageKind.CYCLE_SUMMARY,
        person_id=chair.id,
        recipient=chair.email,
        language=chair.language,
        created_at=now,
        context=context,
        instance_id=instance.id,
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
        "recipient_name": person.name,
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
    return OutboxMessage(
        key=f"meeting:{meeting.uid}:{meeting.sequence}:{person.id}",
        kind=MEETING_KINDS[change],
        person_id=person.id,
        recipient=person.email,
        language=person.language,
        created_at=now,
        context=context,
        instance_id=instance.id,
    )
