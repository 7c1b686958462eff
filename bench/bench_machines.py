"""Benchmark: firing events through one shared `transitions` machine per definition
(light model added and removed per event) versus building a machine per instance."""

from __future__ import annotations

import time
import tracemalloc

from definitions.loader import load_bundle
from definitions.schema import Event
from workflow.machines import CycleMachine

EVENTS = 20_000


def main() -> None:
    definition = load_bundle().definition("est-inventering")
    shared = CycleMachine(definition)
    started = time.perf_counter()
    for i in range(EVENTS):
        shared.fire("rapportering", Event.INPUTS_COMPLETE, f"bench {i}")
    per_event = (time.perf_counter() - started) / EVENTS * 1e6

    tracemalloc.start()
    started = time.perf_counter()
    machines = [CycleMachine(definition) for _ in range(1000)]
    per_machine_ms = (time.perf_counter() - started) / len(machines) * 1e3
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"shared machine: {per_event:.1f} µs per event ({EVENTS} events)")
    print(
        f"machine per instance: {per_machine_ms:.2f} ms and {size / len(machines) / 1024:.1f} "
        f"KiB each ({len(machines)} built) - why Löfte shares one per definition version"
    )


if __name__ == "__main__":
    main()
