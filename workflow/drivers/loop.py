"""The engine loop: APScheduler calls one job every few seconds; the job fires due timers.

All per-cycle timers live in the database, so nothing is lost when the process stops; on
start the loop first catches up with every timer that fell due while it was down.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler

from workflow.engine import Engine
from workflow.records import Timer

log = logging.getLogger("lofte.runner")


class EngineLoop:
    def __init__(
        self,
        engine: Engine,
        *,
        tick_seconds: float = 5.0,
        on_fired: Callable[[Timer], None] = lambda timer: None,
        exit_when_idle: bool = False,
        after_timers: Callable[[], int] = lambda: 0,
    ) -> None:
        self.engine = engine
        self.tick_seconds = tick_seconds
        self.on_fired = on_fired
        self.exit_when_idle = exit_when_idle
        self.after_timers = after_timers
        self.scheduler = BlockingScheduler(timezone="UTC")

    def tick(self) -> int:
        """One pass: keep the openings scheduled, fire everything that is due, then run the
        follow-up work (the outbox dispatcher). Returns how much was done."""
        self.engine.ensure_schedule()
        fired = 0
        while True:
            timer = self.engine.fire_next_due()
            if timer is None:
                break
            fired += 1
            self.on_fired(timer)
        return fired + self.after_timers()

    def run(self) -> None:
        """Run until SIGINT/SIGTERM (or, with exit_when_idle, until a pass fires nothing)."""
        if self.exit_when_idle:
            while self.tick():
                pass
            return
        self.tick()  # catch up before the first interval
        self.scheduler.add_job(
            self._safe_tick,
            "interval",
            seconds=self.tick_seconds,
            id="lofte-engine-tick",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._stop)
        self.scheduler.start()

    def _safe_tick(self) -> None:
        try:
            self.tick()
        except Exception:  # keep the loop alive; the timer stays pending and is retried
            log.exception("engine pass failed; retrying on the next tick")

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        log.info("stopping on signal %s", signum)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
