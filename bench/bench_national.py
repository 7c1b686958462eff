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
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.municipalities, args.weeks, args.database_file)))
        return
    sizes = (args.municipalities,) if args.municipalities else SIZES
    print(database_line(args.database_file))
    results = {}
    for n in sizes:
        child = [sys.executable, __file__, "--child", "--municipalities", str(n)]
        child += ["--database-file"] if args.database_file else []
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
    print("targets: 290 municipalities in under 300 s with peak RSS under 300 MB")
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


def run_one(municipalities: int, weeks: int, on_file: bool) -> dict[str, Any]:
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
        "peak_rss_mib": round(peak, 1),
    }


def show(n: int, r: dict[str, Any]) -> None:
    print(
        f"{n:>4} municipalities: {r['wall_s']:>7.1f} s, {r['state_changes']} state changes "
        f"({r['state_changes_per_s']}/s), {r['emails']} emails ({r['emails_per_s']}/s), "
        f"peak RSS {r['peak_rss_mib']} MiB, {r['wall_s'] / n:.2f} s per municipality; "
        f"machine calibration before/after {r['calibration_ms']} ms (bench/machine.py)"
    )


if __name__ == "__main__":
    main()
