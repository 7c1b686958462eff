"""The typed inputs a step asks for: one class per field type, joined in a tagged union."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from lofte.definitions.base import EMPTY_TEXT, Frozen, Identifier, LocalText, Text


class Option(Frozen):
    """One choice: the stored `value` and the `label` people read."""

    value: str
    label: Text

    def label_in(self, language: str) -> str:
        return self.label.get(language)


def _to_option(value: Any) -> Any:
    if isinstance(value, str):
        return {"value": value, "label": value}
    return value


OptionItem = Annotated[Option, BeforeValidator(_to_option)]


class FieldBase(Frozen):
    id: Identifier
    label: Text
    help: Text = EMPTY_TEXT
    required: bool = True
    required_unless: Identifier | None = None  # a boolean field of the same step
    sensitive: bool = False  # never in an email, never published, shown only to `visible_to`
    visible_to: tuple[Identifier, ...] = ()
    for_roles: tuple[Identifier, ...] = ()  # only people holding one of these are asked
    publish: bool = False  # shown on the public page when the step's answer is published

    @property
    def is_rows(self) -> bool:
        return False


class TextField(FieldBase):
    type: Literal["text"]
    max_length: int = 4000
    multiline: bool = True


class NumberField(FieldBase):
    type: Literal["number"]
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False


class ChoiceField(FieldBase):
    """One of the options; with `multiple`, any number of them (a list, in the options' order)."""

    type: Literal["choice"]
    options: tuple[OptionItem, ...] = ()
    multiple: bool = False

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


class ScaleField(FieldBase):
    """A value on a scale, e.g. how serious a reporter judges an observation (1–5)."""

    type: Literal["scale"]
    low: int = 1
    high: int = 5
    low_label: Text = EMPTY_TEXT
    high_label: Text = EMPTY_TEXT


class DateField(FieldBase):
    type: Literal["date"]


class DateTimeField(FieldBase):
    type: Literal["datetime"]


class TimeField(FieldBase):
    """A time of day, HH:MM (an observation's exact time, when it is known)."""

    type: Literal["time"]


class PlaceField(FieldBase):
    """A place of the unit's register, or another place written out ("annan plats"). The form
    offers the register; the answer keeps the text, which the register resolves (name, alias or
    a coordinator's mapping) wherever places are counted."""

    type: Literal["place"]
    max_length: int = 200


class BooleanField(FieldBase):
    type: Literal["boolean"]


class PersonField(FieldBase):
    """A person of the cycle's unit; `party` narrows the choice (kommun, polis, ...)."""

    type: Literal["person"]
    party: Identifier | None = None


class CommitmentField(FieldBase):
    """An open action of the cycle's unit (for a police area: of its municipalities) of one of
    `kinds`, e.g. a municipality's åtagande LOLG decides the police works on. The answer keeps
    the action's key with what it said and whose it was when chosen."""

    type: Literal["commitment"]
    kinds: tuple[Identifier, ...] = ("atagande",)


ColumnSpec = Annotated[
    TextField
    | NumberField
    | ChoiceField
    | ScaleField
    | DateField
    | DateTimeField
    | TimeField
    | PlaceField
    | BooleanField
    | PersonField
    | CommitmentField,
    Field(discriminator="type"),
]


class RowsField(FieldBase):
    """A list of rows, each with the same columns (observations, interventions, ...)."""

    type: Literal["rows"]
    columns: tuple[ColumnSpec, ...] = ()
    min_rows: int = 0
    max_rows: int = 200

    @property
    def is_rows(self) -> bool:
        return True

    def column(self, column_id: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.id == column_id), None)


FieldSpec = Annotated[
    TextField
    | NumberField
    | ChoiceField
    | ScaleField
    | DateField
    | DateTimeField
    | TimeField
    | PlaceField
    | BooleanField
    | PersonField
    | CommitmentField
    | RowsField,
    Field(discriminator="type"),
]

AnyField = (
    TextField
    | NumberField
    | ChoiceField
    | ScaleField
    | DateField
    | DateTimeField
    | TimeField
    | PlaceField
    | BooleanField
    | PersonField
    | CommitmentField
    | RowsField
)


def label_of(spec: FieldBase, language: str = "sv") -> str:
    return spec.label.get(language)


def texts_of(spec: FieldBase) -> tuple[LocalText, LocalText]:
    return spec.label, spec.help
