"""Email delivery for `lofte simulate` in a process of its own, as a deployment runs its
delivery job beside the timers: the simulation hands over each delivery moment and goes on,
and the worker delivers what was due at that moment on a virtual clock set to it. On a
machine with two cores rendering and writing email then costs the simulation almost nothing.

The worker opens the same database (SQLite in WAL mode or PostgreSQL); writers take turns
(`BEGIN IMMEDIATE` on SQLite). A message written after a delivery moment is never claimed at
that moment (the outbox claims nothing created after the dispatcher's clock). What an email
shows of its step (the lägesbild, say) is read when it is rendered, and a timer can refresh it
(a meeting's lägesbild when the meeting begins): so the simulation lets the worker catch up
(`catch_up`) before such a timer fires; everything else runs beside delivery.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import traceback
from collections import Counter
from datetime import datetime
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import Any

from workflow.kernel.errors import LofteError

BACKLOG = 200  # moments the worker may lag behind before the simulation waits for it


class DeliveryWorker:
    """Start with `start()`, hand over moments with `deliver(moment)`, end with `finish()`,
    which returns the reasons of messages that could not be made or sent, with counts."""

    def __init__(self, url: str, mail_dir: Path | None, durable: bool) -> None:
        context = multiprocessing.get_context("spawn")  # no forked database connections
        self.moments: Any = context.Queue(BACKLOG)
        self.results: Any = context.Queue()
        self.acks: Any = context.Queue()  # how many moments the worker has finished
        self.handed = self.finished = 0
        self.process: SpawnProcess = context.Process(
            target=_work,
            args=(
                url,
                str(mail_dir) if mail_dir else None,
                durable,
                self.moments,
                self.results,
                self.acks,
            ),
            name="lofte-delivery",
            daemon=True,
        )

    def start(self) -> None:
        self.process.start()

    def deliver(self, moment: datetime) -> None:
        """Deliver what is due at `moment` (waits only when the worker is far behind)."""
        self._put(moment)
        self.handed += 1

    def catch_up(self) -> None:
        """Wait until every moment handed over is delivered."""
        while self.finished < self.handed:
            try:
                self.finished = self.acks.get(timeout=5)
            except queue.Empty:
                self._check_alive()

    def finish(self) -> dict[str, int]:
        """Wait until everything handed over is delivered; the problems met, with counts."""
        self._put(None)
        while True:
            try:
                kind, payload = self.results.get(timeout=5)
                break
            except queue.Empty:
                self._check_alive()
        self.process.join(timeout=30)
        if kind == "error":
            raise LofteError(f"e-postutskicket i simuleringen stannade: {payload}")
        return dict(payload)

    def stop(self) -> None:
        """End the worker now (the simulation stopped); what it had not delivered stays."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=10)

    def _put(self, item: datetime | None) -> None:
        while True:
            try:
                self.moments.put(item, timeout=5)
                return
            except queue.Full:
                self._check_alive()

    def _check_alive(self) -> None:
        if not self.process.is_alive():
            raise LofteError(
                f"e-postutskicket i simuleringen avslutades oväntat (kod {self.process.exitcode})"
            )


def _work(
    url: str, mail_dir: str | None, durable: bool, moments: Any, results: Any, acks: Any
) -> None:  # pragma: no cover - runs in the spawned process; tests see its effects
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the simulation's to handle
    try:
        results.put(("done", _deliver_all(url, mail_dir, durable, moments, acks)))
    except Exception as exc:  # the parent shows it as a Swedish error, never a traceback
        detail = f"{exc.__class__.__name__}: {exc}"
        if not isinstance(exc, LofteError):
            detail += "\n" + traceback.format_exc(limit=5)
        results.put(("error", detail))


def _deliver_all(
    url: str, mail_dir: str | None, durable: bool, moments: Any, acks: Any
) -> Counter[str]:
    from cli.wiring import connect
    from workflow.kernel.clock import VirtualClock

    problems: Counter[str] = Counter()
    first = moments.get()
    if first is None:
        return problems
    clock = VirtualClock(first)
    wired = connect(url, clock=clock, durable=durable, need_setup=False)
    dispatcher = wired.dispatcher(Path(mail_dir) if mail_dir else None)
    moment: datetime | None = first
    finished = 0
    while moment is not None:
        clock.set(max(moment, clock.now()))
        for reason in dispatcher.run_once().permanent_failures:
            problems[reason] += 1
        finished += 1
        acks.put(finished)
        moment = moments.get()
    wired.close()
    return problems
