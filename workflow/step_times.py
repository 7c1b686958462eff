"""When a step's deadline, late window and reminders fall: pure functions of the definition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from definitions.schema import CycleDefinition, StepSpec
from workflow.cadence import localize
from workflow.workdays import next_working_moment


@dataclass(frozen=True)
class StepTimes:
    deadline: datetime
    late_until: datetime
    reminders: tuple[datetime, ...]
    escalation: datetime | None


def step_times(definition: CycleDefinition, step: StepSpec, cycle_opens_at: datetime) -> StepTimes:
    """Deadline = the cycle's opening + the step's offset, in local wall-clock time, moved to
    the next working day unless the step says `deadline_rule: exact`."""
    zone = ZoneInfo(definition.timezone)
    opening_local = cycle_opens_at.astimezone(zone).replace(tzinfo=None)
    deadline_local = step.deadline.add_to(opening_local)
    if step.deadline_rule == "next_working_day":
        deadline_local = next_working_moment(deadline_local)
    late_local = step.accept_late_for.add_to(deadline_local)
    reminders = tuple(
        sorted(_utc(r.negated().add_to(deadline_local), zone) for r in step.reminders)
    )
    escalation = None
    if step.escalation is not None:
        escalation = _utc(step.escalation.after.add_to(deadline_local), zone)
    return StepTimes(
        deadline=_utc(deadline_local, zone),
        late_until=_utc(late_local, zone),
        reminders=reminders,
        escalation=escalation,
    )


def meeting_start(
    definition: CycleDefinition, step: StepSpec, cycle_opens_at: datetime
) -> datetime | None:
    if step.meeting is None:
        return None
    zone = ZoneInfo(definition.timezone)
    opening_local = cycle_opens_at.astimezone(zone).replace(tzinfo=None)
    return _utc(step.meeting.starts.add_to(opening_local), zone)


def _utc(local: datetime, zone: ZoneInfo) -> datetime:
    return localize(local, zone).astimezone(UTC)
