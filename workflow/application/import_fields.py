"""Which column of an exported table holds which field of an EST observation: headers in
Swedish or English (as Embrace, Excel sheets and form tools name them), or a mapping file.

A mapping file (YAML) names columns and, if the file's categories are words of its own, what
they are in the inventory's categories:

    columns:
      Händelsetyp: kategori      # a field by its Swedish or English name
      Adress: plats
      Intern anteckning: ingen   # not read
    categories:
      Tags: klotter              # a category's id or label in the inventory
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lofte.definitions.places import normalised
from lofte.kernel.errors import ConfigError
from lofte.kernel.untrusted import Limits, UntrustedInputError, load_yaml

IGNORED = "ignore"
# field -> the header words that name it (compared casefolded, without punctuation)
FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "ärende", "ärendenummer", "ärende-id", "rapport-id", "report id", "case id"),
    "category": ("kategori", "category", "händelsetyp", "typ", "type", "incident type"),
    "place": ("plats", "place", "platsnamn", "location", "adress", "address"),
    "area": ("område", "area", "stadsdel", "district", "tätort"),
    "date": ("datum", "date", "tidpunkt", "datum och tid", "date and time", "händelsedatum"),
    "clock": ("klockslag", "tid", "time", "kl", "klocktid"),
    "part_of_day": ("del av dygnet", "dygnsdel", "part of the day", "part of day", "time of day"),
    "quantity": ("antal", "quantity", "count", "number"),
    "text": ("beskrivning", "description", "text", "kommentar", "comment", "notering"),
    "handling": ("åtgärd", "åtgärd på plats", "action", "action taken", "handling"),
    "reported_to": ("felanmält till", "reported to", "anmält till"),
    "lat": ("latitud", "latitude", "lat"),
    "lon": ("longitud", "longitude", "lon", "lng", "long"),
    "assessment": ("bedömning", "allvar", "assessment", "severity"),
    IGNORED: ("ingen", "ignorera", "none"),
}
# field -> how messages name it (Swedish)
FIELD_NAMES = {
    "id": "Id",
    "category": "Kategori",
    "place": "Plats",
    "area": "Område",
    "date": "Datum",
    "clock": "Klockslag",
    "part_of_day": "Del av dygnet",
    "quantity": "Antal",
    "text": "Beskrivning",
    "handling": "Åtgärd",
    "reported_to": "Felanmält till",
    "lat": "Latitud",
    "lon": "Longitud",
    "assessment": "Bedömning",
}
# What the form itself calls them (the inventory's column ids) name the fields too.
FORM_IDS = {
    "kategori": "category",
    "omrade": "area",
    "datum": "date",
    "klockslag": "clock",
    "dygnsdel": "part_of_day",
    "antal": "quantity",
    "beskrivning": "text",
    "atgard": "handling",
    "felanmalt_till": "reported_to",
    "bedomning": "assessment",
}
_PUNCTUATION = re.compile(r"[\s:;.*()\[\]_]+")


def header_key(text: str) -> str:
    """How a header compares: case, punctuation and runs of spaces do not count."""
    return _PUNCTUATION.sub(" ", normalised(text)).strip()


_BY_WORD = (
    {header_key(w): f for f, words in FIELD_WORDS.items() for w in words}
    | {header_key(f): f for f in FIELD_NAMES}
    | FORM_IDS
)


def field_named(word: str) -> str | None:
    return _BY_WORD.get(header_key(word))


@dataclass(frozen=True)
class ColumnMapping:
    """What a mapping file says: header -> field, and a category word -> a category."""

    columns: dict[str, str] = field(default_factory=dict)  # header_key -> field
    categories: dict[str, str] = field(default_factory=dict)  # normalised word -> category


NO_MAPPING = ColumnMapping()


def read_mapping(name: str, text: str) -> ColumnMapping:
    """A mapping file; ConfigError naming the file and the entry that is wrong."""
    try:
        data = load_yaml(text, Limits(max_bytes=200_000))
    except UntrustedInputError as exc:
        line = f", rad {exc.line}" if exc.line else ""
        raise ConfigError(f"mappningsfilen {name}{line}: {exc}") from None
    if data is None:
        return NO_MAPPING
    if not isinstance(data, dict) or not set(data) <= {"columns", "categories"}:
        raise ConfigError(
            f"mappningsfilen {name}: ska ha avsnitten columns: (kolumn: fält) och "
            "categories: (värde: kategori)"
        )
    columns: dict[str, str] = {}
    for header, target in _pairs(name, "columns", data.get("columns")):
        found = field_named(target)
        if found is None:
            known = ", ".join(sorted(FIELD_NAMES.values()))
            raise ConfigError(
                f"mappningsfilen {name}, columns, {header!r}: okänt fält {target!r} "
                f"(kända: {known}, eller ingen)"
            )
        columns[header_key(header)] = found
    categories = {
        normalised(word): target
        for word, target in _pairs(name, "categories", data.get("categories"))
    }
    return ColumnMapping(columns, categories)


def _pairs(name: str, section: str, value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, dict):
        raise ConfigError(f"mappningsfilen {name}: {section}: ska vara par av text: text")
    return [(str(k), str(v)) for k, v in value.items()]


@dataclass(frozen=True)
class Columns:
    """Which column (index) holds each field; the headers read by no field."""

    index: dict[str, int]
    headers: tuple[str, ...]
    unused: tuple[str, ...]

    def header(self, name: str) -> str:
        return self.headers[self.index[name]]


Requirement = tuple[tuple[tuple[str, ...], ...], str]  # (alternatives of fields, message)


def match_columns(
    headers: Sequence[str], mapping: ColumnMapping, required: Sequence[Requirement]
) -> Columns:
    """Each field's column: the mapping file's word first, then the header's own. Each
    requirement is met by one of its alternatives (all of its fields found); a requirement
    not met is a ConfigError naming the headers found."""
    index: dict[str, int] = {}
    unused = []
    for position, header in enumerate(headers):
        key = header_key(header)
        found = mapping.columns.get(key) or _BY_WORD.get(key)
        if found is None or found == IGNORED or found in index:
            if header and found != IGNORED:
                unused.append(header)
            continue
        index[found] = position
    missing = [
        message
        for alternatives, message in required
        if not any(all(f in index for f in fields) for fields in alternatives)
    ]
    if missing:
        raise ConfigError(
            f"{'; '.join(missing)} (rubriker i filen: {', '.join(h for h in headers if h)}); "
            "byt namn på rubriken eller ange en mappningsfil (--mapping)"
        )
    return Columns(index, tuple(headers), tuple(unused))
