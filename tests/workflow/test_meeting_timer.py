"""A meeting's lägesbild is brought up to date when the meeting begins: moving the meeting
moves that moment, and cancelling it cancels the update."""

from __future__ import annotations

from datetime import timedelta

from lofte.workflow.core.payloads import StepPayload, read_payload
from lofte.workflow.core.records import Timer, TimerKind, TimerStatus
from tests.harness import Harness, utc


def pending_meeting_timer(h: Harness) -> Timer:
    """Run the example until a meeting whose lägesbild updates is booked and not yet held."""
    while h.clock.now() < utc(2027, 2, 1):
        found = [
            t for t in h.timers() if t.kind is TimerKind.MEETING and t.status is TimerStatus.PENDING
        ]
        if found:
            return found[0]
        h.run_until(h.clock.now() + timedelta(hours=6))
    raise AssertionError("no meeting with a lägesbild was booked in January")


def test_moving_a_meeting_moves_its_update_and_cancelling_cancels_it(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    timer = pending_meeting_timer(h)
    payload = read_payload(timer.kind, timer.payload)
    assert isinstance(payload, StepPayload)
    later = timer.due_at + timedelta(days=1, hours=2)
    moved = h.engine.move_meeting(timer.instance_id or 0, payload.step, later, "admin")
    assert moved.starts_at == later
    (now,) = [t for t in h.timers() if t.key == timer.key]
    assert now.due_at == later and now.status is TimerStatus.PENDING
    h.engine.cancel_meeting(timer.instance_id or 0, payload.step, "admin")
    (cancelled,) = [t for t in h.timers() if t.key == timer.key]
    assert cancelled.status is TimerStatus.CANCELLED
    h.run_until(later + timedelta(hours=1))
    (cycle,) = [c for c in h.cycles() if c.id == timer.instance_id]
    assert "context_refreshed" not in h.events(cycle)
