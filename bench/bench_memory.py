"""Benchmark: memory of a process with N municipalities live (bench/canonical.py's organisation
and definition: one weekly template, five reporters and a chair per municipality). Loads the
files, registers them, opens every cycle, answers every first request; prints RSS (current and
peak) after each phase and the cost per unit; optionally the top allocations (tracemalloc). The
last line is `RESULT {json}`.

    .venv/bin/python bench/bench_memory.py 1900 [--database URL] [--trace]
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.canonical import write
from lofte.definitions.loader import load_bundle
from lofte.kernel.clock import VirtualClock
from lofte.storage.database import make_engine, migrate
from lofte.storage.sensitive_keys import throwaway_cipher
from lofte.storage.unit_of_work import SqlStore
from lofte.workflow.core.engine import Engine

ANSWER = {"iakttagelse": "Lugnt vid torget.", "antal": 2}


def rss_mib() -> float:
    """The resident set now (Linux /proc), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Phases:
    def __init__(self, trace: bool) -> None:
        self.rows: dict[str, dict[str, float]] = {}
        self.trace = trace
        self.cpu = time.process_time()

    def mark(self, name: str) -> None:
        gc.collect()
        row = {
            "rss_mib": round(rss_mib(), 1),
            "peak_mib": round(peak_mib(), 1),
            "cpu_s": round(time.process_time() - self.cpu, 2),
        }
        if self.trace:
            current, peak = tracemalloc.get_traced_memory()
            row["traced_mib"] = round(current / 2**20, 1)
            row["traced_peak_mib"] = round(peak / 2**20, 1)
        self.rows[name] = row
        print(f"{name:>10}: " + ", ".join(f"{k} {v}" for k, v in row.items()), flush=True)
        self.cpu = time.process_time()

    def top(self, limit: int = 25) -> None:
        if not self.trace:
            return
        snapshot = tracemalloc.take_snapshot()
        for stat in snapshot.statistics("lineno")[:limit]:
            print(f"  {stat.size / 1024:9.0f} KiB {stat.count:8d}  {stat.traceback[0]}")


def open_all(engine: Engine, clock: VirtualClock) -> int:
    with engine.store.unit_of_work(read_only=True) as uow:
        due = uow.timers.next_due()
    assert due is not None
    clock.set(max(due, clock.now()))
    return len(engine.run_due())


def answer_all(engine: Engine, units: int) -> int:
    with engine.store.unit_of_work(read_only=True) as uow:
        latest = [uow.cycles.latest("bench", f"m{u}") for u in range(units)]
        asked = [
            r for c in latest if c and c.id for r in uow.requests.open_for_step(c.id, "underlag")
        ]
    for request in asked:
        engine.submit(request.id or 0, request.person_id, ANSWER)
    return len(asked)


def run(units: int, url: str | None, trace: bool) -> dict[str, Any]:
    if trace:
        tracemalloc.start(1)
    phases = Phases(trace)
    phases.mark("start")
    with tempfile.TemporaryDirectory() as folder:
        setup = write(Path(folder) / "setup", units)
        bundle = load_bundle([setup])
        phases.mark("loaded")
        db = make_engine(url or f"sqlite:///{folder}/bench.db")
        migrate(db)
        clock = VirtualClock(datetime(2027, 1, 1, tzinfo=UTC))
        engine = Engine(SqlStore(db, throwaway_cipher()), clock, engine_id="bench")
        engine.register(bundle)
        del bundle
        phases.mark("registered")
        phases.top()
        opened = open_all(engine, clock)
        phases.mark("opened")
        answered = answer_all(engine, units)
        phases.mark("answered")
        phases.top()
        db.dispose()
    assert opened >= units, opened
    base = phases.rows["start"]["rss_mib"]
    live = phases.rows["answered"]["rss_mib"]
    return {
        "units": units,
        "opened": opened,
        "answered": answered,
        "phases": phases.rows,
        "peak_rss_mib": phases.rows["answered"]["peak_mib"],
        "kib_per_unit": round((live - base) * 1024 / units, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("units", type=int, nargs="?", default=1900)
    parser.add_argument("--database", default=None)
    parser.add_argument("--trace", action="store_true", help="tracemalloc (slower)")
    args = parser.parse_args()
    result = run(args.units, args.database, args.trace)
    print(
        f"{args.units} units: peak RSS {result['peak_rss_mib']} MiB, "
        f"{result['kib_per_unit']} KiB per unit live"
    )
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
