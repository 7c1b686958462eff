"""How fast this machine runs plain Python right now, so figures measured at different times
can be compared: the shared machines here have run the same fixed workload at 35 ms and at
64 ms within the same minute, and whole benchmarks 2x slower in one hour than in the next.

`calibration_ms()` is the best of five runs of a fixed workload of the kinds a step does
(calls, dicts, strings, small objects), in milliseconds; `SpeedSampler` runs it once every
few seconds on a thread while a benchmark's child process works, and gives the median."""

from __future__ import annotations

import statistics
import threading
import time
from types import TracebackType
from typing import Any

ROUNDS = 5


def calibration_ms(rounds: int = ROUNDS) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        _workload()
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


class SpeedSampler:
    """`with SpeedSampler() as speed: ...` then `speed.median_ms()`: the machine's speed while
    the block ran (one workload every `every` seconds; ~1% of one core)."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> SpeedSampler:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def median_ms(self) -> float:
        return round(statistics.median(self.samples), 1) if self.samples else calibration_ms()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(calibration_ms(rounds=1))


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
