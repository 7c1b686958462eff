"""One firing path: `lofte run`'s timer job, the simulation and the tests' harness fire due
timers through `workflow.core.firing`, in batches; a timer that fails is recorded on its own,
the others' work is kept, and firing goes on in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lofte.kernel.errors import ConcurrentUpdate
from lofte.storage.read_model import SqlReadModel
from lofte.workflow.application.app import Application
from lofte.workflow.core import firing as firing_module
from lofte.workflow.core import timer_handlers
from lofte.workflow.core.firing import Firing
from lofte.workflow.core.records import Timer, TimerKind, TimerStatus
from lofte.workflow.core.work import Work
from lofte.workflow.drivers.loop import EngineLoop
from lofte.workflow.drivers.simulation import Simulation
from tests.conftest import START, packaged
from tests.harness import Harness, make_harness, utc

MONDAY = utc(2027, 1, 4, 8)  # the week's inventories have opened
WEDNESDAY = utc(2027, 1, 6, 12)  # their first reminders (12:00 Stockholm) are due


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Callable[[str], Harness]]:
    """Harnesses on SQLite files of their own, closed after the test."""
    made: list[Harness] = []

    def make(name: str) -> Harness:
        made.append(make_harness(f"sqlite:///{tmp_path}/{name}.db", START, packaged()))
        return made[-1]

    yield make
    for h in made:
        h.close()


def next_due(h: Harness) -> datetime | None:
    with h.store.unit_of_work(read_only=True) as uow:
        return uow.timers.next_due()


def loop_until(h: Harness, end: datetime) -> list[Timer]:
    """`lofte run`'s timer job (what APScheduler calls each tick), at each timer's moment."""
    fired: list[Timer] = []
    loop = EngineLoop(h.engine, on_fired=fired.append)
    while (due := next_due(h)) is not None and due <= end:
        h.clock.set(max(due, h.clock.now()))
        loop._timer_job()
    h.clock.set(max(end, h.clock.now()))
    return fired


def simulate_until(h: Harness, end: datetime) -> int:
    """The simulation with nobody answering: its timers alone; returns how many fired."""
    application = Application(h.engine, SqlReadModel(h.store.engine))
    return Simulation(application, h.clock, response_rate=0.0, seed=1).run_until(end).timers_fired


def outcome(h: Harness) -> tuple[list[Any], list[Any], list[str]]:
    """The timers, the mail and the audit trail, without the installation's id."""
    return (
        sorted(
            (t.key.split(":", 1)[1], t.status, t.fired_at, t.attempts, t.last_error)
            for t in h.timers()
        ),
        sorted((m.key.split(":", 1)[1], m.recipient, m.status) for m in h.outbox()),
        h.events(),
    )


def broken_for(monkeypatch: pytest.MonkeyPatch, unit: str, error: Exception) -> list[Timer]:
    """Surahammar's reminders raise `error` (once, if it is a concurrent change; always
    else); returns the timers it was raised for."""
    original = timer_handlers.HANDLERS[TimerKind.REMINDER]
    raised: list[Timer] = []

    def broken(work: Work, timer: Timer) -> str:
        once = isinstance(error, ConcurrentUpdate)
        if timer.unit_id == unit and not (once and any(t.key == timer.key for t in raised)):
            raised.append(timer)
            raise error
        return original(work, timer)

    monkeypatch.setitem(timer_handlers.HANDLERS, TimerKind.REMINDER, broken)
    return raised


def count_units(monkeypatch: pytest.MonkeyPatch, h: Harness) -> dict[str, int]:
    """Counts the units of work that write (the firing's batches, failures, the catch-up)."""
    units = {"n": 0}
    opened = h.store.unit_of_work

    def counted(*, read_only: bool = False) -> Any:
        units["n"] += 0 if read_only else 1
        return opened(read_only=read_only)

    monkeypatch.setattr(h.store, "unit_of_work", counted)
    return units


def test_the_loop_the_simulation_and_the_harness_fire_every_timer_through_firing(
    fresh: Callable[[str], Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    inside: list[object] = []
    real = Firing.fire_due

    def fire_due(self: Firing, *args: Any, **kwargs: Any) -> list[Timer]:
        inside.append(self)
        try:
            return real(self, *args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(Firing, "fire_due", fire_due)
    handled: dict[str, list[bool]] = {}
    driver = {"now": ""}

    def watched(handler: Callable[[Work, Timer], str]) -> Callable[[Work, Timer], str]:
        def run(work: Work, timer: Timer) -> str:
            handled.setdefault(driver["now"], []).append(bool(inside))
            return handler(work, timer)

        return run

    for kind, handler in list(timer_handlers.HANDLERS.items()):
        monkeypatch.setitem(timer_handlers.HANDLERS, kind, watched(handler))

    drivers: dict[str, Callable[[Harness], object]] = {
        "lofte run (catching up, then idle)": lambda h: (
            h.clock.set(WEDNESDAY),
            EngineLoop(h.engine, exit_when_idle=True).run(),
        ),
        "lofte run's timer job": lambda h: loop_until(h, WEDNESDAY),
        "the simulation": lambda h: simulate_until(h, WEDNESDAY),
        "the harness": lambda h: h.run_until(WEDNESDAY),
    }
    for number, (name, drive) in enumerate(drivers.items()):
        driver["now"] = name
        drive(fresh(f"driver-{number}"))
    assert set(handled) == set(drivers)
    for name, inside_firing in handled.items():
        assert len(inside_firing) > 5 and all(inside_firing), name


def test_the_loop_job_and_the_simulation_end_alike_with_a_failing_timer(
    fresh: Callable[[str], Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken_for(monkeypatch, "surahammar", RuntimeError("mallen saknas"))
    end = utc(2027, 1, 8, 12)  # backoff 1, 2, 4, 8 minutes, then an incident
    looped, simulated = fresh("loop"), fresh("simulation")
    fired = loop_until(looped, end)
    assert simulate_until(simulated, end) == len(fired)
    assert outcome(looped) == outcome(simulated)
    incident = [t for t in looped.timers("failed") if t.unit_id == "surahammar"]
    assert incident and all("mallen saknas" in (t.last_error or "") for t in incident)
    assert "timer_incident" in looped.events()


def test_the_loop_job_fires_due_timers_together(
    fresh: Callable[[str], Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    h = fresh("together")
    h.run_until(MONDAY)
    h.clock.set(MONDAY + timedelta(days=14))  # the engine was down for a fortnight
    units = count_units(monkeypatch, h)
    fired: list[Timer] = []
    EngineLoop(h.engine, on_fired=fired.append)._timer_job()
    assert len(fired) > 60 and not [
        t for t in h.timers() if t.due_at <= h.clock.now() and t.status is TimerStatus.PENDING
    ]
    assert units["n"] <= len(fired) / firing_module.TOGETHER + 3  # batches, schedule, catch-up


def test_a_failing_timer_in_a_batch_keeps_the_others_work_and_firing_stays_batched(
    fresh: Callable[[str], Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    clean, h = fresh("clean"), fresh("failing")
    for each in (clean, h):
        each.run_until(MONDAY)
        each.clock.set(MONDAY + timedelta(days=14))
    clean.engine.run_due()
    raised = broken_for(monkeypatch, "surahammar", RuntimeError("mallen saknas"))
    units = count_units(monkeypatch, h)
    fired = h.engine.run_due()

    first = raised[0]
    failed = next(t for t in h.timers() if t.key == first.key)
    assert failed.status is TimerStatus.PENDING and failed.attempts == 1  # recorded, not lost
    assert failed.next_attempt_at == h.clock.now() + timedelta(minutes=1)
    # Every other unit's timers and mail are those of a run without the failure (but for the
    # catch-up notices: they wait for Surahammar's timers held up behind the failing one).
    others = [
        [row for row in part if "surahammar" not in row[0] and ":catch_up:" not in row[0]]
        for part in (outcome(clean)[0], outcome(clean)[1], outcome(h)[0], outcome(h)[1])
    ]
    assert others[0] == others[2] and others[1] == others[3] and len(others[1]) > 100
    # A failed batch is split down to the failing timer, then firing goes on in batches.
    assert len(fired) > 60 and units["n"] < len(fired) / 5


def test_a_concurrent_change_in_a_batch_does_it_again_whole(
    fresh: Callable[[str], Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    clean, h = fresh("clean"), fresh("concurrent")
    clean.run_until(WEDNESDAY)
    raised = broken_for(monkeypatch, "surahammar", ConcurrentUpdate("cykeln"))
    h.run_until(WEDNESDAY)
    assert raised  # Surahammar's reminder met a concurrent change, and was fired again
    assert outcome(h) == outcome(clean)  # nobody's timer failed, nothing is missing


def test_a_stopping_loop_stops_between_batches(fresh: Callable[[str], Harness]) -> None:
    h = fresh("stopping")
    h.run_until(MONDAY)
    h.clock.set(MONDAY + timedelta(days=14))
    fired: list[Timer] = []

    def stop_after_first(timer: Timer) -> None:
        fired.append(timer)
        loop.stop.set("SIGTERM")  # SIGTERM arrives while the first batch is reported

    loop = EngineLoop(h.engine, on_fired=stop_after_first)
    assert loop.fire_due() == len(fired) == firing_module.TOGETHER  # that batch, whole
    pending = [t for t in h.timers("pending") if t.due_at <= h.clock.now()]
    assert len(pending) > 10  # the rest waits for the next start
    assert EngineLoop(h.engine).fire_due() > len(pending)


@pytest.mark.parametrize("where", ["claiming the second timer", "committing the batch"])
def test_a_batch_that_fails_outside_a_handler_blames_no_timer(
    fresh: Callable[[str], Harness], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    clean, h = fresh("clean"), fresh("failing")
    for each in (clean, h):
        each.run_until(MONDAY)
        each.clock.set(MONDAY + timedelta(days=14))
    clean.engine.run_due()
    with h.store.unit_of_work(read_only=True) as uow:
        timers_class = type(uow.timers)
    claims = {"n": 0}
    raised: list[str] = []
    claim = timers_class.claim_due

    def claim_due(self: Any, now: datetime, by: str) -> Timer | None:
        claims["n"] += 1
        if where.startswith("claiming") and claims["n"] == 2:
            raised.append(where)
            raise RuntimeError("förbindelsen bröts")
        return claim(self, now, by)

    monkeypatch.setattr(timers_class, "claim_due", claim_due)
    opened = h.store.unit_of_work

    @contextmanager
    def unit_of_work(*, read_only: bool = False) -> Iterator[Any]:
        with opened(read_only=read_only) as uow:
            yield uow
            first_batch = claims["n"] == firing_module.TOGETHER
            if where.startswith("committing") and first_batch and not raised:
                raised.append(where)
                raise RuntimeError("COMMIT misslyckades")  # instead of committing

    monkeypatch.setattr(h.store, "unit_of_work", unit_of_work)
    assert len(h.engine.run_due()) > 60 and raised == [where]
    assert not [t for t in h.timers() if t.attempts]  # nobody's failure was recorded
    assert outcome(h) == outcome(clean)


def test_a_batch_whose_first_timer_fails_goes_on_with_the_rest(
    fresh: Callable[[str], Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    h = fresh("first-fails")
    h.run_until(MONDAY)
    h.clock.set(MONDAY + timedelta(days=14))
    broken: list[Timer] = []

    def watched(handler: Callable[[Work, Timer], str]) -> Callable[[Work, Timer], str]:
        def run(work: Work, timer: Timer) -> str:
            if not broken or broken[0].key == timer.key:  # the first timer claimed, always
                broken[:1] = [timer]
                raise RuntimeError("mallen saknas")
            return handler(work, timer)

        return run

    for kind, handler in list(timer_handlers.HANDLERS.items()):
        monkeypatch.setitem(timer_handlers.HANDLERS, kind, watched(handler))
    fired = h.engine.run_due()  # one run, as one tick of `lofte run` makes
    assert fired[0].key == broken[0].key and fired[0].attempts == 1  # recorded first
    waiting = [
        t
        for t in h.timers("pending")
        if t.due_at <= h.clock.now() and t.instance_id != broken[0].instance_id
    ]
    assert len(fired) > 60 and not waiting  # then everything else due fired in that run
