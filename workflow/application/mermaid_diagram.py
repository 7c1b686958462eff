"""A definition's states and transitions as a Mermaid state diagram, drawn by `transitions`'
own GraphMachine from the same machine configuration the engine runs (`lofte definitions
show` prints it). Diagrams are the application's concern: the core only fires events."""

from __future__ import annotations

import re

from transitions.extensions import GraphMachine

from lofte.definitions.cycle import CycleDefinition, Event
from lofte.workflow.application.definition_words import event_text, state_name
from lofte.workflow.core.machines import CycleModel, machine_config


def mermaid_diagram(definition: CycleDefinition) -> str:
    """The diagram with the definition's own identifiers, as GraphMachine draws it."""
    machine = GraphMachine(
        model=CycleModel(definition.name),
        graph_engine="mermaid",
        title=definition.title.sv,
        show_state_attributes=False,
        **machine_config(definition),
    )
    lines = str(machine.get_graph().draw(None)).splitlines()
    kept = [ln for ln in lines if "classDef" not in ln and not ln.strip().startswith("Class ")]
    return "\n".join(line for line in kept if line.strip() or not line) + "\n"


def mermaid(definition: CycleDefinition, language: str = "sv") -> str:
    """The Mermaid state diagram (drawn by transitions' GraphMachine) with states named by
    their titles and transitions by their events in words; the states' identifiers become
    `s1`, `s2`, ... so that nothing in it is a raw identifier."""
    states = list(definition.state_names)
    node = {state: f"s{index}" for index, state in enumerate(states, 1)}
    names = sorted([*states, *(e.value for e in Event)], key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")
    lines = []
    for line in mermaid_diagram(definition).splitlines():
        stripped = line.strip()
        if stripped.startswith("state ") and " as " in stripped:
            state = stripped.rsplit(" as ", 1)[1]
            title = state_name(definition, state, language).replace('"', "'")
            lines.append(line[: len(line) - len(stripped)] + f'state "{title}" as {node[state]}')
            continue
        if stripped == definition.title.sv:
            lines.append(line.replace(stripped, definition.title.get(language)))
            continue
        lines.append(
            pattern.sub(lambda m: node.get(m.group(0)) or event_text(m.group(0), language), line)
        )
    return "\n".join(lines) + "\n"
