"""A definition as an administrator reads it on the web console's definition page: its
cadence, steps and timing in words (see `definition_words`), who is asked by role title, and
its state diagram."""

from __future__ import annotations

from dataclasses import dataclass

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Unit
from lofte.definitions.steps import AnyStep
from lofte.kernel import words
from lofte.kernel.errors import NotFound
from lofte.workflow.application import definition_words as dw
from lofte.workflow.application.admin_console import require_admin
from lofte.workflow.application.app import Application
from lofte.workflow.application.state_diagram import Diagram, state_diagram
from lofte.workflow.application.visibility import Viewer
from lofte.workflow.core.kinds import STANDARD_KINDS, StepKinds


@dataclass(frozen=True)
class DefinitionView:
    definition: CycleDefinition
    version: int
    unit: Unit
    units: list[Unit]  # every unit the definition is in force for
    diagram: Diagram
    language: str
    viewer: Viewer
    kinds: StepKinds = STANDARD_KINDS  # the engine's: how each step's kind reads

    @property
    def title(self) -> str:
        return self.definition.title.get(self.language)

    @property
    def applies_to(self) -> str:
        return dw.unit_kind_text(self.definition.applies_to, self.language)

    @property
    def cadence(self) -> str:
        return dw.cadence_text(self.definition, self.language)

    @property
    def chair(self) -> str:
        return self.role(self.definition.chair_role)

    def role(self, role: str) -> str:
        return self.viewer.directory.role_title(role, self.language)

    def step_title(self, step: AnyStep) -> str:
        return step.title.get(self.language)

    def kind_text(self, step: AnyStep) -> str:
        return dw.kind_text(step, self.language, self.kinds)

    def who(self, step: AnyStep) -> str:
        return dw.who(step, self.role, self.language, self.kinds)

    def timing(self, step: AnyStep) -> list[str]:
        return dw.timing_lines(step, self.role, self.language)

    def meeting(self, step: AnyStep) -> str:
        """`EST-möte: gemensam lägesbild, 2 dagar och 4 timmar efter öppningen, 1 timme och
        30 minuter`; empty for a step that is no meeting."""
        if step.meeting is None:
            return ""
        name = self.definition.meeting_name(step, self.language)
        starts = dw.after_opening(step.meeting.starts, self.language)
        return f"{name}, {starts}, {words.duration(step.meeting.length, self.language)}"


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
    language = viewer.language
    diagram = state_diagram(definition, language)
    return DefinitionView(
        definition, version, unit, units, diagram, language, viewer, app.engine.kinds
    )
