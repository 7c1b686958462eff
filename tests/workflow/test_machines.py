"""The shared state machines (workflow.core.machines): firing an event gives the state the
`transitions` machine of the graph goes to, and an event not valid in a state is refused with
the events that are (also one the graph does not have, which `transitions` raised as an
AttributeError)."""

from __future__ import annotations

import pytest
from transitions import Machine, MachineError

from lofte.definitions.cycle import Event
from lofte.kernel.errors import InvalidTransition
from lofte.workflow.core.machines import CycleModel, MachineRegistry, machine_config
from tests.conftest import packaged


def test_every_event_goes_where_the_transitions_machine_goes() -> None:
    definition = packaged().definition("est-inventering")
    machine = MachineRegistry().machine(definition)
    reference = Machine(model=None, **machine_config(definition))
    for state in definition.state_names:
        for event in Event:
            model = CycleModel(definition.name)
            reference.add_model(model, initial=state)
            try:
                model.trigger(event.value)  # type: ignore[attr-defined]
            except (MachineError, AttributeError):  # not valid there (or not in the graph)
                with pytest.raises(InvalidTransition):
                    machine.fire(state, event, "m0-v1")
            else:
                assert machine.fire(state, event, "m0-v1") == model.state
            finally:
                reference.remove_model(model)


def test_an_event_not_valid_names_the_valid_ones() -> None:
    definition = packaged().definition("est-inventering")
    machine = MachineRegistry().machine(definition)
    with pytest.raises(InvalidTransition, match="möjliga händelser: inga"):
        machine.fire("completed", Event("decided"), "m0-v1")
