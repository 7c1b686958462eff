"""A stop in the middle of delivery, in one process: the dispatcher abandons a send the mail
server never answers and puts what it claimed back, claims nothing once stopped; the engine's
loop returns without waiting for a job that hangs, and a real SIGTERM reaches it, also when
another thread than the main one receives it."""

from __future__ import annotations

import signal
import threading
from queue import SimpleQueue
from typing import Any

import pytest

from lofte.kernel.stopping import StopSignal, until_stopped
from lofte.notifications.config import mail_settings
from lofte.notifications.dispatcher import Dispatcher
from lofte.notifications.sending import ABANDONED
from lofte.notifications.transports import transport_for
from lofte.workflow.drivers.loop import EngineLoop
from tests.harness import Harness
from tests.notifications.hanging_smtp import HangingSmtp
from tests.notifications.support import statuses

WAIT = 60  # seconds: an upper bound on waits for events, never reached when all is well


def stoppable(h: Harness, server: HangingSmtp, stop: StopSignal) -> Dispatcher:
    settings = mail_settings({"LOFTE_DIGEST_HOUR": "8", **server.env()})
    transport = transport_for(settings)
    return Dispatcher(h.store, h.clock, transport, settings, dispatcher_id="d1", stop=stop)


@pytest.mark.parametrize("mode", ["silent", "data"])
def test_a_stop_abandons_the_hung_send_and_puts_the_batch_back(
    week: Harness, hanging: Any, mode: str
) -> None:
    server: HangingSmtp = hanging(mode)
    stop = StopSignal()
    before = statuses(week)
    reports: list[Any] = []
    worker = threading.Thread(
        target=lambda: reports.append(stoppable(week, server, stop).run_once())
    )
    worker.start()
    assert server.reached.wait(WAIT)
    stop.set("SIGTERM")
    worker.join(WAIT)
    assert not worker.is_alive()
    [report] = reports
    assert (report.sent, report.failed_attempts, report.digests) == (0, 0, 0)
    assert report.released > 10
    after = statuses(week)  # nothing sent, nothing claimed, nothing failed (some held for digests)
    assert set(before) == {"pending"} and set(after) == {"pending", "held"}
    assert sum(after.values()) == before["pending"]
    waiting = [m for m in week.outbox() if m.status.value == "pending"]
    assert {m.attempts for m in waiting} == {0} and {m.claimed_by for m in waiting} == {None}
    assert [m.last_error for m in waiting if m.last_error] == [ABANDONED]
    assert len(server.received) == (1 if mode == "data" else 0)


def test_a_stopped_dispatcher_claims_nothing(week: Harness, hanging: Any) -> None:
    server: HangingSmtp = hanging("silent")
    stop = StopSignal()
    stop.set("SIGTERM")
    before = statuses(week)
    report = stoppable(week, server, stop).run_once()
    assert (report.sent, report.released, report.digests, report.alerts) == (0, 0, 0, 0)
    assert statuses(week) == before and not server.reached.is_set()


def test_the_loop_returns_without_waiting_for_a_hung_job(memory_harness: Harness) -> None:
    started, release = threading.Event(), threading.Event()

    def hung() -> int:
        started.set()
        release.wait(WAIT)
        return 0

    loop = EngineLoop(memory_harness.engine, tick_seconds=0.01, deliver=hung, stop_grace=0.05)
    threading.Thread(target=lambda: started.wait(WAIT) and loop.stop.set("SIGTERM")).start()
    try:
        assert loop.run() is False  # told that a job still runs
    finally:
        release.set()
    assert not loop.scheduler.running


@pytest.mark.parametrize("idle", [False, True])
def test_a_stop_during_a_blocked_catch_up_is_heard_at_once(
    memory_harness: Harness, idle: bool
) -> None:
    """The first write (the heartbeat) waits, as for a database locked by another program."""
    started, release = threading.Event(), threading.Event()

    def blocked_beat() -> None:
        started.set()
        release.wait(WAIT)

    loop = EngineLoop(
        memory_harness.engine, heartbeat=blocked_beat, exit_when_idle=idle, stop_grace=0.05
    )
    threading.Thread(target=lambda: started.wait(WAIT) and loop.stop.set("SIGTERM")).start()
    try:
        assert loop.run() is False
    finally:
        release.set()
    assert not loop.scheduler.running


def test_sigterm_stops_the_loop_once_its_jobs_end(memory_harness: Harness) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers exist only in the main thread")
    started = threading.Event()
    loop = EngineLoop(memory_harness.engine, tick_seconds=0.01)

    def until_stopped() -> int:  # as the dispatcher does: ends when the stop comes
        started.set()
        woken: SimpleQueue[Any] = SimpleQueue()
        with loop.stop.waking(woken):
            woken.get(timeout=WAIT)
        return 0

    loop.deliver = until_stopped
    previous = signal.getsignal(signal.SIGTERM)
    # The kernel may give a process's signal to any of its threads: here, the worst case, to
    # one that is not the main thread, whose wait it then does not interrupt.
    kill = threading.Thread(
        target=lambda: (
            started.wait(WAIT) and signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
        )
    )
    kill.start()
    assert loop.run() is True
    kill.join(WAIT)
    assert loop.stop.reason == "SIGTERM"
    assert signal.getsignal(signal.SIGTERM) is previous  # the handler was the loop's alone


def test_work_on_its_own_thread_is_waited_for_only_a_grace_after_a_stop() -> None:
    stop, release = StopSignal(), threading.Event()
    assert until_stopped(lambda: 42, stop, 0.05) == (True, 42)
    with pytest.raises(ZeroDivisionError):
        until_stopped(lambda: 1 // 0, stop, 0.05)

    def blocked() -> int:  # as a wait for a database lock, which no signal interrupts
        stop.set("SIGTERM")
        release.wait(WAIT)
        return 1

    try:
        assert until_stopped(blocked, stop, 0.05) == (False, None)
    finally:
        release.set()
    assert until_stopped(lambda: 7, stop, 0.05) == (True, 7)  # stopped, but it ended in time
