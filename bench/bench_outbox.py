"""Benchmark: render, compose and deliver outbox messages as .eml files (the embedded default).

A quarter of the example police area in which nobody answers: requests, reminders,
escalations, summaries and meeting invitations. After each moment of virtual time the
dispatcher delivers what that moment wrote, as a delivery job would; only the dispatcher's
time is counted. Prints messages per second and milliseconds per message; the last line is
`RESULT {json}`.

    .venv/bin/python bench/bench_outbox.py [--weeks 13]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import calibration_ms
from lofte.definitions.loader import load_packaged
from lofte.kernel.clock import VirtualClock
from lofte.notifications.compose import OutgoingEmail
from lofte.notifications.config import mail_settings
from lofte.notifications.dispatcher import Dispatcher
from lofte.notifications.transports import FileDropTransport
from lofte.storage.database import make_engine, migrate, sqlite_synchronous
from lofte.storage.sensitive_keys import throwaway_cipher
from lofte.storage.unit_of_work import SqlStore
from lofte.workflow.core.engine import Engine

START = datetime(2027, 1, 1, tzinfo=UTC)


class TimedTransport:
    """The .eml transport, with the time spent writing files counted apart."""

    def __init__(self, inner: FileDropTransport) -> None:
        self.inner = inner
        self.seconds = 0.0

    def deliver(self, email: OutgoingEmail) -> str:
        started = time.perf_counter()
        try:
            return self.inner.deliver(email)
        finally:
            self.seconds += time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weeks", type=int, default=13)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lofte-bench-outbox-") as folder:
        db = make_engine(f"sqlite:///{folder}/bench.db")
        migrate(db)
        store = SqlStore(db, throwaway_cipher())
        clock = VirtualClock(START)
        engine = Engine(store, clock)
        engine.register(load_packaged())
        mail = Path(folder) / "mail"
        transport = TimedTransport(FileDropTransport(mail))
        dispatcher = Dispatcher(store, clock, transport, mail_settings({}))
        end = START + timedelta(weeks=args.weeks)
        elapsed = cpu_used = 0.0
        sent = 0
        while True:
            with store.unit_of_work(read_only=True) as uow:
                due = uow.timers.next_due()
            if due is None or due > end:
                break
            clock.set(max(due, clock.now()))
            engine.run_due()
            started, cpu = time.perf_counter(), time.process_time()
            sent += dispatcher.run_once().sent  # only delivery is timed
            elapsed += time.perf_counter() - started
            cpu_used += time.process_time() - cpu
        files = len(list(mail.glob("*.eml")))
    rate = sent / elapsed if elapsed else 0.0
    making = elapsed - transport.seconds  # claiming, rendering, composing, recording
    making_rate = sent / making if making else 0.0
    print(f"SQLite WAL, synchronous={sqlite_synchronous()} (LOFTE_SQLITE_SYNCHRONOUS)")
    print(
        f"delivered {sent} messages ({files} .eml files) in {elapsed:.2f} s: "
        f"{rate:.0f} messages/s, {1000 * elapsed / max(sent, 1):.2f} ms each "
        f"({1000 * cpu_used / max(sent, 1):.2f} ms CPU)"
    )
    print(
        f"without writing the files ({transport.seconds:.2f} s): {making_rate:.0f} messages/s "
        "rendered, composed and recorded; target at least 1,000/s"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    calibration = calibration_ms()
    print(f"machine calibration (bench/machine.py): {calibration} ms")
    print(
        "RESULT "
        + json.dumps(
            {
                "messages": sent,
                "messages_per_s": round(rate, 1),
                "rendered_per_s": round(making_rate, 1),
                "ms_per_message": round(1000 * elapsed / max(sent, 1), 3),
                "peak_rss_mib": round(peak, 1),
                "calibration_ms": calibration,
            }
        )
    )


if __name__ == "__main__":
    main()
