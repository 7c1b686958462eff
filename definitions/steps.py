"""The states of a cycle in which people are asked for input: one shape per step kind.

- `inputs`: the responsible roles each answer; moves on when all have (or the late window ends)
- `collect`: the responsible roles answer until the deadline, then it moves on
- `decision`: the deciding role records the decision; moves on when it is in
- `follow_up`: one request per open action of the unit, to the action's owner

A step may be a meeting, may show context (the lägesbild, decisions in force, open actions)
resolved when it opens, may turn rows of an answer into actions, and may be the source of the
EST observations.

A shape says what the loading rules need to know of its kind (the events that can leave it,
the roles it names, whether its answer is a decision); what the engine does with a step of the
kind lives in one module per kind under `workflow/core/kinds/` (docs/architecture.md, "Adding
a step kind").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from lofte.definitions.base import EMPTY_TEXT, Duration, Frozen, Identifier, Text
from lofte.definitions.fields import FieldSpec
from lofte.kernel.durations import IsoDuration

ZERO = IsoDuration.parse("PT0S")
RolePath = tuple[str | int, ...]  # where a role is named, within its step
ActionKind = Literal["insats", "tidig_insats", "atagande"]
Window = Literal[
    "this_cycle", "this_period", "previous", "since_previous", "quarter_to_date", "latest"
]


class Event(StrEnum):
    """The events a cycle's machine knows; people and timers cause them."""

    INPUTS_COMPLETE = "inputs_complete"
    DEADLINE_PASSED = "deadline_passed"
    DECIDED = "decided"
    EXPIRED = "expired"


@dataclass(frozen=True)
class ActionUpdate:
    """The fields of an answer that update the action its request is about."""

    status: str
    note: str | None = None
    effect: str | None = None


class Escalation(Frozen):
    """After the deadline (+ `after`), the role is told who has not answered."""

    role: Identifier
    after: Duration = ZERO


class MeetingSpec(Frozen):
    """The step is held as a meeting: `starts` is an offset from the cycle's opening.
    `title` is the meeting's own name (invitations, calendars), never the step's instruction."""

    title: Text = EMPTY_TEXT
    starts: Duration
    length: Duration
    location: str = ""  # default: the unit's meeting place
    participants: tuple[Identifier, ...] = ()  # roles invited; default: the roles asked
    rule: Literal["next_working_day", "exact"] = "next_working_day"


class LagesbildContext(Frozen):
    """The lägesbild compiled from the unit's EST observations over a window."""

    kind: Literal["lagesbild"]
    label: Text
    window: Window = "this_period"
    per_municipality: bool = False  # for a police area: one lägesbild per municipality


class AnswersContext(Frozen):
    """Non-sensitive answers of another (or this) cycle's step over a window."""

    kind: Literal["answers"]
    label: Text
    definition: Identifier | None = None  # default: this cycle's definition
    step: Identifier
    window: Window = "latest"
    per_municipality: bool = False


class DecisionInForce(Frozen):
    """The decision whose period contains the opening date (per municipality for an area)."""

    kind: Literal["decision_in_force"]
    label: Text
    definition: Identifier
    step: Identifier
    per_municipality: bool = False


class ActionsContext(Frozen):
    """The unit's open actions of the given kinds."""

    kind: Literal["actions"]
    label: Text
    kinds: tuple[ActionKind, ...]
    per_municipality: bool = False


class IndicatorsContext(Frozen):
    """Yearly indicators brought in from outside (`lofte import indicators`: reported crimes,
    a trygghetsmätning), of this year and the `years` before, beside the EST picture."""

    kind: Literal["indicators"]
    label: Text
    years: int = Field(default=2, ge=1, le=10)
    per_municipality: bool = False


ContextSpec = Annotated[
    LagesbildContext | AnswersContext | DecisionInForce | ActionsContext | IndicatorsContext,
    Field(discriminator="kind"),
]


class ActionSource(Frozen):
    """Each row of `field` becomes an action of `kind` (what, owner, due date, ...). `place`
    and `categories` name what it targets: a place of the register or an area, and the EST
    categories (a choice column) whose observations show its effect."""

    field: Identifier
    kind: ActionKind
    what: Identifier
    owner: Identifier
    due: Identifier | None = None
    place: Identifier | None = None
    problem: Identifier | None = None
    indicator: Identifier | None = None
    baseline: Identifier | None = None
    categories: Identifier | None = None


# An observation's time of day when the hour is not known: the part of the day (the lägesbild's
# hour bands, local time) or "okänd tid".
PARTS_OF_DAY: dict[str, tuple[int, int]] = {
    "natt": (0, 6),
    "morgon": (6, 12),
    "dag": (12, 18),
    "kvall": (18, 24),
}
UNKNOWN_TIME = "okand"
# What was done about an observation on the spot.
HANDLINGS = ("ingen", "atgardat", "felanmalt")
REPORTED = "felanmalt"  # the handling that names whom it was reported to


class ObservationSource(Frozen):
    """The step's `field` holds the EST observations (the lägesbild is compiled from them).

    When: `date` (a date column) with `time` (a time column) and/or `part_of_day` (a choice of
    PARTS_OF_DAY and UNKNOWN_TIME); or, the earlier shape, `time` alone naming a datetime
    column. What was done: `handling` (a choice of HANDLINGS) and `reported_to` (text)."""

    field: Identifier
    category: Identifier
    place: Identifier
    area: Identifier
    time: Identifier | None = None
    text: Identifier
    date: Identifier | None = None
    part_of_day: Identifier | None = None
    assessment: Identifier | None = None
    quantity: Identifier | None = None
    handling: Identifier | None = None
    reported_to: Identifier | None = None


class Publication(Frozen):
    """The step's answer is published on the public page when the boolean `when` is set;
    only fields marked `publish: true` are shown, under `title` (what citizens read)."""

    when: Identifier
    title: Text = EMPTY_TEXT


class DecisionName(Frozen):
    """What a step decides or records, by its own name (`Styrgruppens inriktningsbeslut`),
    for decision emails and pages, apart from the step's instruction."""

    title: Text


class StepBase(Frozen):
    """What every step has. A kind's shape adds its own fields and says, as class variables,
    which events can leave it and whether its answer is a decision."""

    leaving_events: ClassVar[frozenset[Event]]  # the definition needs a transition for each
    records_decision: ClassVar[bool] = False  # its answer is a decision (`decision_name`)

    id: Identifier
    title: Text
    purpose: Text = EMPTY_TEXT
    fields: tuple[FieldSpec, ...] = ()
    deadline: Duration
    deadline_rule: Literal["next_working_day", "exact"] = "next_working_day"
    reminders: tuple[Duration, ...] = ()
    escalation: Escalation | None = None
    accept_late_for: Duration = ZERO
    meeting: MeetingSpec | None = None
    decision: DecisionName | None = None
    context: tuple[ContextSpec, ...] = ()
    creates_actions: tuple[ActionSource, ...] = ()
    observations: ObservationSource | None = None
    publication: Publication | None = None
    announce: bool = False  # after the step, participants and owners get its content

    def named_roles(self) -> tuple[tuple[RolePath, str], ...]:
        """The roles the step asks, each with where it names them; none by default."""
        return ()

    def asked_roles(self) -> tuple[str, ...]:
        """The roles a step asks (empty for follow-ups, which ask each action's owner)."""
        return tuple(role for _, role in self.named_roles())

    def action_update(self) -> ActionUpdate | None:
        """The fields whose answer updates the action a request is about, if any."""
        return None


class InputsStep(StepBase):
    leaving_events = frozenset({Event.INPUTS_COMPLETE, Event.EXPIRED})

    kind: Literal["inputs"]
    responsible: tuple[Identifier, ...]

    def named_roles(self) -> tuple[tuple[RolePath, str], ...]:
        return tuple((("responsible", i), role) for i, role in enumerate(self.responsible))


class CollectStep(StepBase):
    leaving_events = frozenset({Event.DEADLINE_PASSED})

    kind: Literal["collect"]
    responsible: tuple[Identifier, ...]

    def named_roles(self) -> tuple[tuple[RolePath, str], ...]:
        return tuple((("responsible", i), role) for i, role in enumerate(self.responsible))


class DecisionStep(StepBase):
    leaving_events = frozenset({Event.DECIDED, Event.EXPIRED})
    records_decision = True

    kind: Literal["decision"]
    decided_by: Identifier

    def named_roles(self) -> tuple[tuple[RolePath, str], ...]:
        return ((("decided_by",), self.decided_by),)


class FollowUpStep(StepBase):
    """One request per open action of `follows_up` kinds; the answer updates the action."""

    leaving_events = frozenset({Event.INPUTS_COMPLETE, Event.EXPIRED})

    kind: Literal["follow_up"]
    follows_up: tuple[ActionKind, ...]
    status_field: Identifier = "status"
    note_field: Identifier | None = None
    effect_field: Identifier | None = None

    def action_update(self) -> ActionUpdate:
        return ActionUpdate(self.status_field, self.note_field, self.effect_field)


StepSpec = Annotated[
    InputsStep | CollectStep | DecisionStep | FollowUpStep, Field(discriminator="kind")
]
AnyStep = InputsStep | CollectStep | DecisionStep | FollowUpStep

# Action statuses a follow-up answer may set; the closed ones end the follow-up.
ACTION_STATUSES = ("pagar", "genomford", "andrad", "avbruten", "ej_paborjad")
CLOSED_ACTION_STATUSES = ("genomford", "andrad", "avbruten")
