"""A municipality's places for people: each place of the register with how often it was
reported over a period (aliases and mapped names counted as the place), the "annan plats"
texts still to be mapped, and the coordinator's two acts on such a text: map it onto a place,
or add it to the register."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from lofte.definitions.directory import Unit
from lofte.definitions.organisation import PLACE_KINDS, PlaceSpec
from lofte.definitions.places import PlaceRegister
from lofte.kernel.errors import ConfigError, FormError
from lofte.workflow.application.app import Application
from lofte.workflow.application.csv_export import to_csv
from lofte.workflow.application.lagesbild_view import period_bounds
from lofte.workflow.application.visibility import (
    Viewer,
    can_keep_places,
    require_place_keeper,
    require_unit,
)
from lofte.workflow.core.context import lagesbild_for
from lofte.workflow.core.places import add_place, map_place, register_of

CSV_HEADER = [
    "Plats",
    "Område",
    "Slag",
    "Latitud",
    "Longitud",
    "Andra namn",
    "Antal",
    "Perioden innan",
]


@dataclass(frozen=True)
class PlaceLine:
    """One place of the register (or, with `place` None, an "annan plats" by its text)."""

    name: str
    area: str
    count: int
    previous: int
    place: PlaceSpec | None = None
    other_names: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return PLACE_KINDS.get(self.place.kind, self.place.kind) if self.place else "Annan plats"


@dataclass(frozen=True)
class PlacesPicture:
    unit: Unit
    start: date
    end: date
    places: list[PlaceLine]  # the register, most reported first
    others: list[PlaceLine]  # "annan plats" texts no place answers to yet
    total: int
    can_keep: bool


def places_picture(
    app: Application, viewer: Viewer, unit_id: str, start: date, end: date
) -> PlacesPicture:
    unit = app.require_unit(unit_id)
    require_unit(viewer, unit)
    if unit.kind != "municipality":
        raise ConfigError(f"{unit.name} är ingen kommun; platser finns per kommun")
    first, last = period_bounds(start, end)
    counted = app.engine.inspect(
        lambda work: (register_of(work, unit), lagesbild_for(work, unit, first, last))
    )
    return _picture(unit, start, end, *counted, can_keep_places(viewer, unit))


def _picture(
    unit: Unit,
    start: date,
    end: date,
    register: PlaceRegister,
    data: dict[str, Any],
    can_keep: bool,
) -> PlacesPicture:
    counted = {c["place_id"]: c for c in data["by_place"] if c["place_id"]}
    lines = [
        PlaceLine(
            place.name,
            place.area,
            counted.get(place.id, {}).get("count", 0),
            counted.get(place.id, {}).get("previous", 0),
            place,
            register.names(place)[1:],
        )
        for place in register.places
    ]
    lines.sort(key=lambda line: (-line.count, line.area, line.name))
    others = [
        PlaceLine(c["place"], c["area"], c["count"], c["previous"])
        for c in data["by_place"]
        if not c["place_id"] and c["place"]
    ]
    return PlacesPicture(unit, start, end, lines, others, data["total"], can_keep)


def places_csv(picture: PlacesPicture) -> str:
    rows = [
        [
            line.name,
            line.area,
            line.kind,
            f"{line.place.lat:.5f}" if line.place else "",
            f"{line.place.lon:.5f}" if line.place else "",
            ", ".join(line.other_names),
            line.count,
            line.previous,
        ]
        for line in (*picture.places, *picture.others)
    ]
    return to_csv(CSV_HEADER, rows)


def map_other_place(
    app: Application, viewer: Viewer, unit_id: str, text: str, place_id: str
) -> None:
    """The coordinator maps an "annan plats" onto a place of the register."""
    unit = app.require_unit(unit_id)
    require_place_keeper(viewer, unit)
    if not place_id:
        raise FormError([("plats", "välj en plats i registret")])
    app.engine.act(viewer.label, lambda work: map_place(work, unit, text, place_id))


def add_other_place(
    app: Application, viewer: Viewer, unit_id: str, text: str, form: dict[str, str]
) -> None:
    """The coordinator adds an "annan plats" to the register as a place of its own."""
    unit = app.require_unit(unit_id)
    require_place_keeper(viewer, unit)
    place = _place_of(form)
    app.engine.act(viewer.label, lambda work: add_place(work, unit, text, place))


def _place_of(form: dict[str, str]) -> PlaceSpec:
    problems = []
    name = form.get("namn", "").strip()
    if not name:
        problems.append(("namn", "ange platsens namn"))
    kind = form.get("slag", "ovrigt")
    if kind not in PLACE_KINDS:
        problems.append(("slag", "välj ett slag av plats"))
    coordinates = {}
    for key, low, high in (("lat", -90, 90), ("lon", -180, 180)):
        try:
            value = float(form.get(key, "").strip().replace(",", "."))
        except ValueError:
            value = float("nan")
        if not low <= value <= high:
            problems.append((key, f"ett tal mellan {low} och {high} (grader, WGS 84)"))
        coordinates[key] = value
    if problems:
        raise FormError(problems)
    return PlaceSpec(
        id=_slug(name),
        name=name,
        area=form.get("omrade", "").strip(),
        kind=kind,
        lat=coordinates["lat"],
        lon=coordinates["lon"],
    )


def _slug(name: str) -> str:
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", " ": "-"})
    cleaned = "".join(c for c in name.lower().translate(table) if c.isalnum() or c in "-_")
    cleaned = cleaned.encode("ascii", "ignore").decode()[:60] or "plats"
    return cleaned if cleaned[0].isalpha() else f"p-{cleaned}"
