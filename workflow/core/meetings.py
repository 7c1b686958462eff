"""Meetings: booked for every meeting step when the cycle opens (so the invitation goes out
with the opening), moved or cancelled by a person, with iCalendar SEQUENCE growing each time."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Person
from lofte.definitions.steps import AnyStep
from lofte.kernel import words
from lofte.kernel.errors import LofteError, MeetingCancelled, NotFound
from lofte.workflow.core.messages import meeting_message
from lofte.workflow.core.records import CycleInstance, Meeting, TimerKind
from lofte.workflow.core.step_times import StepTimes, meeting_times, step_times
from lofte.workflow.core.steps import cancel_chasing, move_step_times, step_timer_key
from lofte.workflow.core.work import Work


def book_meetings(work: Work, instance: CycleInstance, definition: CycleDefinition) -> None:
    """Book each meeting step of a newly opened cycle and invite its participants."""
    booked = []
    unit = work.unit_or_placeholder(instance.unit_id)
    for step in definition.meeting_steps():
        assert step.meeting is not None and instance.id is not None
        times = meeting_times(definition, step, instance.opens_at)
        assert times is not None
        roles = step.meeting.participants or step.asked_roles()
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
    """Move (keeping the length) or, with `starts_at` None, cancel a meeting, and what hangs on
    it: a moved meeting's step keeps its deadline (and so its reminders, escalation and late
    window) as far after the meeting as before; a cancelled meeting's step chases nobody. A
    move past the period's end, or one that would put the step's deadline in the past, is
    refused with the reason."""
    definition = work.definition_of(instance)
    meeting = _changeable(work, instance, step_id)
    step = definition.step(step_id)
    stage = _stage(definition, instance, step_id)
    times = (
        None
        if starts_at is None
        else _times_after_move(work, instance, definition, step_id, starts_at, stage)
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
    key = step_timer_key(work, instance, step, TimerKind.MEETING)
    work.uow.timers.move_pending(key, changed.starts_at if not changed.cancelled else None)
    if stage == "current":
        if times is not None:
            instance = move_step_times(work, instance, step, times)
        else:
            cancel_chasing(work, instance, step)
    send_meeting(work, instance, definition, step, changed, change)
    detail: dict[str, object] = {"step": step_id, "sequence": changed.sequence}
    detail["starts_at"] = changed.starts_at.isoformat()
    if times is not None:
        detail["step_deadline"] = times.deadline.isoformat()
    work.audit(instance, f"meeting_{change}", detail)
    return changed


def _changeable(work: Work, instance: CycleInstance, step_id: str) -> Meeting:
    """The step's meeting, locked, if it may still be moved or cancelled; the reason if not."""
    assert instance.id is not None
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
    return meeting


def _stage(definition: CycleDefinition, instance: CycleInstance, step_id: str) -> str:
    """Whether the meeting's step is the cycle's current step, still to come, or done."""
    if instance.state == step_id:
        return "current"
    order = [s.id for s in definition.steps]
    if instance.state in order and order.index(step_id) > order.index(instance.state):
        return "coming"
    return "done"


def _times_after_move(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    step_id: str,
    starts_at: datetime,
    stage: str,
) -> StepTimes | None:
    """The step's times with its meeting at `starts_at`; LofteError if the move is refused."""
    if starts_at <= work.now:
        raise LofteError(
            f"{words.moment(starts_at)} har redan passerat; ett möte kan bara flyttas till en "
            "senare tidpunkt"
        )
    if starts_at >= instance.ends_at:
        raise LofteError(
            f"mötet kan inte flyttas till {words.moment(starts_at)}: perioden "
            f"{instance.period_label} slutar {words.moment(instance.ends_at)}, då nästa period "
            "börjar; välj en tid före det"
        )
    if stage == "done":
        return None
    step = definition.step(step_id)
    times = step_times(definition, step, instance.opens_at, starts_at)
    if times.deadline <= work.now:
        raise LofteError(
            f"med mötet {words.moment(starts_at)} skulle tidsfristen för "
            f"”{step.title.sv}” bli {words.moment(times.deadline)}, som redan har passerat; "
            "välj en senare tid"
        )
    return times
