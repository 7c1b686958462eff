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
    A job that did not end in time (`in_time` False) cannot be waited for (its thread would
    hold the process): the process ends here, with exit code 0 all the same, as asked."""
    took = time.monotonic() - (stop.asked_at or time.monotonic())
    try:
        left = words.count(waiting_messages(wired), "meddelande", "meddelanden")
        waiting = f"{left} i utkorgen väntar till nästa start"
    except Exception as exc:  # the database is gone: say so, stop all the same
        waiting = f"utkorgen kunde inte läsas ({exc.__class__.__name__})"
    seconds = f"{took:.1f}".replace(".", ",")
    print(f"Löfte stoppat ({stop.reason}) efter {seconds} s; {waiting}.", flush=True)
    if not in_time:
        print(
            "ett jobb hann inte avslutas; det det höll tas upp igen när dess lån löpt ut",
            flush=True,
        )
        logging.shutdown()
        sys.stderr.flush()
        os._exit(0)
