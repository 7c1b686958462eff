"""Benchmark: render, compose and deliver outbox messages as .eml files (the embedded default).

A quarter of the example police area in which nobody answers fills the outbox with requests,
reminders, escalations, summaries and meeting invitations; the dispatcher then delivers them
all (its clock at the quarter's start, so none has expired). Prints messages per second and
milliseconds per message; the last line is `RESULT {json}`.

    .venv/bin/python bench/bench_outbox.py [--weeks 13]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from definitions.loader import load_packaged
from notifications.config import mail_settings
from notifications.dispatcher import Dispatcher
from notifications.transports import FileDropTransport
from storage.database import make_engine, migrate, sqlite_synchronous
from storage.sensitive_keys import throwaway_cipher
from storage.unit_of_work import SqlStore
from workflow.core.engine import Engine
from workflow.kernel.clock import VirtualClock

START = datetime(2027, 1, 1, tzinfo=UTC)


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
        end = START + timedelta(weeks=args.weeks)
        while True:
            with store.unit_of_work(read_only=True) as uow:
                due = uow.timers.next_due()
            if due is None or due > end:
                break
            clock.set(max(due, clock.now()))
            engine.run_due()
        mail = Path(folder) / "mail"
        dispatcher = Dispatcher(
            store, VirtualClock(START), FileDropTransport(mail), mail_settings({})
        )
        started, cpu = time.perf_counter(), time.process_time()
        report = dispatcher.run_once()
        elapsed, cpu_used = time.perf_counter() - started, time.process_time() - cpu
        files = len(list(mail.glob("*.eml")))
    rate = report.sent / elapsed if elapsed else 0.0
    print(f"SQLite WAL, synchronous={sqlite_synchronous()} (LOFTE_SQLITE_SYNCHRONOUS)")
    print(
        f"delivered {report.sent} messages ({files} .eml files) in {elapsed:.2f} s: "
        f"{rate:.0f} messages/s, {1000 * elapsed / max(report.sent, 1):.2f} ms each "
        f"({1000 * cpu_used / max(report.sent, 1):.2f} ms CPU); target at least 1,000/s"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        "RESULT "
        + json.dumps(
            {
                "messages": report.sent,
                "messages_per_s": round(rate, 1),
                "ms_per_message": round(1000 * elapsed / max(report.sent, 1), 3),
                "peak_rss_mib": round(peak, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
