"""One `transitions` state machine per definition version, shared by all its cycle instances.

Instances are rows, not machine models. A machine per object is expensive (transitions builds
its triggers and callbacks per machine), and stored records cannot be machine models. The
machine is configured without callbacks or conditions, so what firing an event does is fixed
by its graph: each (state, event) pair's destination is asked of the machine once, when it is
built (`get_transitions`), and firing looks it up. Adding a light model to the shared machine,
triggering it and removing it again, as this did before, cost more than the rest of the
transition (issue 23, `bench/bench_live.py`). Drawing a diagram of a definition is the
application's (`workflow/application/mermaid_diagram.py`), not the core's.
"""

from __future__ import annotations

import threading
from typing import Any

from transitions import Machine

from lofte.definitions.cycle import CycleDefinition, Event
from lofte.kernel.errors import InvalidTransition


class CycleModel:
    """What the machine needs of a cycle while an event is processed: just its state."""

    state: str

    def __init__(self, label: str) -> None:
        self.label = label


def machine_config(definition: CycleDefinition) -> dict[str, Any]:
    return {
        "states": list(definition.state_names),
        "transitions": [
            {"trigger": t.event.value, "source": t.source, "dest": t.dest}
            for t in definition.transitions
        ],
        "initial": definition.first_step.id,
        "auto_transitions": False,
        "ignore_invalid_triggers": False,
    }


class CycleMachine:
    """The machine of one definition version."""

    def __init__(self, definition: CycleDefinition) -> None:
        self.definition = definition
        self._machine = Machine(model=None, **machine_config(definition))
        self._next: dict[tuple[str, str], str] = {}
        for trigger in self._machine.events:
            for transition in self._machine.get_transitions(trigger=trigger):
                # The first transition of a (state, event) is the one transitions takes; every
                # transition configured has a destination (`machine_config`).
                if transition.dest is not None:
                    self._next.setdefault((transition.source, trigger), transition.dest)

    def fire(self, state: str, event: Event, label: str) -> str:
        """The state after `event` in `state`; InvalidTransition if the event is not valid."""
        found = self._next.get((state, event.value))
        if found is None:
            raise InvalidTransition(label, state, event.value, self.events(state))
        return found

    def events(self, state: str) -> list[str]:
        return sorted(self._machine.get_triggers(state))


class MachineRegistry:
    """One machine per distinct state graph, built once and shared by every unit and version
    with the same states and transitions."""

    def __init__(self) -> None:
        self._by_object: dict[int, tuple[CycleDefinition, CycleMachine]] = {}
        self._by_graph: dict[tuple[object, ...], CycleMachine] = {}
        self._lock = threading.Lock()

    def machine(self, definition: CycleDefinition) -> CycleMachine:
        with self._lock:
            found = self._by_object.get(id(definition))
            if found is not None:
                return found[1]
            graph = (
                definition.state_names,
                tuple((t.source, t.event, t.dest) for t in definition.transitions),
            )
            machine = self._by_graph.get(graph)
            if machine is None:
                machine = self._by_graph[graph] = CycleMachine(definition)
            self._by_object[id(definition)] = (definition, machine)
            return machine

    def __len__(self) -> int:
        return len(self._by_graph)
