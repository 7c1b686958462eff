"""`lofte run`: APScheduler calls two jobs, each on its own thread: one fires due timers (in
batches, through `Engine.run_due` like the simulation and the tests), the other delivers the
outbox. A mail server that hangs therefore delays no timer. With a mailbox configured, a third
reads the replies to requests in it.

All timers live in the database, so nothing is lost when the process stops; on start the loop
first catches up with every timer that fell due while it was down (stale emails are recorded,
not sent; the units' coordinators get one catch-up notice each).

SIGINT and SIGTERM set the loop's `StopSignal` (pass the dispatcher the same one): no timer or
message is claimed after it, the batch of timers under way is finished, a send under way is
abandoned at once (`notifications.sending`), and `run` returns when the jobs have ended, or
after `stop_grace` seconds without waiting for one that hangs (it says which).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from queue import SimpleQueue
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from lofte.kernel.stopping import STOP_GRACE, StopSignal, stop_on_signals, take
from lofte.workflow.core.engine import Engine
from lofte.workflow.core.records import Timer

log = logging.getLogger("lofte.loop")
BEGUN = "begun"  # what the starting thread says when the catch-up is done
# While nothing fires, the timer job checks every (definition, unit)'s next opening at most this
# often (a setup loaded schedules its own, and a fired opening the next one): the check costs
# 2.3 ms of CPU with 290 municipalities, each tick, in every engine.
SCHEDULE_EVERY = 60.0


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
        stop: StopSignal | None = None,
        stop_grace: float = STOP_GRACE,
        inbox: Callable[[], int] | None = None,
        inbox_seconds: float = 60.0,
    ) -> None:
        self.engine = engine
        self.tick_seconds = tick_seconds
        self.deliver = deliver
        self.on_fired = on_fired
        self.exit_when_idle = exit_when_idle
        self.heartbeat = heartbeat  # called on every pass of the timer job (it throttles)
        self.scheduler = BackgroundScheduler(timezone="UTC")
        self.stop = stop or StopSignal()
        self.stop_grace = stop_grace
        self.inbox = inbox  # reads Löfte's mailbox (replies to requests), every inbox_seconds
        self.inbox_seconds = inbox_seconds
        self._running = 0  # jobs under way
        self._scheduled_at: float | None = None  # time.monotonic() of the last schedule check
        self._fired = False  # whether the timer job's last pass fired anything
        self._quiet = threading.Condition()  # notified when a job ends

    def fire_due(self) -> int:
        """Fire everything that is due now (`Engine.run_due`, the path the simulation and the
        tests take too), stopping between batches when asked to; returns how many fired."""
        fired = self.engine.run_due(
            keep_going=lambda: not self.stop.is_set(), on_fired=self.on_fired
        )
        return len(fired)

    def run(self) -> bool:
        """Run until SIGINT/SIGTERM (or `stop` is set), or with `exit_when_idle` until nothing
        is left to do. False when a job still ran `stop_grace` seconds after the stop (the
        caller may end the process: what that job held is taken again when its lease ends).

        The main thread only waits: the work (the catch-up, or with `exit_when_idle` all of
        it) runs on a thread of its own and the two jobs on APScheduler's, so a stop is heard
        at once even while a job waits for a locked database or a silent mail server."""
        with stop_on_signals(self.stop):
            woken: SimpleQueue[Any] = SimpleQueue()
            with self.stop.waking(woken):
                threading.Thread(
                    target=self._begin, args=(woken,), name="lofte-catch-up", daemon=True
                ).start()
                began = take(woken)
                if isinstance(began, BaseException):
                    raise began
                if began is BEGUN and not self.exit_when_idle:
                    self._add_job(self._timer_job, "lofte-timers")
                    if self.deliver is not None:
                        self._add_job(self._delivery_job, "lofte-outbox")
                    if self.inbox is not None:
                        self._add_job(self._inbox_job, "lofte-inbox", self.inbox_seconds)
                    self.scheduler.start()
                    take(woken)  # until the stop
            if self.stop.is_set():
                log.info("stopping (%s)", self.stop.reason)
            if self.scheduler.running:
                self.scheduler.shutdown(wait=False)  # a job under way is not waited for here
            with self._quiet:
                return self._quiet.wait_for(lambda: self._running == 0, self.stop_grace)

    def _begin(self, woken: SimpleQueue[Any]) -> None:
        """The heartbeat, the schedule and the catch-up (with `exit_when_idle`, everything due
        and the outbox until nothing is left); then BEGUN, or the error, to `woken`."""
        with self._job() as go:
            try:
                if go:
                    self.heartbeat()
                    self.engine.ensure_schedule()
                    self.fire_due()  # catch up before the first interval
                while go and self.exit_when_idle and not self.stop.is_set():
                    if not self.fire_due() + self._deliver_once():
                        break
            except BaseException as exc:  # raised again by `run`, in the main thread
                woken.put(exc)
                return
        woken.put(BEGUN)

    def _deliver_once(self) -> int:
        return self.deliver() if self.deliver is not None else 0

    def _add_job(self, job: Callable[[], None], name: str, seconds: float | None = None) -> None:
        self.scheduler.add_job(
            job,
            "interval",
            seconds=seconds or self.tick_seconds,
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    @contextmanager
    def _job(self) -> Iterator[bool]:
        """Counts the job as under way; yields whether it should run (not stopping)."""
        with self._quiet:
            self._running += 1
        try:
            yield not self.stop.is_set()
        finally:
            with self._quiet:
                self._running -= 1
                self._quiet.notify_all()

    def _timer_job(self) -> None:
        with self._job() as go:
            if not go:
                return
            try:
                self.heartbeat()
                self._ensure_schedule()
                self._fired = self.fire_due() > 0
            except Exception:  # keep the loop alive; the timer stays pending and is retried
                log.exception("engine pass failed; retrying on the next tick")

    def _ensure_schedule(self) -> None:
        """`Engine.ensure_schedule`: after a pass that fired, else every SCHEDULE_EVERY s."""
        now = time.monotonic()
        last = self._scheduled_at
        if self._fired or last is None or now - last >= SCHEDULE_EVERY:
            self.engine.ensure_schedule()
            self._scheduled_at = now

    def _delivery_job(self) -> None:
        assert self.deliver is not None
        with self._job() as go:
            if not go:
                return
            try:
                self.deliver()
            except Exception:
                log.exception("outbox pass failed; retrying on the next tick")

    def _inbox_job(self) -> None:
        assert self.inbox is not None
        with self._job() as go:
            if not go:
                return
            try:
                self.inbox()
            except Exception:  # the mail waits in the mailbox for the next pass
                log.exception("inbox pass failed; retrying on the next pass")
