"""Frozen, validated shapes of cycle definitions and of the organisation that staffs them.

A definition is data: it never changes once loaded. Running cycles live elsewhere
(`storage`) and record the definition version they run under.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator

from workflow.durations import IsoDuration

IDENTIFIER = r"^[a-z][a-z0-9_-]*$"
Identifier = Annotated[str, Field(pattern=IDENTIFIER, max_length=64)]


def _to_duration(value: object) -> IsoDuration:
    if isinstance(value, IsoDuration):
        return value
    if not isinstance(value, str):
        raise ValueError("a duration must be a string such as P1W, P3M or P2DT3H")
    return IsoDuration.parse(value)


Duration = Annotated[IsoDuration, PlainValidator(_to_duration), PlainSerializer(str)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Party(StrEnum):
    KOMMUN = "kommun"
    POLIS = "polis"


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    CHOICE = "choice"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    PERSON = "person"
    ROWS = "rows"


class FieldSpec(Frozen):
    """One typed input a step asks for."""

    id: Identifier
    type: FieldType
    label: str = Field(min_length=1)
    help: str = ""
    required: bool = True
    required_unless: Identifier | None = None
    sensitive: bool = False
    visible_to: tuple[Identifier, ...] = ()
    for_roles: tuple[Identifier, ...] = ()
    options: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = Field(default=4000, gt=0)
    party: Party | None = None
    columns: tuple[FieldSpec, ...] = ()
    min_rows: int = Field(default=0, ge=0)


class Advance(StrEnum):
    """What moves a step on."""

    ALL_INPUTS = "all_inputs"
    DEADLINE = "deadline"
    DECISION = "decision"


class Event(StrEnum):
    """The events a cycle's machine knows. The engine raises them; people and timers cause them."""

    INPUTS_COMPLETE = "inputs_complete"
    DEADLINE_PASSED = "deadline_passed"
    DECIDED = "decided"
    EXPIRED = "expired"


TERMINAL_COMPLETED = "completed"
TERMINAL_CLOSED = "closed_incomplete"
TERMINAL_STATES = (TERMINAL_COMPLETED, TERMINAL_CLOSED)


class Escalation(Frozen):
    role: Identifier
    after: Duration = IsoDuration.parse("PT0S")


class RequestsFrom(Frozen):
    """Ask one input per row of an earlier cycle's answer, addressed to the row's owner."""

    definition: Identifier
    step: Identifier
    fields: tuple[Identifier, ...] = Field(min_length=1)
    owner_column: Identifier
    period: Literal["same", "latest"] = "latest"


class ContextFrom(Frozen):
    """Show the (non-sensitive) answer of an earlier cycle's step in this cycle."""

    definition: Identifier
    step: Identifier
    label: str
    period: Literal["same", "latest"] = "latest"


class Meeting(Frozen):
    """A step that is a meeting: when it starts (offset from the cycle's opening) and how long."""

    starts: Duration
    length: Duration
    location: str = ""
    participants: tuple[Identifier, ...] = ()  # roles invited; default: the roles asked


class StepSpec(Frozen):
    """One state of a cycle in which people are asked for input."""

    id: Identifier
    title: str = Field(min_length=1)
    purpose: str = ""
    responsible: tuple[Identifier, ...] = ()
    requests_from: RequestsFrom | None = None
    fields: tuple[FieldSpec, ...] = Field(min_length=1)
    deadline: Duration
    deadline_rule: Literal["next_working_day", "exact"] = "next_working_day"
    reminders: tuple[Duration, ...] = ()
    escalation: Escalation | None = None
    accept_late_for: Duration = IsoDuration.parse("P0D")
    advance: Advance = Advance.ALL_INPUTS
    decided_by: Identifier | None = None
    meeting: Meeting | None = None


class TransitionSpec(Frozen):
    source: Identifier = Field(alias="from")
    event: Event
    dest: Identifier = Field(alias="to")


PeriodKeyStyle = Literal["iso_week", "month", "quarter", "next_quarter", "date"]


class Cadence(Frozen):
    """When cycles open: `anchor` (local wall-clock time) plus whole multiples of `every`."""

    anchor: datetime
    every: Duration
    period_key: PeriodKeyStyle | None = None
    opening_rule: Literal["next_working_day", "exact"] = "next_working_day"


class CycleDefinition(Frozen):
    """A recurring cycle: its cadence, its steps (states) and the transitions between them."""

    name: Identifier
    title: str = Field(min_length=1)
    short_title: str = ""
    description: str = ""
    timezone: str = "Europe/Stockholm"
    cadence: Cadence
    chair_role: Identifier
    context_from: tuple[ContextFrom, ...] = ()
    steps: tuple[StepSpec, ...] = Field(min_length=1)
    transitions: tuple[TransitionSpec, ...] = Field(min_length=1)

    def step(self, step_id: str) -> StepSpec:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.steps) + TERMINAL_STATES

    @property
    def display_title(self) -> str:
        return self.short_title or self.title


class RoleSpec(Frozen):
    id: Identifier
    title: str = Field(min_length=1)
    party: Party | None = None


class Person(Frozen):
    id: Identifier
    name: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    party: Party
    roles: tuple[Identifier, ...] = Field(min_length=1)
    municipality: str | None = None
    language: Literal["sv", "en"] = "sv"
    digest: bool = False


class Organisation(Frozen):
    """Who holds which role: the municipality, the police area and its municipalities."""

    name: str
    municipality: str
    police_area: str
    municipalities: tuple[str, ...] = ()
    roles: tuple[RoleSpec, ...] = Field(min_length=1)
    people: tuple[Person, ...] = Field(min_length=1)

    def person(self, person_id: str) -> Person:
        found = self.find(person_id)
        if found is None:
            raise KeyError(person_id)
        return found

    def find(self, person_id: str) -> Person | None:
        """The person, or None if they are not (or no longer) in the organisation."""
        return next((p for p in self.people if p.id == person_id), None)

    def name_of(self, person_id: str) -> str:
        """The person's name, or their id if they have left the organisation."""
        found = self.find(person_id)
        return person_id if found is None else found.name

    def people_with_role(self, role: str) -> tuple[Person, ...]:
        return tuple(p for p in self.people if role in p.roles)

    def role(self, role_id: str) -> RoleSpec:
        for role in self.roles:
            if role.id == role_id:
                return role
        raise KeyError(role_id)
