"""Building blocks of every definition shape: frozen models, identifiers, durations and texts
in Swedish with an optional English version.

The shapes here are structural only (types, required keys, known values). Rules and bounds
live in `definitions.checks`, which runs on files an administrator loads, never on a stored
definition read back: a stricter rule in a later release cannot make a running cycle unreadable.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, PlainValidator

from lofte.kernel.durations import IsoDuration

IDENTIFIER = r"^[a-z][a-z0-9_-]*$"
Identifier = str


def _to_duration(value: object) -> IsoDuration:
    if isinstance(value, IsoDuration):
        return value
    if not isinstance(value, str):
        raise ValueError("en varaktighet skrivs som text, till exempel P1W, P3M eller P2DT3H")
    return IsoDuration.parse(value)


Duration = Annotated[IsoDuration, PlainValidator(_to_duration), PlainSerializer(str)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class LocalText(Frozen):
    """A text staff read: Swedish, and English for people who read English."""

    sv: str
    en: str = ""

    def get(self, language: str = "sv") -> str:
        return self.en if language == "en" and self.en else self.sv

    def __str__(self) -> str:
        return self.sv


def _to_local_text(value: Any) -> Any:
    if isinstance(value, str):
        return {"sv": value}
    return value


def _dump_local_text(value: LocalText) -> Any:
    return value.sv if not value.en else {"sv": value.sv, "en": value.en}


Text = Annotated[LocalText, BeforeValidator(_to_local_text), PlainSerializer(_dump_local_text)]


def text(sv: str, en: str = "") -> LocalText:
    return LocalText(sv=sv, en=en)


EMPTY_TEXT = LocalText(sv="")
