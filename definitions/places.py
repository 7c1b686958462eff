"""The place register of a municipality as the statistics and the form ask it: the places of
the setup (`places:` in the organisation) with what the coordinator decided later (a written
"annan plats" mapped onto a place, or added to the register as a place of its own).

One rule turns what a reporter wrote into a place: the text, normalised (case, spaces), is a
place's name, one of its aliases or a text the coordinator mapped; anything else stays an
"annan plats" under its own text. Aliases and mappings therefore merge the counts without
rewriting a single stored answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import Field

from lofte.definitions.base import Frozen, Identifier
from lofte.definitions.organisation import PlaceSpec

DECISIONS_FORMAT = 1
OTHER_PLACE = "annan"  # the form's value for "annan plats"
_SPACES = re.compile(r"\s+")


def normalised(text: str) -> str:
    """How two spellings of one name compare: case and runs of spaces do not count."""
    return _SPACES.sub(" ", str(text)).strip().casefold()


def _tidied(text: str) -> str:
    """A written name as it is kept and shown: its runs of spaces made one."""
    return _SPACES.sub(" ", str(text)).strip()


class PlaceDecisions(Frozen):
    """What a unit's coordinator decided about places written as "annan plats": each text
    (as written) mapped onto a place id, and places added to the register."""

    format: int = DECISIONS_FORMAT
    mapped: dict[str, Identifier] = Field(default_factory=dict)
    added: tuple[PlaceSpec, ...] = ()


NO_DECISIONS = PlaceDecisions()


@dataclass(frozen=True)
class PlaceRegister:
    """A unit's places: the setup's and the coordinator's, and every name that means one."""

    places: tuple[PlaceSpec, ...] = ()
    decisions: PlaceDecisions = NO_DECISIONS
    _by_name: Mapping[str, PlaceSpec] = field(init=False, repr=False, compare=False)
    _by_id: Mapping[str, PlaceSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        every = (*self.places, *(p for p in self.decisions.added if p.id not in self._ids()))
        object.__setattr__(self, "places", every)
        by_id = {p.id: p for p in every}
        by_name: dict[str, PlaceSpec] = {}
        for place in every:  # names win over aliases, aliases over mappings
            by_name.setdefault(normalised(place.name), place)
        for place in every:
            for alias in place.aliases:
                by_name.setdefault(normalised(alias), place)
        for text, place_id in self.decisions.mapped.items():
            if place_id in by_id:
                by_name.setdefault(normalised(text), by_id[place_id])
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_by_id", by_id)

    def _ids(self) -> set[str]:
        return {p.id for p in self.places}

    def resolve(self, text: str) -> PlaceSpec | None:
        """The place `text` names (its name, an alias or a mapped text), or None."""
        return self._by_name.get(normalised(text))

    def by_id(self, place_id: str) -> PlaceSpec | None:
        return self._by_id.get(place_id)

    def names(self, place: PlaceSpec) -> tuple[str, ...]:
        """Every text that counts as `place`: its name, aliases and the texts mapped onto it."""
        mapped = (t for t, i in self.decisions.mapped.items() if i == place.id)
        return tuple(dict.fromkeys((place.name, *place.aliases, *mapped)))

    def unknown(self, texts: Iterable[str]) -> list[str]:
        """The texts no place answers to ("annan plats" still to be mapped), each once."""
        seen: dict[str, str] = {}
        for text in texts:
            key = normalised(text)
            if key and key not in self._by_name:
                seen.setdefault(key, " ".join(str(text).split()))
        return sorted(seen.values(), key=normalised)

    def with_mapping(self, text: str, place_id: str) -> PlaceDecisions:
        mapped = {**self.decisions.mapped, _tidied(text): place_id}
        return self.decisions.model_copy(update={"mapped": mapped})

    def with_place(self, place: PlaceSpec, text: str) -> PlaceDecisions:
        mapped = {**self.decisions.mapped, _tidied(text): place.id}
        added = (*self.decisions.added, place)
        return self.decisions.model_copy(update={"mapped": mapped, "added": added})
