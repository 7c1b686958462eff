"""Benchmark: catch-up after a week with no engine (issue 23, item 6), on SQLite and PostgreSQL.

The national example (`lofte example national --municipalities N`) is loaded at START; one
`lofte run` process carries it through `--weeks-before` weeks of virtual time (the clock file
moved a day at a time, as `bench_engines.py` does), and stops. The clock then jumps 7 days (no
engine ran meanwhile) and `lofte run --exit-when-idle` catches up; that process is timed (wall
and its CPU) from start to exit, its delivery of the outbox included.

Checked after the catch-up: each unit whose mail expired during it has one catch-up notice
for each coordinator, and no one has two; no input request, reminder or escalation created
in the catch-up was sendable after its moment had passed (stale mail). Target: 290
municipalities caught up in under 30 s. The last line is `RESULT {json}`.

    .venv/bin/python bench/bench_catch_up.py                        # 290, SQLite and PostgreSQL
    .venv/bin/python bench/bench_catch_up.py --municipalities 50 --database sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, select

from bench import bench_engines as engines
from bench.machine import calibration_ms

DOWN = timedelta(days=7)
STALE_KINDS = ("input_request", "reminder", "escalation")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--municipalities", type=int, default=290, metavar="N")
    parser.add_argument("--weeks-before", type=int, default=1, metavar="W")
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql"), nargs="+", default=["sqlite", "postgresql"]
    )
    args = parser.parse_args()
    results: dict[str, Any] = {"municipalities": args.municipalities}
    with tempfile.TemporaryDirectory(prefix="lofte-catch-up-") as folder:
        defs = engines.national_example(Path(folder), args.municipalities)
        for kind in args.database:
            before = calibration_ms()
            result = one(Path(folder) / kind, defs, kind, args)
            result["calibration_ms"] = [before, calibration_ms()]
            results[kind] = result
            show(kind, result)
    print("target: under 30 s, one notice per coordinator of each unit, no stale mail")
    print("RESULT " + json.dumps(results))


def show(kind: str, r: dict[str, Any]) -> None:
    print(
        f"{kind}: caught up 7 days in {r['wall_s']:.1f} s wall ({r['cpu_s']} s CPU), "
        f"{r['timers_fired']} timers, {r['notices']} catch-up notices to {r['coordinators']} "
        f"coordinators of {r['units_notified']}/{r['units_expired']} units, "
        f"{r['notices_twice']} twice, {r['stale_sendable']} stale sendable, "
        f"{r['expired']} expired, {r['emails']} emails; calibration {r['calibration_ms']} ms"
    )


def one(folder: Path, defs: Path, kind: str, args: argparse.Namespace) -> dict[str, Any]:
    folder.mkdir()
    name = f"lofte_engines_{os.getpid()}_catch_up"
    if kind == "sqlite":
        url = f"sqlite:///{folder}/lofte.db"
    else:
        url = engines.url_of(name)
        engines.create_database(name)
    try:
        engines.prepare(url, defs)
        clock = folder / "clock"
        before = argparse.Namespace(weeks=args.weeks_before, step_hours=24.0, tick=0.05)
        engines.run_engines(folder / "before", url, 1, before, clock=clock)
        down_from = engines.START + timedelta(weeks=args.weeks_before)
        engines.set_clock(clock, down_from + DOWN)
        return catch_up(folder, url, clock) | checked(url, down_from + DOWN)
    finally:
        if kind != "sqlite":
            engines.drop_database(name)


def catch_up(folder: Path, url: str, clock: Path) -> dict[str, Any]:
    env = engines.engine_env(clock, url, folder / "mail")
    out = folder / "catch_up.out"
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "lofte.cli.main", "run", "--exit-when-idle"],
        env=env,
        cwd=folder,
        stdout=out.open("w"),
        stderr=out.with_suffix(".err").open("w"),
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the catch-up failed: {out.with_suffix('.err').read_text()[-2000:]}")
    lines = out.read_text().splitlines()
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "timers_fired": sum(line.startswith("timer ") for line in lines),
        "emails": sum(1 for _ in (folder / "mail").rglob("*.eml")),
    }


def checked(url: str, now: Any) -> dict[str, Any]:
    """The catch-up's notices and stale mail, from the outbox rows created at `now`."""
    from lofte.storage.rows import table
    from lofte.storage.tables import OutboxRow

    o = table(OutboxRow)
    engine = create_engine(url)
    with engine.connect() as c:
        rows = c.execute(
            select(o.c.kind, o.c.unit_id, o.c.person_id, o.c.status, o.c.valid_until).where(
                o.c.created_at >= now
            )
        ).all()
    engine.dispose()
    notices = Counter((r.unit_id, r.person_id) for r in rows if r.kind == "catch_up")
    expired = {r.unit_id for r in rows if r.status == "expired"}
    stale = [
        r
        for r in rows
        if r.kind in STALE_KINDS
        and r.status != "expired"
        and r.valid_until is not None
        and r.valid_until <= now
    ]
    return {
        "notices": sum(notices.values()),
        "notices_twice": sum(1 for n in notices.values() if n > 1),
        "coordinators": len({person for _, person in notices}),
        "units_notified": len({unit for unit, _ in notices}),
        "units_expired": len(expired),
        "expired": sum(1 for r in rows if r.status == "expired"),
        "stale_sendable": len(stale),
    }


if __name__ == "__main__":
    main()
