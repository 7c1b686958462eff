"""`lofte import observations` and the coordinator's upload: EST reports exported from other
tools (Embrace, Excel sheets, form exports) read row by row into observations of the unit.

A preview says for each row what was understood (category, time, the place of the register
it was matched to: by name or alias, or by coordinates within `NEAR_METRES`; otherwise an
"annan plats" the coordinator maps later, as the web form keeps it), and what is wrong with
it (its row number and column, in Swedish). Storing stores nothing when any row is bad,
unless bad rows are to be skipped. Every row has a stable key (its id column if the file has
one, else a hash of what it says, numbered among identical rows of the file), so importing
the same file again adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from lofte.definitions.directory import Unit
from lofte.definitions.organisation import PlaceSpec
from lofte.definitions.places import PlaceRegister, normalised
from lofte.definitions.steps import UNKNOWN_TIME
from lofte.kernel.errors import AccessDenied, ConfigError
from lofte.kernel.timerules import STOCKHOLM, to_utc
from lofte.workflow.application import import_values as read
from lofte.workflow.application.app import Application
from lofte.workflow.application.import_fields import (
    FIELD_NAMES,
    NO_MAPPING,
    ColumnMapping,
    Columns,
    Requirement,
    match_columns,
)
from lofte.workflow.application.import_table import read_table
from lofte.workflow.application.visibility import Viewer, can_keep_places
from lofte.workflow.core.imported import observation_categories, store_observations
from lofte.workflow.core.observations import PART_WORDS, VERSION, moment_of, part_of
from lofte.workflow.core.places import register_of
from lofte.workflow.core.records import ImportedObservation

NEAR_METRES = 150.0
AHEAD = timedelta(days=14)
EARLIEST = date(2000, 1, 1)
LIMITS = {"text": 2000, "place": 200, "area": 100, "reported_to": 200}
REQUIRED: tuple[Requirement, ...] = (
    ((("category",),), "kolumnen Kategori saknas"),
    ((("date",),), "kolumnen Datum saknas"),
    ((("place",), ("lat", "lon")), "kolumnen Plats (eller Latitud och Longitud) saknas"),
)


class ImportRowsError(ConfigError):
    """Rows of the file cannot be read; nothing was stored."""


@dataclass(frozen=True)
class RowOutcome:
    number: int  # the row's number in the file
    observation: dict[str, Any] | None  # what was understood (None: the row is bad)
    key: str = ""
    matched: str = ""  # the register's place it was matched to, and how; or "annan plats"
    problems: tuple[str, ...] = ()  # "kolumn ”Datum”: ..." each
    already: bool = False  # imported before

    def messages(self) -> list[str]:
        return [f"rad {self.number}, {problem}" for problem in self.problems]


@dataclass(frozen=True)
class ObservationImport:
    """A file read and understood, not yet stored."""

    unit: Unit
    file: str
    columns: Columns
    rows: tuple[RowOutcome, ...]
    labels: dict[str, str] = field(default_factory=dict)  # category -> its Swedish label

    @property
    def bad(self) -> list[RowOutcome]:
        return [r for r in self.rows if r.problems]

    @property
    def good(self) -> list[RowOutcome]:
        return [r for r in self.rows if not r.problems]

    @property
    def new(self) -> list[RowOutcome]:
        return [r for r in self.good if not r.already]

    def messages(self) -> list[str]:
        return [message for row in self.bad for message in row.messages()]

    @property
    def used(self) -> list[tuple[str, str]]:
        """(header, field name) of the columns read."""
        return [(self.columns.headers[i], FIELD_NAMES[f]) for f, i in self.columns.index.items()]


def preview_observations(
    app: Application,
    viewer: Viewer,
    unit_id: str,
    name: str,
    data: bytes,
    mapping: ColumnMapping = NO_MAPPING,
) -> ObservationImport:
    """Read the file and understand every row (nothing is stored)."""
    unit = import_unit(app, viewer, unit_id)
    table = read_table(name, data)
    columns = match_columns(table.headers, mapping, REQUIRED)
    today = app.now.astimezone(STOCKHOLM).date()

    def understand(work: Any) -> ObservationImport:
        options = observation_categories(work, unit)
        try:
            categories = read.Categories(options, mapping.categories)
        except ValueError as exc:
            raise ConfigError(f"mappningsfilen, categories: {exc}") from None
        reader = _RowReader(unit.id, columns, categories, register_of(work, unit), today)
        rows = reader.all([(row.number, row.cells) for row in table.rows])
        known = work.uow.imports.known_keys(unit.id, [r.key for r in rows if r.key])
        marked = tuple(_with_already(r, known) for r in rows)
        labels = {o["value"]: o.get("sv") or o["value"] for o in options}
        return ObservationImport(unit, table.name, columns, marked, labels)

    return app.engine.inspect(understand)


def store_observation_import(
    app: Application, viewer: Viewer, found: ObservationImport, *, skip_bad: bool = False
) -> int:
    """Store the understood rows the unit does not have yet; returns how many were added.
    ImportRowsError (nothing stored) if a row is bad and bad rows are not to be skipped."""
    require_importer(viewer, found.unit)
    if found.bad and not skip_bad:
        raise ImportRowsError(
            f"{found.file}: {len(found.bad)} av {len(found.rows)} rader kan inte läsas; "
            "ingenting sparades (rätta raderna, eller läs in resten med --skip-bad):\n"
            + "\n".join(found.messages())
        )
    now = app.now
    made = [
        ImportedObservation(
            key=row.key,
            unit_id=found.unit.id,
            observed_at=to_utc(_moment(row.observation), STOCKHOLM),
            observation=row.observation,
            source=found.file[:200],
            imported_at=now,
            imported_by=viewer.label[:120],
        )
        for row in found.good
        if row.observation is not None
    ]
    skipped = [row.number for row in found.bad]
    return app.engine.act(
        viewer.label,
        lambda work: store_observations(
            work, found.unit.id, made, file=found.file, rows=len(found.rows), skipped=skipped
        ),
    )


def _moment(observation: dict[str, Any] | None) -> Any:
    moment = moment_of(observation or {})
    assert moment is not None  # an understood row always has its date
    return moment.replace(tzinfo=None)


def import_unit(app: Application, viewer: Viewer, unit_id: str) -> Unit:
    """The municipality whose observations `viewer` may import (its coordinator, an
    administrator); NotFound, ConfigError (not a municipality) or AccessDenied."""
    unit = app.require_unit(unit_id)
    if unit.kind != "municipality":
        raise ConfigError(
            f"{unit.name} är ingen kommun; iakttagelser läses in per kommun (platserna finns där)"
        )
    require_importer(viewer, unit)
    return unit


def require_importer(viewer: Viewer, unit: Unit) -> None:
    """A unit's imports are its coordinator's (who keeps its places) and administrators'."""
    if not can_keep_places(viewer, unit):
        role = viewer.directory.role_title(viewer.directory.coordinator_role(unit)).lower()
        raise AccessDenied(f"bara {role} i {unit.name} kan läsa in iakttagelser och indikatorer")


def _with_already(row: RowOutcome, known: set[str]) -> RowOutcome:
    if row.key and row.key in known:
        return RowOutcome(row.number, row.observation, row.key, row.matched, row.problems, True)
    return row


class _RowReader:
    """Reads the rows of one file (`all`), each into an observation or its problems."""

    def __init__(
        self,
        unit_id: str,
        columns: Columns,
        categories: read.Categories,
        register: PlaceRegister,
        today: date,
    ) -> None:
        self.unit_id = unit_id
        self.columns = columns
        self.categories = categories
        self.register = register
        self.today = today

    def all(self, rows: Sequence[tuple[int, Sequence[Any]]]) -> list[RowOutcome]:
        seen: Counter[str] = Counter()
        found = []
        for number, cells in rows:
            outcome = self.one(number, cells)
            if outcome.observation is not None and outcome.key:
                base = outcome.key
                seen[base] += 1  # identical rows of one file stay apart, numbered in order
                key = _digest({"row": base, "n": seen[base]})
                outcome = RowOutcome(number, outcome.observation, key, outcome.matched)
            found.append(outcome)
        return found

    def one(self, number: int, cells: Sequence[Any]) -> RowOutcome:
        problems: list[str] = []

        def cell(name: str, how: Callable[[Any], Any], empty: Any = None) -> Any:
            position = self.columns.index.get(name)
            value = None if position is None else cells[position]
            if read.text(value) == "":
                return empty
            try:
                return how(value)
            except read.BadCell as exc:
                problems.append(f"kolumn ”{self.columns.header(name)}”: {exc}")
                return empty

        values = self._values(cell, problems)
        if problems:
            return RowOutcome(number, None, problems=tuple(problems))
        observation, matched, written = values
        ident = cell("id", read.text, "")
        # what the row says, not what the register made of it (a place added later changes
        # nothing): the written place, not the place it was matched to
        said = {k: v for k, v in observation.items() if k != "v"} | {"place": written}
        basis = {"id": ident} if ident else said
        key = _digest({"unit": self.unit_id, **basis})
        return RowOutcome(number, observation, key, matched)

    def _values(self, cell: Any, problems: list[str]) -> tuple[dict[str, Any], str, str]:
        category = cell("category", self.categories.find, "")
        if not category and "category" in self.columns.index and not problems:
            problems.append(f"kolumn ”{self.columns.header('category')}”: kategori saknas")
        day, clock, part = self._when(cell, problems)
        texts = {name: cell(name, read.text, "") for name in LIMITS}
        for name, limit in LIMITS.items():
            if len(texts[name]) > limit:
                header = self.columns.header(name)
                problems.append(f"kolumn ”{header}”: högst {limit} tecken (nu {len(texts[name])})")
        lat = cell("lat", lambda c: read.degrees(c, -90, 90))
        lon = cell("lon", lambda c: read.degrees(c, -180, 180))
        if (lat is None) != (lon is None) and not problems:
            problems.append("både latitud och longitud behövs för en koordinat")
        assessment = cell("assessment", read.quantity)
        if assessment is not None and assessment > 5:
            problems.append(f"kolumn ”{self.columns.header('assessment')}”: en bedömning 1–5")
        handling = cell("handling", read.handling, "")
        if texts["reported_to"] and not handling:
            handling = "felanmalt"
        place, area, matched = self._place(texts["place"], texts["area"], lat, lon)
        if not place and not problems:
            problems.append("plats saknas (ange en plats eller koordinater)")
        observation = {
            "v": VERSION,
            "category": category,
            "place": place,
            "area": area,
            "text": texts["text"],
            "assessment": assessment,
            "quantity": cell("quantity", read.quantity, 1),
            "handling": handling,
            "reported_to": texts["reported_to"],
            "date": day.isoformat() if day else "",
            "clock": clock,
            "part_of_day": part,
        }
        if lat is not None and lon is not None:
            observation |= {"lat": round(lat, 6), "lon": round(lon, 6)}
        return observation, matched, texts["place"]

    def _when(self, cell: Any, problems: list[str]) -> tuple[date | None, str, str]:
        day, clock = cell("date", read.day_and_clock, (None, ""))
        header = self.columns.header("date")
        if day is None:
            if not problems:
                problems.append(f"kolumn ”{header}”: datum saknas")
            return None, "", UNKNOWN_TIME
        if day > self.today + AHEAD:
            problems.append(f"kolumn ”{header}”: {day.isoformat()} ligger mer än två veckor fram")
        if day < EARLIEST:
            problems.append(f"kolumn ”{header}”: {day.isoformat()} ligger före {EARLIEST.year}")
        clock = cell("clock", read.clock, "") or clock
        part = cell("part_of_day", read.part_of_day, "")
        if clock:
            fits = part_of(int(clock[:2]))
            if part and part != UNKNOWN_TIME and part != fits:
                column = self.columns.header("part_of_day")
                said, right = PART_WORDS[part][0], PART_WORDS[fits][0]
                problems.append(f"kolumn ”{column}”: klockslaget {clock} är {right}, inte {said}")
            part = fits
        return day, clock, part or UNKNOWN_TIME

    def _place(
        self, written: str, area: str, lat: float | None, lon: float | None
    ) -> tuple[str, str, str]:
        """(place as stored, area, how it was matched)."""
        if written:
            place = self.register.resolve(written)
            if place is not None:
                how = "namnet" if normalised(place.name) == normalised(written) else "annat namn"
                return written, area, f"{place.name} ({how})"
        if lat is not None and lon is not None:
            near = _nearest(self.register.places, lat, lon)
            if near is not None:
                place, metres = near
                return place.name, place.area, f"{place.name} ({metres:.0f} m från koordinaterna)"
        if written:
            return written, area, "annan plats"
        if lat is not None and lon is not None:
            return f"{lat:.5f}, {lon:.5f}", area, "annan plats (koordinater)"
        return "", area, ""


def _nearest(places: Sequence[PlaceSpec], lat: float, lon: float) -> tuple[PlaceSpec, float] | None:
    """The register's place nearest the coordinates, if within NEAR_METRES."""
    best = min(
        ((p, metres_between(lat, lon, p.lat, p.lon)) for p in places),
        key=lambda x: x[1],
        default=None,
    )
    return best if best is not None and best[1] <= NEAR_METRES else None


def metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, a sphere of the Earth's mean radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def _digest(values: dict[str, Any]) -> str:
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
