"""Benchmark: N municipalities' cycles live at once. The canonical definition
(bench/canonical.py) with `organisation(N)`: every municipality's cycle opens at the same
moment (the opening timers fire, as `lofte run` fires them), then every cycle's first answer,
every second answer, ... the fifth (its inputs complete: the decision is asked for), every
decision, every follow-up. Each phase runs with all N cycles open. Prints, per phase, steps,
CPU ms and SQL statements per step and steps/s; the average; peak RSS and KiB per unit; on
PostgreSQL the slowest timer claim. The last line is `RESULT {json}`.

    .venv/bin/python bench/bench_live.py 1900
    .venv/bin/python bench/bench_live.py 1900 --database postgresql://postgres@127.0.0.1:5432/postgres

On PostgreSQL each run creates a brand-new database (`lofte_live_<pid>`) on the server of the
URL given and drops it afterwards: item 7 of issue 23 is about a database without statistics.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from bench.bench_cycle import database_size
from bench.canonical import PEOPLE, write
from bench.machine import calibration_ms
from lofte.definitions.loader import load_bundle
from lofte.kernel.clock import VirtualClock
from lofte.storage.database import analyze, make_engine, migrate, sqlite_synchronous
from lofte.storage.repositories.timers import SqlTimers
from lofte.storage.sensitive_keys import throwaway_cipher
from lofte.storage.unit_of_work import SqlStore
from lofte.workflow.core.engine import Engine
from lofte.workflow.core.records import InputRequest, Timer

ANSWER = {"iakttagelse": "Lugnt vid torget.", "antal": 2}
FOLLOW_UP = {"status": "genomford"}
T = TypeVar("T")


def rss_kib() -> int:
    """The process's resident set now (not the peak), in KiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


class Meter:
    """Counts SQL statements (as `bench_cycle.Meter`, transaction control not counted) and CPU
    and wall time, only while measuring. One listener that returns its arguments
    (`retval=True`): SQLAlchemy then calls it as it is, without wrapping it in another call,
    so measuring costs a step less than `bench_cycle.Meter`'s listener does."""

    def __init__(self, engine: Any) -> None:
        self.statements = 0
        self.cpu = 0.0
        self.wall = 0.0
        self.steps = 0
        self.each: list[float] = []  # CPU seconds of each call of `step`
        self._on = False
        event.listen(engine, "before_cursor_execute", self._count, retval=True)

    def _count(self, _c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> Any:
        if self._on and not statement.startswith("BEGIN"):
            self.statements += 1
        return statement, parameters

    def step(self, work: Callable[[], T]) -> T:
        self._on = True
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return work()
        finally:
            self.each.append(time.process_time() - cpu)
            self.cpu += self.each[-1]
            self.wall += time.perf_counter() - wall
            self._on = False
            self.steps += 1


@contextmanager
def claims_timed() -> Iterator[list[float]]:
    """The wall time of each timer claim alone (`SqlTimers.claim_due`: the one UPDATE of
    `storage/repositories/timers.py`'s `_CLAIM` that claims the earliest due pending timer,
    and the row made a Timer), including the last of each batch, which finds none."""
    times: list[float] = []
    claim = SqlTimers.claim_due

    def timed(self: SqlTimers, now: datetime, by: str) -> Timer | None:
        # PostgreSQL: the writes the timer before left deferred go to the server with the
        # next statement (`storage.postgres_direct`); sent first, so the claim is timed alone
        # (on PostgreSQL this adds a round trip to each claim; nothing on SQLite).
        self.driver.before_statement(self.connection.connection)
        started = time.perf_counter()
        try:
            return claim(self, now, by)
        finally:
            times.append(time.perf_counter() - started)

    SqlTimers.claim_due = timed  # type: ignore[method-assign]
    try:
        yield times
    finally:
        SqlTimers.claim_due = claim  # type: ignore[method-assign]


class Phases:
    """A Meter per phase: steps, CPU, statements, wall time."""

    def __init__(self, db: Any) -> None:
        self.meter = Meter(db)
        self.rows: list[dict[str, Any]] = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        before = (self.meter.steps, self.meter.cpu, self.meter.statements, self.meter.wall)
        first = len(self.meter.each)
        yield
        each = sorted(self.meter.each[first:])
        steps = self.meter.steps - before[0]
        cpu = self.meter.cpu - before[1]
        wall = self.meter.wall - before[3]
        self.rows.append(
            {
                "phase": name,
                "steps": steps,
                "cpu_ms_per_step": round(cpu / steps * 1000, 3),
                # The median step (of a batch of openings: the batch's CPU / its openings):
                # on a shared machine the mean also carries the steps another process slowed.
                "median_cpu_ms": round(each[len(each) // 2] * 1000, 3),
                "statements_per_step": round((self.meter.statements - before[2]) / steps, 2),
                "steps_per_s": round(steps / wall, 1),
            }
        )


def fire_openings(engine: Engine, phases: Phases, count: int) -> None:
    fired = 0
    with phases.phase("öppna"):
        while fired < count:
            # As `lofte run` fires them: in batches (`firing.TOGETHER`), each in one unit of
            # work, measured as the steps it fired.
            batch = phases.meter.step(lambda: engine.run_due(20))
            assert batch and all(t.kind.value == "open" for t in batch), batch
            phases.meter.steps += len(batch) - 1
            phases.meter.each[-1] /= len(batch)
            fired += len(batch)
    assert fired == count, fired


def requests_of(store: Any, count: int, step: str) -> list[list[InputRequest]]:
    """Every cycle's open requests of `step`, by municipality."""
    found = []
    with store.unit_of_work(read_only=True) as uow:
        for u in range(count):
            cycle = uow.cycles.latest("bench", f"m{u}")
            assert cycle is not None and cycle.id is not None
            found.append(uow.requests.open_for_step(cycle.id, step))
    return found


def answer_all(
    engine: Engine, phases: Phases, name: str, requests: list[InputRequest], answer: Any
) -> None:
    with phases.phase(name):
        for request in requests:
            phases.meter.step(lambda r=request: engine.submit(r.id or 0, r.person_id, answer))


def workload(engine: Engine, phases: Phases, count: int) -> None:
    fire_openings(engine, phases, count)
    asked = requests_of(engine.store, count, "underlag")
    assert all(len(a) == len(PEOPLE) for a in asked)
    for k in range(len(PEOPLE)):
        answer_all(engine, phases, f"svar {k + 1}", [a[k] for a in asked], ANSWER)
    decisions = [d for [d] in requests_of(engine.store, count, "beslut")]
    with phases.phase("beslut"):
        for u, request in enumerate(decisions):
            action = {"insats": "Belysning", "ansvarig": f"anna-{u}"}  # a person of the unit
            values = {"motivering": "Fortsätt.", "insatser": [action]}
            phases.meter.step(lambda r=request, v=values: engine.submit(r.id or 0, r.person_id, v))
    follow = [f[0] for f in requests_of(engine.store, count, "uppfoljning")]
    answer_all(engine, phases, "uppföljning", follow, FOLLOW_UP)


def run(count: int, url: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        baseline = rss_kib()
        bundle = load_bundle([write(Path(folder) / "setup", count)])
        db = make_engine(url)
        migrate(db)
        store = SqlStore(db, throwaway_cipher())
        # The first opening: Monday 4 January 2027, 09:00 local time.
        clock = VirtualClock(datetime(2027, 1, 4, 8, 0, tzinfo=UTC))
        engine = Engine(store, clock, engine_id="bench")
        engine.register(bundle)
        analyze(db)  # as `lofte init` does after loading a setup
        with store.unit_of_work(read_only=True) as uow:
            due = uow.timers.next_due()
        assert due is not None
        clock.set(max(due, clock.now()))
        phases = Phases(db)
        with claims_timed() as claims:
            workload(engine, phases, count)
        loaded = rss_kib()
        size = database_size(url, db)
        db.dispose()
    meter = phases.meter
    return {
        "units": count,
        "phases": phases.rows,
        "steps": meter.steps,
        "steps_per_s": round(meter.steps / meter.wall, 1),
        "cpu_ms_per_step": round(meter.cpu / meter.steps * 1000, 3),
        "statements_per_step": round(meter.statements / meter.steps, 2),
        "slowest_phase_ms": max(p["cpu_ms_per_step"] for p in phases.rows),
        "claims": len(claims),
        "slowest_claim_ms": round(max(claims) * 1000, 2),
        "slowest_claim_number": claims.index(max(claims)) + 1,  # the first claim is 1
        "median_claim_ms": round(sorted(claims)[len(claims) // 2] * 1000, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_baseline_mib": round(baseline / 1024, 1),
        "rss_after_mib": round(loaded / 1024, 1),
        "kib_per_unit": round((loaded - baseline) / count, 1),
        "bytes_per_unit_in_database": size // count,
        "database": url.split(":", 1)[0],
        "sqlite_synchronous": sqlite_synchronous() if url.startswith("sqlite") else None,
        "calibration_ms": calibration_ms(),  # bench/machine.py: this machine's speed now
    }


@contextmanager
def new_postgres_database(url: str) -> Iterator[str]:
    """A brand-new database on the server of `url`, dropped afterwards."""
    name = f"lofte_live_{os.getpid()}"
    server = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield server.set(database=name, drivername="postgresql").render_as_string(
            hide_password=False
        )
    finally:
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def report(result: dict[str, Any]) -> None:
    level = result["sqlite_synchronous"]
    sync = f" (synchronous={level})" if level else " (a new database)"
    print(f"{result['units']} municipalities live at once on {result['database']}{sync}")
    print(
        f"{'phase':<12} {'steps':>6} {'CPU ms/step':>12} {'median':>7} {'SQL/step':>9} "
        f"{'steps/s':>9}"
    )
    for p in result["phases"]:
        print(
            f"{p['phase']:<12} {p['steps']:>6} {p['cpu_ms_per_step']:>12.3f} "
            f"{p['median_cpu_ms']:>7.3f} {p['statements_per_step']:>9.2f} {p['steps_per_s']:>9.1f}"
        )
    print(
        f"{'all':<12} {result['steps']:>6} {result['cpu_ms_per_step']:>12.3f} {'':>7} "
        f"{result['statements_per_step']:>9.2f} {result['steps_per_s']:>9.1f}"
    )
    print(
        f"peak RSS {result['peak_rss_mib']} MiB; {result['kib_per_unit']} KiB per unit "
        f"(resident set after loading and running, {result['rss_after_mib']} MiB, minus the "
        f"baseline before loading, {result['rss_baseline_mib']} MiB, divided by "
        f"{result['units']})"
    )
    print(
        f"slowest claim {result['slowest_claim_ms']} ms (claim {result['slowest_claim_number']} "
        f"of {result['claims']}; median {result['median_claim_ms']} ms)"
    )
    print(f"machine calibration (bench/machine.py): {result['calibration_ms']} ms")
    print("RESULT " + json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=200)
    parser.add_argument(
        "--database",
        default=None,
        help="default: a SQLite file in a temp folder; postgresql://...: a new database there",
    )
    args = parser.parse_args()
    if args.database and args.database.startswith("postgres"):
        with new_postgres_database(args.database) as url:
            result = run(args.count, url)
    else:
        with tempfile.TemporaryDirectory() as folder:
            result = run(args.count, args.database or f"sqlite:///{folder}/bench.db")
    report(result)


if __name__ == "__main__":
    main()
