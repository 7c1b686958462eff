"""The engine loop writes the heartbeat that `/readyz` and `/metrics` read: when it starts
(before catching up) and on each pass, by the engine's clock."""

from __future__ import annotations

from lofte.workflow.application.operations import HEARTBEAT_KEY, Heartbeat, latest_beat
from lofte.workflow.drivers.loop import EngineLoop
from tests.harness import Harness, utc


def test_the_loop_beats_when_it_starts_by_the_engines_clock(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    h.clock.set(utc(2027, 1, 4, 8))
    with h.store.unit_of_work(read_only=True) as uow:
        assert uow.settings.get(HEARTBEAT_KEY) is None
    heartbeat = Heartbeat(h.store, h.clock, "vm:4711")
    EngineLoop(h.engine, exit_when_idle=True, heartbeat=heartbeat.beat).run()
    with h.store.unit_of_work(read_only=True) as uow:
        beat = latest_beat(uow.settings)
    assert beat is not None and (beat.engine_id, beat.at) == ("vm:4711", utc(2027, 1, 4, 8))
    assert h.cycles("est-inventering")  # and it fired what was due
