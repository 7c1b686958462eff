"""One `transitions` state machine per definition version, shared by all its cycle instances.

Instances are rows, not machine models: to fire an event, a light model carrying the row's
state is added to the shared machine, triggered, and removed again. A machine per object is
expensive (transitions builds its triggers and callbacks per machine), and stored records
cannot be machine models. Drawing a diagram of a definition is the application's
(`workflow/application/mermaid_diagram.py`), not the core's.
"""

from __future__ import annotations

import threading
from typing import Any

from transitions import Machine, MachineError

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
        self._lock = threading.Lock()

    def fire(self, state: str, event: Event, label: str) -> str:
        """The state after `event` in `state`; InvalidTransition if the event is not valid."""
        model = CycleModel(label)
        with self._lock:
            self._machine.add_model(model, initial=state)
            try:
                model.trigger(event.value)  # type: ignore[attr-defined]
            except MachineError as exc:
                raise InvalidTransition(label, state, event.value, self.events(state)) from exc
            finally:
                self._machine.remove_model(model)
        return model.state

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
