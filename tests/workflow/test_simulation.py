"""The simulation's delivery rhythm: with an interval, email goes out as a delivery job every
N minutes would send it (at the first whole interval after a change, never before the change
and never more than one interval after it); without one, after every moment."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lofte.workflow.core.records import RequestStatus
from lofte.workflow.drivers.simulation import Simulation
from tests.harness import Harness, utc


def deliveries(h: Harness, every: timedelta) -> tuple[list[datetime], list[datetime]]:
    """When delivery ran, and when the engine changed something (timers fired, answers)."""
    ran: list[datetime] = []
    simulation = Simulation(
        h.app(),
        h.clock,
        response_rate=0.9,
        seed=4,
        after_moment=lambda: ran.append(h.clock.now()),
        deliver_every=every,
    )
    changes: list[datetime] = []
    real_submit, real_run_due = h.engine.submit, h.engine.run_due

    def submit(*args, **kwargs):  # type: ignore[no-untyped-def]
        changes.append(h.clock.now())
        return real_submit(*args, **kwargs)

    def run_due(*args, **kwargs):  # type: ignore[no-untyped-def]
        fired = real_run_due(*args, **kwargs)
        if fired:
            changes.append(h.clock.now())
        return fired

    h.engine.submit, h.engine.run_due = submit, run_due  # type: ignore[method-assign]
    report = simulation.run_until(utc(2027, 1, 18))
    assert report.answers > 20 and report.timers_fired > 20
    return ran, changes


@pytest.mark.parametrize("minutes", [5, 60])
def test_email_goes_out_within_one_interval_of_each_change(
    memory_harness: Harness, minutes: int
) -> None:
    h = memory_harness
    h.clock.set(utc(2027, 1, 4))
    every = timedelta(minutes=minutes)
    ran, changes = deliveries(h, every)
    for moment in ran[:-1]:  # the last run is at the end of the simulation
        assert moment.timestamp() % every.total_seconds() == 0
    for change in changes:
        after = [m for m in ran if m >= change]
        assert after and after[0] - change <= every  # nobody waits longer than an interval
    assert len(ran) <= len(changes) + 1  # never a delivery without a change before it
    if minutes == 60:
        assert len(ran) < len(changes)  # changes inside one interval share a delivery


def test_without_an_interval_email_goes_out_after_every_moment(memory_harness: Harness) -> None:
    h = memory_harness
    h.clock.set(utc(2027, 1, 4))
    ran, changes = deliveries(h, timedelta(0))
    assert sorted(set(changes)) == sorted(set(ran[:-1]))


def test_every_request_made_is_planned_and_answered_when_everyone_answers(
    memory_harness: Harness,
) -> None:
    # Requests are looked for only when one newer than those planned exists: none may be
    # missed, whether a timer or an answer made it.
    h = memory_harness
    h.clock.set(utc(2027, 1, 4))
    simulation = Simulation(
        h.app(),
        h.clock,
        response_rate=1.0,
        late_share=0.0,
        seed=7,
    )
    end = utc(2027, 1, 25)
    report = simulation.run_until(end)
    made = [r for c in h.cycles() for r in h.requests(c)]
    closed = [r for r in made if r.deadline_at < end]
    assert len(made) > 40 and report.answers > 40
    assert not [r for r in closed if r.status is RequestStatus.MISSING]
    assert {r.status for r in closed} <= {RequestStatus.ANSWERED, RequestStatus.CANCELLED}


def test_a_follow_up_with_nothing_to_follow_up_is_counted_apart_not_as_incomplete(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    h.clock.set(utc(2027, 2, 14))  # the first quarter's follow-up opens on 15 February, undecided
    simulation = Simulation(h.app(), h.clock, response_rate=1.0, seed=2)
    counts = simulation.run_until(utc(2027, 2, 17)).as_dict()["definitions"]["uppfoljning"]
    assert counts["opened"] == counts["no_basis"] == 5
    assert counts["closed_incomplete"] == counts["still_open"] == 0
