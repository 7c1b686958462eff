"""One `transitions` state machine per definition version, shared by all its cycle instances.

Instances are rows, not machine models: to fire an event, a light model carrying the row's
state is added to the shared machine, triggered, and removed again (see LIBRARIES.md: a
machine per object is expensive, and SQLModel rows cannot be machine models).
"""

from __future__ import annotations

import threading
from typing import Any

from transitions import Machine, MachineError
from transitions.extensions import GraphMachine

from lofte.definitions.cycle import CycleDefinition, Event
from lofte.kernel.errors import InvalidTransition


class _CycleModel:
    """What the machine needs of a cycle while an event is processed: just its state."""

    state: str

    def __init__(self, label: str) -> None:
        self.label = label


def _machine_config(definition: CycleDefinition) -> dict[str, Any]:
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
        self._machine = Machine(model=None, **_machine_config(definition))
        self._lock = threading.Lock()

    def fire(self, state: str, event: Event, label: str) -> str:
        """The state after `event` in `state`; InvalidTransition if the event is not valid."""
        model = _CycleModel(label)
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


def mermaid_diagram(definition: CycleDefinition) -> str:
    """A Mermaid state diagram of the definition, drawn by transitions' own GraphMachine."""
    machine = GraphMachine(
        model=_CycleModel(definition.name),
        graph_engine="mermaid",
        title=definition.title.sv,
        show_state_attributes=False,
        **_machine_config(definition),
    )
    lines = str(machine.get_graph().draw(None)).splitlines()
    kept = [ln for ln in lines if "classDef" not in ln and not ln.strip().startswith("Class ")]
    return "\n".join(line for line in kept if line.strip() or not line) + "\n"
