"""Benchmark: one year of the national example (`lofte example national`) in virtual time, with
simulated answers and every email rendered and written as an `.eml` file, through the real
command (`lofte simulate`). Each size runs in its own process, so peak RSS is per size. Prints
wall time, state changes per second (timers fired and answers), emails per second and peak
RSS, and how the cost grows per municipality; the last line is `RESULT {json}`.

By default the year runs as `lofte simulate` runs it without `--database`: in a database of
its own that is deleted afterwards, so its rollback journal is kept in memory and nothing is
synced (`throw_away`, storage/database.py). `--database-file` runs it into a database file as
a deployment keeps one: write-ahead log (WAL), synchronous level as configured (NORMAL unless
LOFTE_SQLITE_SYNCHRONOUS says FULL).

    .venv/bin/python bench/bench_national.py                      # 10, 50 and 290
    .venv/bin/python bench/bench_national.py --municipalities 50
    .venv/bin/python bench/bench_national.py --municipalities 290 --database-file
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import calibration_ms

SIZES = (10, 50, 290)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--municipalities", type=_municipalities, metavar="N", help="1 to 290")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument(
        "--database-file",
        action="store_true",
        help="simulate into a database file (WAL) instead of simulate's throw-away database",
    )
    parser.add_argument(
        "--processes", type=int, metavar="N", help="lofte simulate --processes (default: its own)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        found = run_one(args.municipalities, args.weeks, args.database_file, args.processes)
        print(json.dumps(found))
        return
    sizes = (args.municipalities,) if args.municipalities else SIZES
    print(database_line(args.database_file))
    results = {}
    for n in sizes:
        child = [sys.executable, __file__, "--child", "--municipalities", str(n)]
        child += ["--database-file"] if args.database_file else []
        child += ["--processes", str(args.processes)] if args.processes else []
        before = calibration_ms()  # this machine's speed, idle, just before and after
        out = subprocess.run(
            [*child, "--weeks", str(args.weeks)], check=True, capture_output=True, text=True
        )
        results[n] = json.loads(out.stdout.strip().splitlines()[-1])
        results[n]["calibration_ms"] = [before, calibration_ms()]
        show(n, results[n])
    if len(results) > 1:
        first, last = min(results), max(results)
        grow = (results[last]["wall_s"] / last) / (results[first]["wall_s"] / first)
        print(f"seconds per municipality grow {grow:.2f}× from {first} to {last} (1.0 = linear)")
    print("targets: 290 municipalities in under 90 s (issue 23), linear")
    print("RESULT " + json.dumps({str(k): v for k, v in results.items()}))


def _municipalities(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= 290:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number from 1 to 290")
    return number


def database_line(on_file: bool) -> str:
    if not on_file:
        return (
            "SQLite, lofte simulate's throw-away database: rollback journal in memory, "
            "synchronous=OFF"
        )
    from lofte.storage.database import sqlite_synchronous

    return f"SQLite database file: WAL, synchronous={sqlite_synchronous()}"


def run_one(
    municipalities: int, weeks: int, on_file: bool, processes: int | None = None
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="lofte-bench-national-") as folder:
        env = dict(os.environ, LOFTE_MAIL_DIR=str(Path(folder) / "mail"))
        lofte = [sys.executable, "-m", "lofte.cli.main"]
        setup = Path(folder) / "setup"
        subprocess.run(
            [*lofte, "example", "national", "--municipalities", str(municipalities), str(setup)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        database = ["--database", f"sqlite:///{folder}/national.db"] if on_file else []
        database += ["--processes", str(processes)] if processes else []
        cpu_before = _children_cpu()
        started = time.perf_counter()
        out = subprocess.run(
            [
                *lofte,
                "simulate",
                "--definitions",
                str(setup),
                "--from",
                "2027-01-04",
                "--weeks",
                str(weeks),
                "--json",
                *database,  # none: simulate's own throw-away database
            ],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before  # every process of the run: engines and workers
        report = json.loads(out.stdout)
        emails = sum(1 for _ in (Path(folder) / "mail").glob("*.eml"))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    changes = report["timers_fired"] + report["answers"]
    return {
        "municipalities": municipalities,
        "database": "file, WAL" if on_file else "throw-away",
        "wall_s": round(wall, 1),
        "state_changes": changes,
        "state_changes_per_s": round(changes / wall, 1),
        "emails": emails,
        "emails_per_s": round(emails / wall, 1),
        "peak_rss_mib": round(peak, 1),  # the largest single process
        "cpu_s": round(cpu, 1),
        "processes": _processes(out.stderr),
    }


def _processes(stderr: str) -> list[dict[str, Any]]:
    """Each process's peak RSS, which `lofte simulate --processes N` writes to stderr."""
    for line in stderr.splitlines():
        if line.startswith("processer: "):
            return list(json.loads(line.removeprefix("processer: ")))
    return []


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def show(n: int, r: dict[str, Any]) -> None:
    print(
        f"{n:>4} municipalities: {r['wall_s']:>7.1f} s, {r['state_changes']} state changes "
        f"({r['state_changes_per_s']}/s), {r['emails']} emails ({r['emails_per_s']}/s), "
        f"CPU {r['cpu_s']} s, peak RSS {r['peak_rss_mib']} MiB (largest process), "
        f"{r['wall_s'] / n:.2f} s per municipality; "
        f"machine calibration before/after {r['calibration_ms']} ms (bench/machine.py)"
    )
    for i, p in enumerate(r["processes"]):
        print(
            f"      process {i + 1}: {p['police_areas']} police areas, peak RSS "
            f"{p['peak_rss_mib']} MiB, its delivery worker {p['worker_peak_rss_mib']} MiB"
        )
    if r["processes"]:
        total = sum(p["peak_rss_mib"] + p["worker_peak_rss_mib"] for p in r["processes"])
        print(f"      sum of the parts' peaks {total:.1f} MiB (besides the parent process)")


if __name__ == "__main__":
    main()
