"""What `lofte run` and `lofte outbox send` say when they are stopped (SIGTERM, Ctrl-C), and
the last resort when a job does not end in time."""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

from lofte.kernel import words
from lofte.kernel.stopping import StopSignal


def waiting_messages(wired: Any) -> int:
    """Emails not yet sent (waiting, for a retry too, or being sent): `/metrics`' figure."""
    from lofte.storage.operations_read import SqlOperationsReads

    figures = SqlOperationsReads(wired.store.engine).figures(wired.clock.now())
    return figures.messages.get("pending", 0) + figures.messages.get("sending", 0)


def report_stop(wired: Any, stop: StopSignal, *, in_time: bool) -> None:
    """One Swedish line: stopped, on what, how long it took, what waits for the next start.
    A job that did not end in time (`in_time` False; it waits for the database, say) cannot
    be waited for (its thread would hold the process), and the outbox is not read then: the
    process ends here, with exit code 0 all the same, as the stop was asked for."""
    took = time.monotonic() - (stop.asked_at or time.monotonic())
    seconds = f"{took:.1f}".replace(".", ",")
    if not in_time:
        print(
            f"Löfte stoppat ({stop.reason}) efter {seconds} s utan att vänta på ett jobb som "
            "inte blev klart; det det höll tas upp igen när dess lån har löpt ut.",
            flush=True,
        )
        logging.shutdown()
        sys.stderr.flush()
        os._exit(0)
    try:
        left = words.count(waiting_messages(wired), "meddelande", "meddelanden")
        waiting = f"{left} i utkorgen väntar till nästa start"
    except Exception as exc:  # the database is gone: say so, stop all the same
        waiting = f"utkorgen kunde inte läsas ({exc.__class__.__name__})"
    print(f"Löfte stoppat ({stop.reason}) efter {seconds} s; {waiting}.", flush=True)
