"""Meetings: booked for every meeting step when the cycle opens (so the invitation goes out
with the opening), moved or cancelled by a person, with iCalendar SEQUENCE growing each time."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from definitions.cycle import CycleDefinition
from definitions.directory import Person
from definitions.steps import AnyStep, asked_roles
from workflow.core.messages import meeting_message
from workflow.core.records import CycleInstance, Meeting, TimerKind
from workflow.core.step_times import meeting_times
from workflow.core.work import Work
from workflow.kernel.errors import LofteError, MeetingCancelled, NotFound


def book_meetings(work: Work, instance: CycleInstance, definition: CycleDefinition) -> None:
    """Book each meeting step of a newly opened cycle and invite its participants."""
    booked = []
    unit = work.unit_or_placeholder(instance.unit_id)
    for step in definition.meeting_steps():
        assert step.meeting is not None and instance.id is not None
        times = meeting_times(definition, step, instance.opens_at)
        assert times is not None
        roles = step.meeting.participants or asked_roles(step)
        invited = dict.fromkeys(
            person.id for role in roles for person, _ in work.directory.holders_for(role, unit)
        )
        meeting = Meeting(
            uid=work.keys.meeting_uid(instance.key, instance.unit_id, step.id),
            instance_id=instance.id,
            unit_id=instance.unit_id,
            step_id=step.id,
            starts_at=times.starts_at,
            ends_at=times.ends_at,
            location=step.meeting.location or unit.location,
            participants=tuple(invited),
        )
        booked.append(meeting)
        send_meeting(work, instance, definition, step, meeting, "invite")
        work.audit(
            instance,
            "meeting_booked",
            {
                "step": step.id,
                "uid": meeting.uid,
                "starts_at": meeting.starts_at.isoformat(),
                "location": meeting.location,
                "participants": list(meeting.participants),
            },
        )
    if booked:
        work.uow.meetings.add_many(booked)


def send_meeting(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    step: AnyStep,
    meeting: Meeting,
    change: str,
) -> None:
    unit = work.unit_or_placeholder(instance.unit_id)
    chairs = work.directory.holders_for(definition.chair_role, unit)
    organizer: Person | None = chairs[0][0] if chairs else None
    for person_id in meeting.participants:
        person = work.person(person_id)
        if person is not None:  # people who left since the booking get nothing
            work.send(
                meeting_message(
                    work, instance, definition, step, meeting, person, organizer, change
                )
            )


def change_meeting(
    work: Work, instance: CycleInstance, step_id: str, starts_at: datetime | None
) -> Meeting:
    """Move (keeping the length) or, with `starts_at` None, cancel a meeting."""
    assert instance.id is not None
    definition = work.definition_of(instance)
    meeting = work.uow.meetings.get(instance.id, step_id, lock=True)
    if meeting is None:
        raise NotFound("möte", f"{step_id} i cykeln {instance.key}")
    if meeting.cancelled:
        raise MeetingCancelled(meeting.uid)
    if meeting.starts_at <= work.now or instance.closed_at is not None:
        raise LofteError(
            "mötet har redan börjat eller hållits, eller dess cykel är avslutad; det går inte "
            "att flytta eller ställa in i efterhand"
        )
    if starts_at is None:
        changed = dataclasses.replace(meeting, cancelled=True, sequence=meeting.sequence + 1)
        change = "cancel"
    else:
        length = meeting.ends_at - meeting.starts_at
        changed = dataclasses.replace(
            meeting, starts_at=starts_at, ends_at=starts_at + length, sequence=meeting.sequence + 1
        )
        change = "update"
    work.uow.meetings.save(changed)
    # The lägesbild is brought up to date when the meeting begins: at its new time, or never.
    key = work.keys.step_timer(instance.key, instance.unit_id, step_id, TimerKind.MEETING.value, 0)
    work.uow.timers.move_pending(key, changed.starts_at if not changed.cancelled else None)
    send_meeting(work, instance, definition, definition.step(step_id), changed, change)
    work.audit(
        instance,
        f"meeting_{change}",
        {"step": step_id, "sequence": changed.sequence, "starts_at": changed.starts_at.isoformat()},
    )
    return changed
