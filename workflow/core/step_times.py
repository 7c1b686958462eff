"""When a step's deadline, late window, reminders, escalation and meeting fall: pure functions
of the (effective) definition and the cycle's opening, in local wall-clock time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.steps import AnyStep
from lofte.kernel.timerules import localize, next_working_moment, wall_clock, zone


@dataclass(frozen=True)
class StepTimes:
    deadline: datetime
    late_until: datetime
    reminders: tuple[datetime, ...]
    escalation: datetime | None


@dataclass(frozen=True)
class MeetingTimes:
    starts_at: datetime
    ends_at: datetime


def step_times(
    definition: CycleDefinition,
    step: AnyStep,
    cycle_opens_at: datetime,
    meeting_starts_at: datetime | None = None,
) -> StepTimes:
    """Deadline = the cycle's opening + the step's offset in local wall-clock time, moved to the
    next working day unless the step says `deadline_rule: exact`. A meeting step whose meeting
    was moved (`meeting_starts_at`, the booked start) keeps its deadline as far after the
    meeting as the definition puts it: the deadline moves by as much wall-clock time as the
    meeting did. Reminders, escalation and the late window follow the deadline."""
    tz = zone(definition.timezone)
    deadline_local = step.deadline.add_to(wall_clock(cycle_opens_at, tz))
    if step.deadline_rule == "next_working_day":
        deadline_local = next_working_moment(deadline_local)
    planned = meeting_times(definition, step, cycle_opens_at)
    if planned is not None and meeting_starts_at is not None:
        moved = wall_clock(meeting_starts_at, tz) - wall_clock(planned.starts_at, tz)
        if moved:
            deadline_local += moved
            if step.deadline_rule == "next_working_day":
                deadline_local = next_working_moment(deadline_local)
    late_local = step.accept_late_for.add_to(deadline_local)
    reminders = tuple(
        sorted(_utc(r.negated().add_to(deadline_local), definition) for r in step.reminders)
    )
    escalation = None
    if step.escalation is not None:
        escalation = _utc(step.escalation.after.add_to(deadline_local), definition)
    return StepTimes(
        deadline=_utc(deadline_local, definition),
        late_until=_utc(late_local, definition),
        reminders=reminders,
        escalation=escalation,
    )


def meeting_times(
    definition: CycleDefinition, step: AnyStep, cycle_opens_at: datetime
) -> MeetingTimes | None:
    """A meeting step's start (moved off weekends and holidays unless `rule: exact`) and end."""
    if step.meeting is None:
        return None
    tz = zone(definition.timezone)
    start_local = step.meeting.starts.add_to(wall_clock(cycle_opens_at, tz))
    if step.meeting.rule == "next_working_day":
        start_local = next_working_moment(start_local)
    end_local = step.meeting.length.add_to(start_local)
    return MeetingTimes(_utc(start_local, definition), _utc(end_local, definition))


def _utc(local: datetime, definition: CycleDefinition) -> datetime:
    return localize(local, zone(definition.timezone)).astimezone(UTC)
