"""Benchmark: what a Prometheus scrape of `/metrics` and a probe of `/readyz` cost over a
simulated year of the example police area (every figure is read from the database at the
moment of the scrape). Prints the table sizes and p50/p95 of the figures' read, of `/metrics`
and of `/readyz` through the app; the last line is `RESULT {json}`.

    .venv/bin/python bench/bench_metrics.py [--weeks 52] [--database URL] [--scrapes 200]

With `--database` the database is used as it is (a year simulated there before, SQLite or
PostgreSQL); without it a year is simulated into a temporary SQLite file first.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--database", metavar="URL")
    parser.add_argument("--scrapes", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lofte-bench-metrics-") as folder:
        url = args.database or simulate(Path(folder), args.weeks)
        results = measure(url, args.scrapes)
    for name, value in results.items():
        print(f"{name:>28}: {value}")
    print("RESULT " + json.dumps(results))


def simulate(folder: Path, weeks: int) -> str:
    url = f"sqlite:///{folder}/year.db"
    subprocess.run(
        [
            *(sys.executable, "-m", "lofte.cli.main", "simulate", "--from", "2027-01-04"),
            *("--weeks", str(weeks), "--no-mail", "--json", "--database", url),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        env=dict(os.environ, LOFTE_MAIL_DIR=str(folder / "mail")),
    )
    return url


def timed(call: Callable[[], Any], times: int) -> dict[str, float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
    }


def measure(url: str, scrapes: int) -> dict[str, Any]:
    from lofte.cli.wiring import connect
    from lofte.storage.operations_read import SqlOperationsReads
    from lofte.storage.web_access import SqlWebAccess
    from lofte.web.factory import create_app
    from lofte.web.operations_settings import Operations, from_environment
    from lofte.workflow.application.operations import Heartbeat

    wired = connect(url)
    db = wired.store.engine
    with db.connect() as c:
        sizes = {
            table: int(c.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("cycle_instances", "input_requests", "timers", "outbox", "audit_events")
        }
    now = wired.clock.now
    reads = SqlOperationsReads(db)
    Heartbeat(wired.store, wired.clock, "bench").beat()
    settings = from_environment({"LOFTE_METRICS_FROM": "127.0.0.1"})
    app = create_app(wired.app, SqlWebAccess(db), operations=Operations(settings, reads))
    client = app.test_client()
    body = client.get("/metrics").get_data()
    results: dict[str, Any] = {"dialect": db.dialect.name, **sizes, "metrics_bytes": len(body)}
    results["figures"] = timed(lambda: reads.figures(now()), scrapes)
    results["metrics_via_app"] = timed(lambda: client.get("/metrics"), scrapes)
    results["readyz_via_app"] = timed(lambda: client.get("/readyz"), scrapes)
    wired.close()
    return results


if __name__ == "__main__":
    main()
