"""Stopping on request: a service manager's SIGTERM or Ctrl-C sets a `StopSignal`, which the
engine's loop, the timer firing (between batches) and delivery (at once, even in the middle of
a hung SMTP conversation) watch.

Setting it takes no lock: a Python signal handler runs in the main thread between two
bytecodes, possibly while that thread holds a lock, so a handler that took one (an
`Event.set`, a log line, a print) could wait for itself for ever. `set` writes a flag and puts
a token into the waiting threads' `queue.SimpleQueue`s, whose `put` is documented as safe
from a signal handler.

The handler runs in the main thread, and only once that thread runs Python again: a signal
the kernel gives to another thread does not interrupt the main thread's wait. So the main
thread never waits without a timeout (`take`): it looks up every `HEAR_EVERY` seconds.
"""

from __future__ import annotations

import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from queue import SimpleQueue
from typing import Any, TypeVar

T = TypeVar("T")

STOPPING = object()  # what a waiting queue receives when the stop is asked for
SIGNALS = (signal.SIGINT, signal.SIGTERM)
# Seconds the work under way gets to end after a stop (a batch of timers, recording a result);
# a service manager's stop timeout should leave room for it (docs/operations.md).
STOP_GRACE = 3.0
HEAR_EVERY = 0.2  # seconds: the longest a signal waits for the main thread to handle it


class StopSignal:
    """Asked once to stop; remembers why and when (`reason`, `asked_at` on the monotonic
    clock) and wakes whoever waits on a queue given to `waking`."""

    def __init__(self) -> None:
        self._asked = False
        self.reason = ""
        self.asked_at: float | None = None
        self._queues: list[SimpleQueue[Any]] = []

    def set(self, reason: str = "stopp") -> None:
        if not self._asked:
            self.reason, self.asked_at = reason, time.monotonic()
            self._asked = True
        for waiting in tuple(self._queues):  # a copy: a waiter may leave meanwhile
            waiting.put(STOPPING)

    def is_set(self) -> bool:
        return self._asked

    @contextmanager
    def waking(self, queue: SimpleQueue[Any]) -> Iterator[None]:
        """While inside, a stop puts `STOPPING` into `queue` (at once if already asked)."""
        self._queues.append(queue)
        try:
            if self._asked:
                queue.put(STOPPING)
            yield
        finally:
            self._queues.remove(queue)


def take(waiting: SimpleQueue[Any], timeout: float | None = None) -> Any:
    """The next item of `waiting`, waited for in steps of `HEAR_EVERY` seconds, so that a
    signal handler runs meanwhile (see the module); queue.Empty after `timeout` seconds."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        step = HEAR_EVERY if deadline is None else min(HEAR_EVERY, deadline - time.monotonic())
        try:
            return waiting.get(timeout=max(step, 0.0))
        except queue.Empty:
            if deadline is not None and time.monotonic() >= deadline:
                raise


@contextmanager
def stop_on_signals(stop: StopSignal) -> Iterator[None]:
    """SIGINT and SIGTERM set `stop` while inside (the previous handlers come back after).
    Set explicitly, so that a process started with SIGINT ignored (as by some supervisors
    and test runners) stops on it too. Outside the main thread nothing is installed (Python
    allows handlers only there)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, _frame: object) -> None:
        stop.set(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handle) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def until_stopped(work: Callable[[], T], stop: StopSignal, grace: float) -> tuple[bool, T | None]:
    """Run `work` on a thread of its own while this one waits for it, or for `stop` and then
    at most `grace` seconds more (a thread blocked in a C call, such as a wait for a database
    lock, would not let a signal handler run for as long). (whether it ended, its result);
    its error is raised here."""
    woken: SimpleQueue[Any] = SimpleQueue()

    def run() -> None:
        try:
            woken.put(("done", work()))
        except BaseException as exc:  # raised again in the waiting thread
            woken.put(("error", exc))

    with stop.waking(woken):
        threading.Thread(target=run, name="lofte-work", daemon=True).start()
        got = take(woken)
        while got is STOPPING:  # a signal (or two): wait a little for the work to end
            left = grace - (time.monotonic() - (stop.asked_at or time.monotonic()))
            try:
                got = take(woken, max(left, 0.0))
            except queue.Empty:
                return False, None
    kind, value = got
    if kind == "error":
        raise value
    return True, value
