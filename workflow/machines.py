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

from definitions.schema import CycleDefinition, Event
from workflow.errors import InvalidTransition


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
        "initial": definition.steps[0].id,
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
    """Machines by (definition name, version), built once."""

    def __init__(self) -> None:
        self._machines: dict[tuple[str, int], CycleMachine] = {}
        self._lock = threading.Lock()

    def machine(self, definition: CycleDefinition, version: int) -> CycleMachine:
        key = (definition.name, version)
        with self._lock:
            found = self._machines.get(key)
            if found is None:
                found = self._machines[key] = CycleMachine(definition)
            return found

    def __len__(self) -> int:
        return len(self._machines)


def mermaid_diagram(definition: CycleDefinition) -> str:
    """A Mermaid state diagram of the definition, drawn by transitions' own GraphMachine."""
    machine = GraphMachine(
        model=_CycleModel(definition.name),
        graph_engine="mermaid",
        title=definition.title,
        show_state_attributes=False,
        **_machine_config(definition),
    )
    lines = str(machine.get_graph().draw(None)).splitlines()
    kept = [ln for ln in lines if "classDef" not in ln and not ln.strip().startswith("Class ")]
    return "\n".join(line for line in kept if line.strip() or not line) + "\n"
