"""Rendering and sending the email of `lofte simulate` in a process of its own, so that on a
machine with two cores it costs the simulation almost nothing.

The simulation's process keeps the database: its dispatcher claims what is due at each delivery
moment, reads the step contexts those messages show, and hands them over as a `SendJob`; the
worker renders, composes and writes (or sends) each email and gives back what was sent and
what failed, which the dispatcher records. The worker never opens the database, so the two
processes never take turns at its write lock, and an email shows its step as it was when it
was claimed, exactly as when the dispatcher sends it itself.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import traceback
from collections.abc import Callable
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import Any

from lofte.kernel.errors import LofteError
from lofte.notifications.failures import Failure
from lofte.notifications.sending import SendJob, SendResult
from lofte.workflow.core.records import OutboxMessage

BACKLOG = 400  # jobs (of at most a batch each) the worker may lag behind before the engine waits

Outcome = tuple[list[tuple[int, str]], list[tuple[int, str, bool]]]  # sent, failed (by id)


class DeliveryWorker:
    """`start(secret)`, hand over jobs with `send(job)`, take what is done with `collect()`,
    end with `finish()`, which waits for the rest."""

    def __init__(self, mail_dir: Path | None) -> None:
        context = multiprocessing.get_context("spawn")  # nothing of the parent's state
        self.jobs: Any = context.Queue(BACKLOG)
        self.results: Any = context.Queue()
        self.mail_dir = mail_dir
        self.context = context
        self.handed: dict[int, SendJob] = {}  # job number -> job, until its result is back
        self.number = 0
        self.process: SpawnProcess | None = None

    def start(self, secret: str) -> None:
        self.process = self.context.Process(
            target=_work,
            args=(str(self.mail_dir) if self.mail_dir else None, secret, self.jobs, self.results),
            name="lofte-delivery",
            daemon=True,
        )
        self.process.start()

    def send(self, job: SendJob) -> None:
        """Hand over a job (waits only when the worker is far behind)."""
        if not job.messages:
            return
        self.number += 1
        self.handed[self.number] = job
        self._put((self.number, job))

    def collect(self, record: Callable[[list[SendResult]], object]) -> None:
        """Record the results that are back (together), without waiting; a worker that
        stopped is an error (after what it sent is recorded)."""
        self._record_ready(record)
        if self.handed:
            self._check_alive()

    def finish(self, record: Callable[[list[SendResult]], object]) -> None:
        """Record every result still to come; the worker ends."""
        self._put(None)
        while self.handed:
            try:
                item = self.results.get(timeout=5)
            except queue.Empty:
                self._check_alive()
                continue
            self._record_ready(record, item)
        if self.process is not None:
            self.process.join(timeout=30)

    def _record_ready(
        self, record: Callable[[list[SendResult]], object], first: tuple[str, Any] | None = None
    ) -> None:
        """Record `first` and the results back now, together; the worker's error (its item
        raises) after what came back before it is recorded."""
        done: list[SendResult] = []
        try:
            if first is not None:
                done.append(self._result(first))
            while self.handed:
                try:
                    item = self.results.get_nowait()
                except queue.Empty:
                    break
                done.append(self._result(item))
        finally:
            if done:
                record(done)

    def stop(self) -> None:
        """End the worker now (the simulation stopped); what it had not sent stays claimed."""
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=10)

    def _result(self, item: tuple[str, Any]) -> SendResult:
        kind, payload = item
        if kind == "error":
            raise LofteError(f"e-postutskicket i simuleringen stannade: {payload}")
        number, (sent, failed) = payload
        job = self.handed.pop(number)
        by_id: dict[int, OutboxMessage] = {m.id or 0: m for m in job.messages}
        return SendResult(
            job.moment,
            [(by_id[i], where) for i, where in sent],
            [Failure(by_id[i], reason, permanent) for i, reason, permanent in failed],
        )

    def _put(self, item: tuple[int, SendJob] | None) -> None:
        while True:
            try:
                self.jobs.put(item, timeout=5)
                return
            except queue.Full:
                self._check_alive()

    def _check_alive(self) -> None:
        if self.process is None or not self.process.is_alive():
            code = None if self.process is None else self.process.exitcode
            raise LofteError(f"e-postutskicket i simuleringen avslutades oväntat (kod {code})")


def _work(
    mail_dir: str | None, secret: str, jobs: Any, results: Any
) -> None:  # pragma: no cover - runs in the spawned process; tests see its effects
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the simulation's to handle
    try:
        _send_all(mail_dir, secret, jobs, results)
    except Exception as exc:  # the parent shows it as a Swedish error, never a traceback
        detail = f"{exc.__class__.__name__}: {exc}"
        if not isinstance(exc, LofteError):
            detail += "\n" + traceback.format_exc(limit=5)
        results.put(("error", detail))


def _send_all(
    mail_dir: str | None, secret: str, jobs: Any, results: Any
) -> None:  # pragma: no cover - runs in the spawned process
    import dataclasses

    from lofte.notifications.config import mail_settings
    from lofte.notifications.sending import Sender
    from lofte.notifications.transports import transport_for

    settings = mail_settings()
    if mail_dir is not None:
        settings = dataclasses.replace(settings, mail_dir=Path(mail_dir))
    sender = Sender(transport_for(settings), settings, secret)
    from lofte.cli.memory import freeze_start_up

    freeze_start_up()
    while (item := jobs.get()) is not None:
        number, job = item
        result = sender.send(job)
        outcome: Outcome = (
            [(m.id or 0, where) for m, where in result.sent],
            [(f.message.id or 0, f.reason, f.permanent) for f in result.failures],
        )
        results.put(("done", (number, outcome)))
