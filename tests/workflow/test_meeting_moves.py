"""Moving or cancelling a meeting moves or cancels what hangs on it: the decision taken at a
meeting keeps its deadline (and reminders, escalation, late window) as far after the meeting
as the definition puts it; a cancelled meeting's step chases nobody; a move that would leave
the period or put the deadline in the past is refused with the reason, and nothing changes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from storage.read_model import SqlReadModel
from tests.harness import Harness, utc
from workflow.core.records import CycleInstance, Meeting, TimerKind, TimerStatus
from workflow.core.step_times import step_times
from workflow.kernel.errors import LofteError

WEEK = timedelta(days=7)


def booked(h: Harness, definition: str, unit: str = "sala") -> tuple[CycleInstance, Meeting]:
    """Run until `definition`'s first cycle in `unit` is open with its meeting booked."""
    while h.clock.now() < utc(2027, 6, 1):
        for cycle in h.cycles(definition, unit):
            meetings = SqlReadModel(h.store.engine).meetings_of_cycle(cycle.id or 0)
            if meetings and meetings[0].starts_at > h.clock.now() + timedelta(hours=2):
                return cycle, meetings[0]
        h.run_until(h.clock.now() + timedelta(hours=6))
    raise AssertionError(f"no {definition} meeting booked")


def pending(h: Harness, cycle: CycleInstance, step: str, kind: TimerKind) -> list[datetime]:
    return sorted(
        t.due_at
        for t in h.timers("pending")
        if t.instance_id == cycle.id and t.kind is kind and f"/{step}:" in t.key
    )


def test_a_meeting_moved_before_its_step_opens_moves_the_decision_deadline(
    sqlite_harness: Harness,
) -> None:
    h = sqlite_harness
    cycle, meeting = booked(h, "inriktningsbeslut")
    assert cycle.state != meeting.step_id  # the analysis comes first
    h.engine.move_meeting(cycle.id or 0, meeting.step_id, meeting.starts_at + WEEK, "admin")
    h.run_until(meeting.starts_at)  # where the meeting was: its step has opened meanwhile
    moved = h.cycle("inriktningsbeslut", "sala", cycle.period_key)
    assert moved.state == meeting.step_id
    (request,) = h.requests(moved, meeting.step_id)
    assert request.deadline_at == _planned_deadline(h, cycle, meeting.step_id) + WEEK
    assert moved.step_deadline_at == request.deadline_at


def test_a_meeting_moved_during_its_step_moves_the_deadline_reminders_and_the_cycle_waits(
    sqlite_harness: Harness,
) -> None:
    h = sqlite_harness
    cycle, meeting = booked(h, "inriktningsbeslut")
    step = meeting.step_id
    h.run_until(meeting.starts_at - timedelta(days=2))  # the analysis is over: the decision's turn
    current = h.cycle("inriktningsbeslut", "sala", cycle.period_key)
    assert current.state == step
    (request,) = h.requests(current, step)
    deadline, reminders = request.deadline_at, pending(h, current, step, TimerKind.REMINDER)
    h.engine.move_meeting(cycle.id or 0, step, meeting.starts_at + WEEK, "admin")
    (moved,) = h.requests(current, step)
    assert moved.deadline_at == deadline + WEEK
    assert pending(h, current, step, TimerKind.DEADLINE) == [deadline + WEEK]
    assert pending(h, current, step, TimerKind.REMINDER) == [r + WEEK for r in reminders]
    h.run_until(deadline + timedelta(hours=1))  # the old deadline passes: nothing closes
    assert h.cycle("inriktningsbeslut", "sala", cycle.period_key).state == step
    assert not [m for m in h.outbox("reminder") if f"{cycle.key}/{step}/" in m.key]


def test_a_move_past_the_period_or_the_deadline_is_refused_and_nothing_changes(
    sqlite_harness: Harness,
) -> None:
    h = sqlite_harness
    cycle, meeting = booked(h, "est-mote")
    with pytest.raises(LofteError, match=r"perioden v\. .* slutar"):
        h.engine.move_meeting(cycle.id or 0, meeting.step_id, cycle.ends_at, "admin")
    with pytest.raises(LofteError, match="redan"):
        h.engine.move_meeting(cycle.id or 0, meeting.step_id, h.clock.now(), "admin")
    (unchanged,) = SqlReadModel(h.store.engine).meetings_of_cycle(cycle.id or 0)
    assert unchanged == meeting
    assert "meeting_update" not in h.events(cycle)


def test_a_cancelled_meeting_chases_nobody_for_its_decision(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    cycle, meeting = booked(h, "inriktningsbeslut")
    step = meeting.step_id
    h.run_until(meeting.starts_at - timedelta(days=2))
    assert h.cycle("inriktningsbeslut", "sala", cycle.period_key).state == step
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
    """The step's deadline as the definition puts it, with the meeting where it was booked."""
    definition = next(
        source.definition
        for source in h.bundle.definitions
        if source.definition.name == cycle.definition_name
    )
    return step_times(definition, definition.step(step_id), cycle.opens_at).deadline
