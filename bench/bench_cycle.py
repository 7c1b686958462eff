"""Benchmark: the canonical cycle (bench/canonical.py), N instances one after another, on
SQLite (default) or PostgreSQL. Prints steps/s, CPU ms per step, SQL statements per step, peak
RSS and bytes per instance; the last line is `RESULT {json}`.

    .venv/bin/python bench/bench_cycle.py 500
    .venv/bin/python bench/bench_cycle.py 500 --database postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, text

from bench.canonical import write
from bench.machine import calibration_ms
from lofte.definitions.loader import load_bundle
from lofte.kernel.clock import VirtualClock
from lofte.storage.audit_head_file import HeadFile
from lofte.storage.database import make_engine, migrate, sqlite_synchronous
from lofte.storage.sensitive_keys import throwaway_cipher
from lofte.storage.unit_of_work import SqlStore
from lofte.workflow.core.engine import Engine
from lofte.workflow.core.records import InputRequest, Timer

STEPS_PER_CYCLE = 9


class Meter:
    """Counts SQL statements and CPU time, only while measuring."""

    def __init__(self, engine: Any) -> None:
        self.statements = 0
        self.cpu = 0.0
        self.wall = 0.0
        self.steps = 0
        self._on = False
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # Statements that read or write data; transaction control (BEGIN) is not counted,
        # the same on SQLite (an explicit BEGIN IMMEDIATE) as on PostgreSQL (implicit).
        if self._on and not statement.startswith("BEGIN"):
            self.statements += 1

    def step(self, work: Any) -> Any:
        self._on = True
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return work()
        finally:
            self.cpu += time.process_time() - cpu
            self.wall += time.perf_counter() - wall
            self._on = False
            self.steps += 1


def open_requests(store: SqlStore, instance_id: int, step: str) -> list[InputRequest]:
    with store.unit_of_work(read_only=True) as uow:
        return uow.requests.open_for_step(instance_id, step)


def to_next_timer(engine: Engine, clock: VirtualClock) -> None:
    with engine.store.unit_of_work(read_only=True) as uow:
        due = uow.timers.next_due()
    assert due is not None
    clock.set(max(due, clock.now()))


def fire_one(engine: Engine) -> Timer | None:
    """The due timer, fired as `lofte run` fires timers (`Engine.run_due`)."""
    fired = engine.run_due(limit=1)
    return fired[0] if fired else None


def one_cycle(engine: Engine, clock: VirtualClock, meter: Meter) -> None:
    to_next_timer(engine, clock)  # the opening (moved past a holiday, in summer or winter time)
    opened: Timer | None = meter.step(lambda: fire_one(engine))
    assert opened is not None and opened.kind.value == "open", opened
    with engine.store.unit_of_work(read_only=True) as uow:
        cycle = uow.cycles.latest("bench", "m0")
    assert cycle is not None and cycle.id is not None
    asked = open_requests(engine.store, cycle.id, "underlag")
    answer = {"iakttagelse": "Lugnt vid torget.", "antal": 2}
    for request in asked[:3]:
        meter.step(lambda r=request: engine.submit(r.id or 0, r.person_id, answer))
    to_next_timer(engine, clock)  # the reminder
    reminded = meter.step(lambda: fire_one(engine))
    assert reminded is not None and reminded.kind.value == "reminder", reminded
    for request in asked[3:]:
        meter.step(lambda r=request: engine.submit(r.id or 0, r.person_id, answer))
    [decision] = open_requests(engine.store, cycle.id, "beslut")
    decided = {
        "motivering": "Fortsätt.",
        "insatser": [{"insats": "Belysning", "ansvarig": "anna-0"}],
    }
    meter.step(lambda: engine.submit(decision.id or 0, decision.person_id, decided))
    follow = [r for r in open_requests(engine.store, cycle.id, "uppfoljning")]
    meter.step(
        lambda: engine.submit(follow[0].id or 0, follow[0].person_id, {"status": "genomford"})
    )


def database_size(url: str, engine: Any) -> int:
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with engine.connect() as c:
        return int(
            c.execute(
                text(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                )
            ).scalar_one()
        )


def run(count: int, url: str, audit_head: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        bundle = load_bundle([write(Path(folder) / "setup")])
        db = make_engine(url)
        migrate(db)
        head = HeadFile(Path(folder) / "lofte-audit.head") if audit_head else None
        store = SqlStore(db, throwaway_cipher(), head_file=head)
        clock = VirtualClock(datetime(2027, 1, 1, tzinfo=UTC))
        engine = Engine(store, clock, engine_id="bench")
        engine.register(bundle)
        meter = Meter(db)
        for _ in range(count):
            one_cycle(engine, clock, meter)
        assert meter.steps == count * STEPS_PER_CYCLE
        size = database_size(url, db)
        db.dispose()
    return {
        "instances": count,
        "steps": meter.steps,
        "steps_per_s": round(meter.steps / meter.wall, 1),
        "cpu_ms_per_step": round(meter.cpu / meter.steps * 1000, 3),
        "statements_per_step": round(meter.statements / meter.steps, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "bytes_per_instance": size // count,
        "database": url.split(":", 1)[0],
        "sqlite_synchronous": sqlite_synchronous() if url.startswith("sqlite") else None,
        "calibration_ms": calibration_ms(),  # bench/machine.py: this machine's speed now
        "audit_head_file": audit_head,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=200)
    parser.add_argument("--database", default=None, help="default: a SQLite file in a temp folder")
    parser.add_argument(
        "--audit-head", action="store_true", help="write the audit head file after each commit"
    )
    args = parser.parse_args()
    if args.database and args.database.startswith("postgres"):
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.database.replace("postgresql://", "postgresql+psycopg://"))
        with admin.begin() as c:
            c.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            joiner = "&" if "?" in args.database else "?"
            result = run(
                args.count,
                f"{args.database}{joiner}options=-csearch_path%3D{schema}",
                args.audit_head,
            )
        finally:
            with admin.begin() as c:
                c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    else:
        with tempfile.TemporaryDirectory() as folder:
            result = run(
                args.count, args.database or f"sqlite:///{folder}/bench.db", args.audit_head
            )
    level = result["sqlite_synchronous"]
    sync = f" (synchronous={level})" if level else ""
    print(
        f"canonical cycle × {result['instances']} on {result['database']}"
        f"{sync}: "
        f"{result['steps']} steps, {result['steps_per_s']} steps/s, "
        f"{result['cpu_ms_per_step']} ms CPU and {result['statements_per_step']} SQL statements "
        "per step, "
        f"peak RSS {result['peak_rss_mib']} MiB, {result['bytes_per_instance']} bytes per instance"
    )
    print(f"machine calibration (bench/machine.py): {result['calibration_ms']} ms")
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
