"""A cycle definition: a template for every unit of one kind (municipality or police area).

A definition is data: frozen once loaded. Running cycles live in storage and record the
definition version they run under; per-unit overrides (cadence, deadlines, reminders, meeting
times) give each unit its own effective definition (see `definitions.overrides`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache, reduce
from operator import or_
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, create_model

from lofte.definitions.base import EMPTY_TEXT, Duration, Frozen, Identifier, Text
from lofte.definitions.steps import AnyStep, StepBase, StepSpec
from lofte.definitions.steps import Event as Event  # the events of a cycle's machine

FORMAT = 1


TERMINAL_COMPLETED = "completed"
TERMINAL_CLOSED = "closed_incomplete"
TERMINAL_STATES = (TERMINAL_COMPLETED, TERMINAL_CLOSED)


class TransitionSpec(Frozen):
    source: Identifier = Field(alias="from")
    event: Event
    dest: Identifier = Field(alias="to")


PeriodKeyStyle = Literal["iso_week", "month", "quarter", "next_quarter", "date"]
UnitKind = Literal["municipality", "police_area"]


class Cadence(Frozen):
    """When cycles open: `anchor` (local wall-clock time) plus whole multiples of `every`."""

    anchor: datetime
    every: Duration
    period_key: PeriodKeyStyle | None = None
    opening_rule: Literal["next_working_day", "exact"] = "next_working_day"


class Basis(Frozen):
    """The decision a cycle follows up; without one in force the cycle is reported as
    having nothing to follow up, never as completed on time."""

    definition: Identifier
    step: Identifier


class Names(Frozen):
    """How Swedish refers to the cycle: `EST-mötet är avslutat` needs the definite form and
    the gender (`ett` möte → avslutat, `en` inventering → avslutad)."""

    definite: Text = EMPTY_TEXT
    gender: Literal["en", "ett"] = "en"


class CycleDefinition(Frozen):
    """A recurring cycle: cadence, steps (states) and the transitions between them."""

    format: int = FORMAT
    name: Identifier
    applies_to: UnitKind = "municipality"
    title: Text
    short_title: Text = EMPTY_TEXT
    names: Names = Names()
    description: Text = EMPTY_TEXT
    timezone: str = "Europe/Stockholm"
    cadence: Cadence
    chair_role: Identifier
    restricted_to_party: Identifier | None = None  # e.g. polis: the content is theirs only
    shared_fields: tuple[Identifier, ...] = ()  # fields others may still see (a summary)
    basis: Basis | None = None
    # Gallring: how long after a cycle closes the names of people who have left the
    # organisation are kept in its records (then a pseudonym); None: the organisation's.
    retention: Duration | None = None
    steps: tuple[StepSpec, ...] = Field(min_length=1)
    transitions: tuple[TransitionSpec, ...] = Field(min_length=1)

    def step(self, step_id: str) -> AnyStep:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def has_step(self, step_id: str) -> bool:
        return any(s.id == step_id for s in self.steps)

    @property
    def first_step(self) -> AnyStep:
        return self.steps[0]

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.steps) + TERMINAL_STATES

    def display_title(self, language: str = "sv") -> str:
        return (self.short_title.get(language) if self.short_title.sv else "") or self.title.get(
            language
        )

    def definite_title(self, language: str = "sv") -> str:
        return self.names.definite.get(language) or self.title.get(language)

    def meeting_name(self, step: AnyStep, language: str = "sv") -> str:
        """The name of the meeting `step` is held as; without one of its own, the cycle's
        title as a meeting (`Möte: Inriktningsbeslut`), never the step's instruction."""
        if step.meeting is not None and step.meeting.title.sv:
            return step.meeting.title.get(language)
        return f"{'Meeting' if language == 'en' else 'Möte'}: {self.display_title(language)}"

    def decision_name(self, step: AnyStep, language: str = "sv") -> str:
        """The name of what `step` decides (`Styrgruppens inriktningsbeslut`); without one of
        its own, the cycle's title as a decision (`Beslut: Inriktningsbeslut`)."""
        if step.decision is not None and step.decision.title.sv:
            return step.decision.title.get(language)
        return f"{'Decision' if language == 'en' else 'Beslut'}: {self.display_title(language)}"

    def publication_name(self, step: AnyStep, language: str = "sv") -> str:
        """The name citizens read over a published answer; without one of its own, the
        decision's name."""
        if step.publication is not None and step.publication.title.sv:
            return step.publication.title.get(language)
        return self.decision_name(step, language)

    def meeting_steps(self) -> tuple[AnyStep, ...]:
        return tuple(s for s in self.steps if s.meeting is not None)

    def observation_step(self) -> AnyStep | None:
        return next((s for s in self.steps if s.observations is not None), None)


STANDARD_SHAPES: tuple[type[StepBase], ...] = get_args(AnyStep)


def definition_class(shapes: Sequence[type[StepBase]]) -> type[CycleDefinition]:
    """`CycleDefinition`, whose steps take the shapes of `StepSpec`; given other shapes too (a
    kind added outside this package), a subclass whose steps may take those as well. The
    loader and the catalog read definitions with it (docs/architecture.md, "Adding a step
    kind")."""
    extra = tuple(shape for shape in shapes if shape not in STANDARD_SHAPES)
    return _with_shapes(extra) if extra else CycleDefinition


@cache
def _with_shapes(extra: tuple[type[StepBase], ...]) -> type[CycleDefinition]:
    union: Any = reduce(or_, (*STANDARD_SHAPES, *extra))
    spec: Any = Annotated[union, Field(discriminator="kind")]
    return create_model(
        "CycleDefinition",
        __base__=CycleDefinition,
        __module__=__name__,
        steps=(tuple[spec, ...], Field(min_length=1)),
    )
