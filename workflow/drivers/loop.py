"""`lofte run`: APScheduler calls two jobs, each on its own thread: one fires due timers (in
batches, through `Engine.run_due` like the simulation and the tests), the other delivers the
outbox. A mail server that hangs therefore delays no timer.

All timers live in the database, so nothing is lost when the process stops; on start the loop
first catches up with every timer that fell due while it was down (stale emails are recorded,
not sent; the units' coordinators get one catch-up notice each).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler

from lofte.workflow.core.engine import Engine
from lofte.workflow.core.records import Timer

log = logging.getLogger("lofte.loop")


class EngineLoop:
    def __init__(
        self,
        engine: Engine,
        *,
        tick_seconds: float = 5.0,
        deliver: Callable[[], int] | None = None,
        on_fired: Callable[[Timer], None] = lambda timer: None,
        exit_when_idle: bool = False,
        heartbeat: Callable[[], None] = lambda: None,
    ) -> None:
        self.engine = engine
        self.tick_seconds = tick_seconds
        self.deliver = deliver
        self.on_fired = on_fired
        self.exit_when_idle = exit_when_idle
        self.heartbeat = heartbeat  # called on every pass of the timer job (it throttles)
        self.scheduler = BlockingScheduler(timezone="UTC")
        self._stopping = threading.Event()

    def fire_due(self) -> int:
        """Fire everything that is due now (`Engine.run_due`, the path the simulation and the
        tests take too), stopping between batches when asked to; returns how many fired."""
        fired = self.engine.run_due(
            keep_going=lambda: not self._stopping.is_set(), on_fired=self.on_fired
        )
        return len(fired)

    def run(self) -> None:
        """Run until SIGINT/SIGTERM, or with `exit_when_idle` until nothing is left to do."""
        self.heartbeat()
        self.engine.ensure_schedule()
        if self.exit_when_idle:
            while self.fire_due() + (self.deliver() if self.deliver else 0):
                pass
            return
        self.fire_due()  # catch up before the first interval
        self._add_job(self._timer_job, "lofte-timers")
        if self.deliver is not None:
            self._add_job(self._delivery_job, "lofte-outbox")
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._stop)
        self.scheduler.start()

    def _add_job(self, job: Callable[[], None], name: str) -> None:
        self.scheduler.add_job(
            job,
            "interval",
            seconds=self.tick_seconds,
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    def _timer_job(self) -> None:
        try:
            self.heartbeat()
            self.engine.ensure_schedule()
            self.fire_due()
        except Exception:  # keep the loop alive; the timer stays pending and is retried
            log.exception("engine pass failed; retrying on the next tick")

    def _delivery_job(self) -> None:
        assert self.deliver is not None
        try:
            self.deliver()
        except Exception:
            log.exception("outbox pass failed; retrying on the next tick")

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        log.info("stopping on signal %s", signum)
        self._stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
