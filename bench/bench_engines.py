"""Benchmark: engines side by side on one PostgreSQL database (issue 23, item 5).

A national year's timers, carried by real `lofte run` processes: the national example
(`lofte example national --municipalities N`) is loaded into a fresh PostgreSQL database
(`lofte_engines_<pid>`, dropped afterwards) at START, and copied (`CREATE DATABASE ... TEMPLATE`)
once for each run, so one engine and two engines start from the same database. Time is
virtual: the engines read a clock file (LOFTE_CLOCK_FILE), which this script moves through the
year in steps: from each moment to the later of the next pending timer's and one `--step`
on (a day by default), once the engines have fired every timer due (none pending is due).
Nobody answers, so deadlines pass, reminders and escalations go out; the engines also deliver
their outbox (every email rendered and written to a mail folder), as `lofte run` does.

Printed per run: wall time from starting the processes until the year's last due timer has
fired, the timers fired (from the timers table, and the `timer` lines the processes printed:
each fired timer is reported once, by the engine that fired it), per engine, and whether the
two runs did the same (audit events, timers, outbox keys and cycles, independent of row ids
and of which engine did what, as `tests/test_engine_processes.py` compares). Then the ratio
of two engines' wall time to one's (target: at most 0.6), machine calibration before and after
(`bench/machine.py`; the machine is shared, so wall time varies), and `RESULT {json}` last.

    .venv/bin/python bench/bench_engines.py                         # 290 municipalities, 52 weeks
    .venv/bin/python bench/bench_engines.py --municipalities 50 --weeks 8
    .venv/bin/python bench/bench_engines.py --catch-up              # item 6: see bench_catch_up
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text

from bench.machine import calibration_ms

SERVER = os.environ.get("LOFTE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
START = datetime(2027, 1, 4, tzinfo=UTC)  # a Monday
INSTALLATION_ID = "benchengines1"


def _next_due(now: datetime) -> Any:
    """The next pending timer's moment, and whether the outbox holds mail to send `now`."""
    from sqlalchemy import exists, func, or_, select

    from lofte.storage.rows import TIMERS, table
    from lofte.storage.tables import OutboxRow

    t, o = TIMERS, table(OutboxRow)
    first = (
        select(func.min(func.coalesce(t.c.next_attempt_at, t.c.due_at)))
        .where(t.c.status == "pending")
        .scalar_subquery()
    )
    mail = exists().where(
        or_(
            o.c.status == "sending",
            (o.c.status == "pending")
            & (o.c.next_attempt_at.is_(None) | (o.c.next_attempt_at <= now)),
        )
    )
    return select(first, mail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--municipalities", type=int, default=290, metavar="N")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--step-hours", type=float, default=24.0, metavar="H")
    parser.add_argument("--tick", type=float, default=0.05, metavar="S", help="`run --tick`")
    parser.add_argument("--engines", type=int, nargs="+", default=[1, 2], metavar="K")
    parser.add_argument("--catch-up", action="store_true", help="item 6 (bench_catch_up.py)")
    args = parser.parse_args()
    if args.catch_up:
        from bench.bench_catch_up import main as catch_up_main

        sys.argv = [sys.argv[0], "--municipalities", str(args.municipalities)]
        catch_up_main()
        return
    with tempfile.TemporaryDirectory(prefix="lofte-engines-") as folder:
        results = compare(Path(folder), args)
    print("RESULT " + json.dumps(results))


def compare(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    base = f"lofte_engines_{os.getpid()}"
    defs = national_example(folder, args.municipalities)
    made: list[str] = []
    results: dict[str, Any] = {"municipalities": args.municipalities, "weeks": args.weeks}
    signatures: dict[int, Counter[tuple[object, ...]]] = {}
    try:
        made.append(base)
        create_database(base)
        started = time.perf_counter()
        prepare(url_of(base), defs)
        analyze(base)
        loading = time.perf_counter() - started
        print(f"loaded {args.municipalities} municipalities in {loading:.1f} s")
        for k in args.engines:
            copy = f"{base}_{k}"
            made.append(copy)
            create_database(copy, template=base)
            before = calibration_ms()
            run = run_engines(folder / f"run{k}", url_of(copy), k, args)
            run["calibration_ms"] = [before, calibration_ms()]
            signatures[k] = signature(url_of(copy))
            results[f"engines_{k}"] = run
            show(k, run)
    finally:
        for name in reversed(made):
            drop_database(name)
    verdict(results, signatures, args.engines)
    return results


def verdict(
    results: dict[str, Any], signatures: dict[int, Counter[tuple[object, ...]]], ks: list[int]
) -> None:
    if len(ks) < 2:
        return
    one, two = results[f"engines_{ks[0]}"], results[f"engines_{ks[1]}"]
    same = signatures[ks[0]] == signatures[ks[1]]
    ratio = two["wall_s"] / one["wall_s"]
    # On a machine other work shares, wall time is mostly the scheduler's share: the busiest
    # engine's CPU against the one engine's is what two free cores would give at best.
    cpu_ratio = max(two["engine_cpu_each_s"]) / max(one["engine_cpu_each_s"])
    results["ratio"] = round(ratio, 3)
    results["busiest_cpu_ratio"] = round(cpu_ratio, 3)
    results["same_outcome"] = same
    print(
        f"{ks[1]} engines / {ks[0]}: wall {ratio:.2f}× (target ≤ 0.6), the busiest engine's CPU "
        f"{cpu_ratio:.2f}×; same audit events, timers, outbox and cycles: "
        f"{'yes' if same else 'NO'}"
    )
    if not same:
        diff = (signatures[ks[0]] - signatures[ks[1]]) + (signatures[ks[1]] - signatures[ks[0]])
        print(f"  differences (first 10): {list(diff.items())[:10]}")


def show(k: int, run: dict[str, Any]) -> None:
    print(
        f"{k} engine(s): {run['wall_s']:.1f} s wall ({run['steps']} clock steps), "
        f"{run['fired']} timers fired ({run['fired_by']}), {run['timer_lines']} reported, "
        f"{run['fired_twice']} fired twice, {run['emails']} emails, "
        f"engine CPU {run['engine_cpu_each_s']} s, calibration {run['calibration_ms']} ms"
    )


def url_of(name: str) -> str:
    return SERVER.rsplit("/", 1)[0] + "/" + name


def _admin(statement: str) -> None:
    engine = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(statement))
    engine.dispose()


def create_database(name: str, template: str | None = None) -> None:
    _admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop_database(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def analyze(name: str) -> None:
    engine = create_engine(url_of(name), isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text("ANALYZE"))
    engine.dispose()


def national_example(folder: Path, n: int) -> Path:
    defs = folder / "national"
    lofte_cli(["example", "national", "--municipalities", str(n), str(defs)])
    return defs


def lofte_cli(argv: list[str]) -> None:
    subprocess.run([sys.executable, "-m", "lofte.cli.main", *argv], check=True, env=_env_path())


def _env_path() -> dict[str, str]:
    root = str(Path(__file__).resolve().parent.parent)
    return dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))


def audit_keys() -> Any:
    from lofte.storage.audit_keys import throwaway_audit_keys

    global _KEYS
    if _KEYS is None:
        _KEYS = throwaway_audit_keys()
    return _KEYS


_KEYS: Any = None


def prepare(url: str, defs: Path, start: datetime = START) -> None:
    """A migrated database with a known installation id and the setup loaded at `start` (as
    `tests/test_engine_processes.py` prepares one)."""
    from lofte.definitions.loader import load_bundle
    from lofte.kernel.clock import VirtualClock
    from lofte.storage.database import make_engine, migrate
    from lofte.storage.sensitive_keys import throwaway_cipher
    from lofte.storage.unit_of_work import SqlStore
    from lofte.workflow.core.engine import INSTALLATION, Engine

    db = make_engine(url)
    migrate(db)
    store = SqlStore(db, throwaway_cipher(), audit_keys())
    with store.unit_of_work() as uow:
        uow.settings.put(INSTALLATION, INSTALLATION_ID)
    Engine(store, VirtualClock(start)).register(load_bundle([defs]), actor="bench")
    store.close()  # its kept connection too: a template database has no sessions


def engine_env(clock: Path, url: str, mail: Path) -> dict[str, str]:
    return dict(
        _env_path(),
        LOFTE_CLOCK_FILE=str(clock),
        LOFTE_DATABASE_URL=url,
        LOFTE_MAIL_DIR=str(mail),
        LOFTE_AUDIT_KEY=audit_keys().current.secret.decode(),
        PYTHONUNBUFFERED="1",
    )


def set_clock(clock: Path, moment: datetime) -> None:
    """Moved at once: written beside the file, then renamed over it."""
    beside = clock.with_suffix(".new")
    beside.write_text(moment.isoformat())
    os.replace(beside, clock)


def run_engines(
    folder: Path, url: str, k: int, args: argparse.Namespace, clock: Path | None = None
) -> dict[str, Any]:
    """`k` `lofte run` processes carried through `args.weeks`; what they did."""
    folder.mkdir()
    clock = clock or folder / "clock"
    set_clock(clock, START)
    env = engine_env(clock, url, folder / "mail")
    outs = [folder / f"engine{i}.out" for i in range(k)]
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "lofte.cli.main", "run", "--tick", str(args.tick)],
            env=env,
            cwd=folder,
            stdout=out.open("w"),
            stderr=out.with_suffix(".err").open("w"),
        )
        for out in outs
    ]
    try:
        steps = carry(url, clock, START + timedelta(weeks=args.weeks), args, processes)
        wall = time.perf_counter() - started
    finally:
        cpu = stop_all(processes)
    return counted(url, outs, folder / "mail") | {
        "wall_s": round(wall, 2),
        "steps": steps,
        "engine_cpu_s": round(sum(cpu), 1),
        "engine_cpu_each_s": cpu,
    }


def carry(
    url: str, clock: Path, end: datetime, args: argparse.Namespace, processes: list[Any]
) -> int:
    """Move the clock through to `end`; each step once no pending timer is due and the outbox
    has sent what is due (so no message expires because delivery lagged). Returns the
    number of steps."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    now, steps, step = START, 0, timedelta(hours=args.step_hours)
    try:
        with engine.connect() as c:
            while True:
                due, mail = c.execute(_next_due(now)).one()
                if mail or (due is not None and due <= now):
                    for p in processes:
                        if p.poll() is not None:
                            raise SystemExit(f"an engine ended ({p.returncode}); see its .err")
                    time.sleep(0.005)
                    continue
                if due is None or due > end:
                    return steps
                now = min(max(due, now + step), end)
                set_clock(clock, now)
                steps += 1
    finally:
        engine.dispose()


def stop_all(processes: list[Any]) -> list[float]:
    """SIGTERM each (a clean stop), wait; the CPU seconds each process used."""
    for p in processes:
        p.send_signal(signal.SIGTERM)
    cpu = []
    for p in processes:
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        cpu.append(round(usage.ru_utime + usage.ru_stime, 1))
    return cpu


def counted(url: str, outs: list[Path], mail: Path) -> dict[str, Any]:
    engine = create_engine(url)
    with engine.connect() as c:
        fired_by = dict(
            c.execute(
                text("SELECT fired_by, count(*) FROM timers WHERE status = 'fired' GROUP BY 1")
            ).all()
        )
        pending = c.execute(text("SELECT count(*) FROM timers WHERE status = 'pending'")).scalar()
    engine.dispose()
    # Each timer is claimed by turning it from pending to fired, so it fires at most once; a
    # `timer` line more than the table's fired timers would be a second firing.
    lines = sum(line.startswith("timer ") for out in outs for line in out.read_text().splitlines())
    fired = sum(fired_by.values())
    return {
        "fired": fired,
        "fired_by": sorted(fired_by.values(), reverse=True),
        "timer_lines": lines,
        "fired_twice": lines - fired,
        "pending_after": pending,
        "emails": sum(1 for _ in mail.rglob("*.eml")) if mail.exists() else 0,
    }


def signature(url: str) -> Counter[tuple[object, ...]]:
    """What happened, independent of row ids and of which process did it."""
    engine = create_engine(url)
    with engine.connect() as c:
        audit = c.execute(
            text("SELECT unit_id, definition_name, event, from_state, to_state FROM audit_events")
        ).all()
        timers = c.execute(text("SELECT key, status FROM timers")).all()
        outbox = c.execute(text("SELECT key FROM outbox")).all()
        cycles = c.execute(text("SELECT key, state, outcome FROM cycle_instances")).all()
    engine.dispose()
    return Counter(
        [("audit", *row) for row in audit if row[2] not in ("setup_loaded",)]
        + [("timer", *row) for row in timers]
        + [("outbox", row[0]) for row in outbox]
        + [("cycle", *row) for row in cycles]
    )


if __name__ == "__main__":
    main()
