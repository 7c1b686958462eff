"""Benchmark: `lofte archive` and `lofte archive verify` over a simulated year of the example
police area (five municipalities) on SQLite. Simulates WEEKS weeks from 4 January 2027 with
`lofte simulate`, then times the package of one municipality (and of the police area with all
of them) made in January 2028: the verification of the whole audit chain, building and
writing the package, its size, and checking it offline with and without the audit key. The
last line is `RESULT {json}`.

    .venv/bin/python bench/bench_archive.py [--weeks 52]
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def measure(url: str, folder: Path, unit: str) -> dict[str, Any]:
    from lofte.cli.wiring import connect
    from lofte.kernel.clock import VirtualClock
    from lofte.storage.audit_check import verify_store
    from lofte.workflow.application.archive import make_archive, plan_archive
    from lofte.workflow.application.archive_verify import verify_archive

    wired = connect(url, clock=VirtualClock(datetime(2028, 1, 15, 9, tzinfo=UTC)))
    target = folder / f"arkiv-{unit}"
    started = time.perf_counter()
    plan = plan_archive(wired.app, unit, 2027, target)
    verdict = verify_store(wired.app, wired.store)
    verified = time.perf_counter()
    archived = make_archive(wired.app, plan, verdict, "bench")
    made = time.perf_counter()
    keys = wired.store.audit_keys
    wired.close()
    plain = verify_archive(target, None)
    checked = time.perf_counter()
    keyed = verify_archive(target, keys)
    checked_keyed = time.perf_counter()
    assert verdict.ok and plain.ok and keyed.ok, (verdict, plain.problems, keyed.problems)
    return {
        "unit": unit,
        "cycles": archived.counts["cycles"],
        "answers": archived.counts["answers"],
        "events": archived.counts["events"],
        "withheld": archived.counts["withheld"],
        "files": archived.files,
        "bytes": archived.bytes,
        "chain_verify_s": round(verified - started, 3),
        "package_s": round(made - verified, 3),
        "archive_total_s": round(made - started, 3),
        "offline_verify_s": round(checked - made, 3),
        "offline_verify_keyed_s": round(checked_keyed - checked, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lofte-bench-archive-"))
    # removed after the audit head file's own exit handler (registered later, run earlier)
    atexit.register(shutil.rmtree, folder, True)
    from lofte.cli.main import main as lofte

    os.chdir(folder)  # the keys and the head file are made beside the database
    url = f"sqlite:///{folder / 'lofte.db'}"
    weeks = ["--from", "2027-01-04", "--weeks", str(args.weeks), "--no-mail"]
    started = time.perf_counter()
    assert lofte(["simulate", "--database", url, *weeks, "--inline-delivery"]) == 0
    simulated = time.perf_counter() - started
    results = {
        "weeks": args.weeks,
        "simulate_s": round(simulated, 1),
        "database_bytes": (folder / "lofte.db").stat().st_size,
        "municipality": measure(url, folder, "sala"),
        "police_area": measure(url, folder, "lpo-norra-vastmanland"),
    }
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print("RESULT " + json.dumps(results))


if __name__ == "__main__":
    main()
