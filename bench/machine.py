"""How fast this machine runs plain Python right now, so figures measured at different times
can be compared: the shared machines here have run the same fixed workload at 35 ms and at
64 ms within the same minute, and whole benchmarks 2x slower in one hour than in the next.

`calibration_ms()` is the best of five runs of a fixed workload of the kinds a step does
(calls, dicts, strings, small objects), in milliseconds. Measure it while the machine is idle
(before and after a run): measured during a run it also counts the run's own load."""

from __future__ import annotations

import time
from typing import Any

ROUNDS = 5


def calibration_ms(rounds: int = ROUNDS) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        _workload()
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def _workload() -> int:
    total = 0
    for i in range(60_000):
        row: dict[str, Any] = {"id": i, "key": f"cykel-{i}", "state": "open", "open": i % 5}
        parts = row["key"].split("-")
        total += len(parts[0]) + _step(row["open"], row["id"])
    return total


def _step(open_requests: int, identifier: int) -> int:
    return open_requests + (identifier & 7)


if __name__ == "__main__":
    print(f"calibration: {calibration_ms()} ms")
