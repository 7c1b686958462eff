"""A definition as an administrator reads it (the web console's definition page and
`lofte definitions show`): its steps in words, who is asked, and its state diagram."""

from __future__ import annotations

from dataclasses import dataclass

from definitions.cycle import CycleDefinition
from definitions.directory import Unit
from definitions.steps import AnyStep, CollectStep, DecisionStep, FollowUpStep, InputsStep
from workflow.application.admin_console import require_admin
from workflow.application.app import Application
from workflow.application.state_diagram import Diagram, state_diagram
from workflow.application.visibility import Viewer
from workflow.kernel.errors import NotFound

KIND_TEXT = {
    "inputs": "alla ansvariga svarar",
    "collect": "svar samlas in till tidsfristen",
    "decision": "beslut",
    "follow_up": "uppföljning av öppna åtgärder",
}
UNIT_KIND = {"municipality": "varje kommun", "police_area": "varje polisområde"}


def who(step: AnyStep) -> str:
    match step:
        case InputsStep() | CollectStep():
            return ", ".join(step.responsible)
        case DecisionStep():
            return step.decided_by
        case FollowUpStep():
            return f"ägaren av varje öppen åtgärd ({', '.join(step.follows_up)})"


@dataclass(frozen=True)
class DefinitionView:
    definition: CycleDefinition
    version: int
    unit: Unit
    units: list[Unit]  # every unit the definition is in force for
    diagram: Diagram

    def kind_text(self, step: AnyStep) -> str:
        return KIND_TEXT[step.kind]

    def who(self, step: AnyStep) -> str:
        return who(step)


def definition_view(
    app: Application, viewer: Viewer, name: str, unit_id: str | None = None
) -> DefinitionView:
    """The latest version of `name` in force for `unit_id` (default: its first unit);
    NotFound if the definition is not in force there."""
    require_admin(viewer)
    view = app.view()
    unit_ids = sorted({u for n, u in view.pairs() if n == name})
    units = sorted(
        (app.unit(u, view.directory) for u in unit_ids),
        key=lambda u: (u.kind != "police_area", u.name),
    )
    if not units:
        raise NotFound("definition", name)
    unit = units[0] if unit_id is None else next((u for u in units if u.id == unit_id), None)
    if unit is None:
        raise NotFound("definition", f"{name} för {unit_id}")
    found = app.latest_definition(name, unit.id)
    if found is None:
        raise NotFound("definition", f"{name} för {unit.id}")
    definition, version = found
    return DefinitionView(definition, version, unit, units, state_diagram(definition))
