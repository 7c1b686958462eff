"""Moving or cancelling a meeting moves or cancels what hangs on it: the decision taken at a
meeting keeps its deadline (and reminders, escalation, late window) as far after the meeting
as the definition puts it; a cancelled meeting's step chases nobody; a move that would leave
the period or put the deadline in the past is refused with the reason, and nothing changes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lofte.kernel.errors import LofteError
from lofte.kernel.timerules import STOCKHOLM
from lofte.workflow.core.records import CycleInstance, Meeting, TimerKind, TimerStatus
from lofte.workflow.core.step_times import step_times
from tests.harness import Harness, utc

WEEK = timedelta(days=7)


def a_week_later(moment: datetime) -> datetime:
    """The same Stockholm wall-clock time a week later (summer time may begin in between)."""
    return moment.astimezone(STOCKHOLM) + WEEK


def booked(h: Harness, definition: str, unit: str = "sala") -> tuple[CycleInstance, Meeting]:
    """Run until `definition`'s first cycle in `unit` is open with its meeting booked."""
    while h.clock.now() < utc(2027, 6, 1):
        for cycle in h.cycles(definition, unit):
            meetings = h.read_model().meetings_of_cycle(cycle.id or 0)
            if meetings and meetings[0].starts_at > h.clock.now() + timedelta(hours=2):
                return cycle, meetings[0]
        h.run_until(h.clock.now() + timedelta(hours=6))
    raise AssertionError(f"no {definition} meeting booked")


def until_its_turn(h: Harness, cycle: CycleInstance, meeting: Meeting) -> CycleInstance:
    """Run until the meeting's step is the cycle's current one (before the meeting)."""
    while h.clock.now() < meeting.starts_at - timedelta(hours=1):
        current = h.cycle(cycle.definition_name, cycle.unit_id, cycle.period_key)
        if current.state == meeting.step_id:
            return current
        h.run_until(h.clock.now() + timedelta(hours=1))
    raise AssertionError(f"{meeting.step_id} did not open before its meeting")


def pending(h: Harness, cycle: CycleInstance, step: str, kind: TimerKind) -> list[datetime]:
    return sorted(
        t.due_at
        for t in h.timers("pending")
        if t.instance_id == cycle.id and t.kind is kind and f"/{step}:" in t.key
    )


def test_a_meeting_moved_before_its_step_opens_moves_the_decision_deadline(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    cycle, meeting = booked(h, "inriktningsbeslut")
    assert cycle.state != meeting.step_id  # the analysis comes first
    h.engine.move_meeting(cycle.id or 0, meeting.step_id, meeting.starts_at + WEEK, "admin")
    h.run_until(meeting.starts_at)  # where the meeting was: its step has opened meanwhile
    moved = h.cycle("inriktningsbeslut", "sala", cycle.period_key)
    assert moved.state == meeting.step_id
    (request,) = h.requests(moved, meeting.step_id)
    assert request.deadline_at == a_week_later(_planned_deadline(h, cycle, meeting.step_id))
    assert moved.step_deadline_at == request.deadline_at


def test_a_meeting_moved_during_its_step_moves_the_deadline_reminders_and_the_cycle_waits(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    cycle, meeting = booked(h, "inriktningsbeslut")
    step = meeting.step_id
    current = until_its_turn(h, cycle, meeting)  # the analysis is over: the decision's turn
    (request,) = h.requests(current, step)
    deadline, reminders = request.deadline_at, pending(h, current, step, TimerKind.REMINDER)
    h.engine.move_meeting(cycle.id or 0, step, meeting.starts_at + WEEK, "admin")
    (moved,) = h.requests(current, step)
    assert moved.deadline_at == a_week_later(deadline)
    assert pending(h, current, step, TimerKind.DEADLINE) == [a_week_later(deadline)]
    assert pending(h, current, step, TimerKind.REMINDER) == [a_week_later(r) for r in reminders]
    h.run_until(deadline + timedelta(hours=1))  # the old deadline passes: nothing closes
    assert h.cycle("inriktningsbeslut", "sala", cycle.period_key).state == step
    assert not [m for m in h.outbox("reminder") if f"{cycle.key}/{step}/" in m.key]


def test_a_move_past_the_period_or_the_deadline_is_refused_and_nothing_changes(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    cycle, meeting = booked(h, "est-mote")
    with pytest.raises(LofteError, match=r"perioden v\. .* slutar"):
        h.engine.move_meeting(cycle.id or 0, meeting.step_id, cycle.ends_at, "admin")
    with pytest.raises(LofteError, match="redan"):
        h.engine.move_meeting(cycle.id or 0, meeting.step_id, h.clock.now(), "admin")
    (unchanged,) = h.read_model().meetings_of_cycle(cycle.id or 0)
    assert unchanged == meeting
    assert "meeting_update" not in h.events(cycle)


def test_a_cancelled_meeting_chases_nobody_for_its_decision(memory_harness: Harness) -> None:
    h = memory_harness
    cycle, meeting = booked(h, "inriktningsbeslut")
    step = meeting.step_id
    until_its_turn(h, cycle, meeting)
    assert pending(h, cycle, step, TimerKind.REMINDER)
    h.engine.cancel_meeting(cycle.id or 0, step, "admin")
    assert pending(h, cycle, step, TimerKind.REMINDER) == []
    assert [
        t
        for t in h.timers()
        if t.instance_id == cycle.id
        and t.kind is TimerKind.ESCALATION
        and t.status is TimerStatus.PENDING
    ] == []
    h.run_until(meeting.starts_at + timedelta(days=30))
    assert not [m for m in h.outbox("reminder") if f"{cycle.key}/{step}/" in m.key]
    assert h.cycle("inriktningsbeslut", "sala", cycle.period_key).closed_at is not None


def _planned_deadline(h: Harness, cycle: CycleInstance, step_id: str) -> datetime:
    """The step's deadline as the unit's definition puts it, with the meeting where it was."""
    definition = h.app().definition_of(cycle)
    return step_times(definition, definition.step(step_id), cycle.opens_at).deadline
