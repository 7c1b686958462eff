"""Benchmark: a year of all five cycles in virtual time on SQLite, with 90 % of people
answering. Prints wall time, timers and answers per second, and peak memory."""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from definitions.loader import load_bundle
from storage.database import make_engine, migrate
from storage.sql_store import SqlStore
from workflow.clock import VirtualClock
from workflow.engine import Engine
from workflow.simulation import Simulation


def main(weeks: int = 52) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = make_engine(f"sqlite:///{folder}/bench.db", durable=False)
        migrate(db)
        clock = VirtualClock(datetime(2027, 1, 1, tzinfo=UTC))
        engine = Engine(SqlStore(db), clock)
        engine.register(load_bundle())
        started = time.perf_counter()
        end = clock.now() + timedelta(weeks=weeks)
        report = Simulation(engine, clock, response_rate=0.9, seed=1).run_until(end)
        elapsed = time.perf_counter() - started
    opened = sum(d["opened"] for d in report.as_dict()["definitions"].values())
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"simulated {weeks} weeks: {opened} cycles, {report.timers_fired} timers, "
        f"{report.answers} answers in {elapsed:.2f} s "
        f"({(report.timers_fired + report.answers) / elapsed:.0f} state changes/s); "
        f"peak RSS {peak_mib:.0f} MiB"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 52)
