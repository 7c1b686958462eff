"""Benchmark: render, compose and deliver outbox messages to the .eml folder (the embedded
default). Prints messages per second and milliseconds per message."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from storage.sql_store import SqlStore
from workflow.clock import VirtualClock
from workflow.engine import Engine

from definitions.loader import load_bundle
from notifications.config import mail_settings
from notifications.dispatcher import Dispatcher
from notifications.transports import FileDropTransport
from storage.database import make_engine, migrate


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = make_engine(f"sqlite:///{folder}/bench.db", durable=False)
        migrate(db)
        clock = VirtualClock(datetime(2027, 1, 1, tzinfo=UTC))
        engine = Engine(SqlStore(db), clock)
        engine.register(load_bundle())
        end = datetime(2027, 4, 1, tzinfo=UTC)
        while True:  # a quarter in which nobody answers: many requests and reminders
            with engine.store.transaction() as tx:
                due = tx.next_timer_due()
            if due is None or due > end:
                break
            clock.set(max(due, clock.now()))
            engine.run_due()
        settings = mail_settings({})
        dispatcher = Dispatcher(
            engine.store, clock, FileDropTransport(Path(folder) / "mail"), settings
        )
        started = time.perf_counter()
        report = dispatcher.run_once()
        elapsed = time.perf_counter() - started
    print(
        f"delivered {report.sent} messages to .eml files in {elapsed:.2f} s: "
        f"{report.sent / elapsed:.0f} messages/s, {elapsed / report.sent * 1000:.1f} ms each"
    )


if __name__ == "__main__":
    main()
