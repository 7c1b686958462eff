"""An EST observation as the lägesbild reads it: one row of an inventory answer, in the shape
of this release, whatever the shape of the definition it was answered under.

The shape carries a version (`v`). Version 1 had one `time` (an exact date and time, ISO);
version 2 has a `date`, a `clock` time when it is known and a `part_of_day` (natt, morgon,
dag, kväll, or okänd tid). Rows of a definition of the earlier shape (an observation source
whose `time` names a datetime column) are read as version 1 and upgraded one step at a time in
a loop until current, as are observations of a lägesbild stored with a step before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any

from lofte.definitions.steps import PARTS_OF_DAY, REPORTED, UNKNOWN_TIME, ObservationSource
from lofte.kernel import words
from lofte.kernel.errors import FieldProblem
from lofte.kernel.timerules import STOCKHOLM

VERSION_KEY = "v"
VERSION = 2
Observation = dict[str, Any]


def part_of(hour: int) -> str:
    """The part of the day an hour (local time) falls in."""
    return next(p for p, (low, high) in PARTS_OF_DAY.items() if low <= hour < high)


def local_moment(value: Any) -> datetime | None:
    """An ISO date and time as Stockholm time (a naive one is read as Stockholm time)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=STOCKHOLM)
    return moment.astimezone(STOCKHOLM)


def _v1_to_v2(values: Observation) -> Observation:
    """One `time` -> `date`, `clock` and `part_of_day` (okänd tid if it could not be read)."""
    moment = local_moment(values.pop("time", ""))
    if moment is None:
        return values | {"date": "", "clock": "", "part_of_day": UNKNOWN_TIME}
    return values | {
        "date": moment.date().isoformat(),
        "clock": moment.strftime("%H:%M"),
        "part_of_day": part_of(moment.hour),
    }


_UPGRADES: dict[int, Callable[[Observation], Observation]] = {1: _v1_to_v2}


def current(data: Mapping[str, Any]) -> Observation:
    """The observation in the current shape; ValueError if it is newer than this release."""
    values = dict(data)
    version = int(values.pop(VERSION_KEY, 1))
    if version > VERSION:
        raise ValueError(f"iakttagelsens version {version} är nyare än denna version av Löfte")
    while version < VERSION:
        values = _UPGRADES[version](values)
        version += 1
    return {VERSION_KEY: version, **values}


def from_row(row: Mapping[str, Any], source: ObservationSource) -> Observation:
    """One answer row, read with the observation source of the definition it answered."""
    quantity = row.get(source.quantity) if source.quantity else None
    values: Observation = {
        "category": row.get(source.category, ""),
        "place": str(row.get(source.place, "")).strip(),
        "area": str(row.get(source.area, "")).strip(),
        "text": row.get(source.text, ""),
        "assessment": row.get(source.assessment) if source.assessment else None,
        "quantity": quantity if isinstance(quantity, int | float) and quantity > 0 else 1,
        "handling": str(row.get(source.handling, "") or "") if source.handling else "",
        "reported_to": str(row.get(source.reported_to, "") or "") if source.reported_to else "",
    }
    if source.date is None:  # the earlier shape: one datetime column
        return current(values | {VERSION_KEY: 1, "time": row.get(source.time or "", "")})
    clock = str(row.get(source.time, "") or "") if source.time else ""
    part = str(row.get(source.part_of_day, "") or "") if source.part_of_day else ""
    if clock and _clock(clock) is not None:
        part = part_of(_clock(clock).hour)  # type: ignore[union-attr]
    return current(
        values
        | {
            VERSION_KEY: VERSION,
            "date": str(row.get(source.date, "") or ""),
            "clock": clock,
            "part_of_day": part or UNKNOWN_TIME,
        }
    )


def _clock(value: str) -> time | None:
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


def moment_of(observation: Mapping[str, Any]) -> datetime | None:
    """When it happened, as far as known (Stockholm time): the date at its clock time, else at
    the start of its part of the day, else at midnight; None without a readable date."""
    try:
        day = date.fromisoformat(str(observation.get("date", "")))
    except ValueError:
        return None
    clock = _clock(str(observation.get("clock", "")))
    if clock is None:
        low, _ = PARTS_OF_DAY.get(str(observation.get("part_of_day", "")), (0, 0))
        clock = time(low)
    return datetime.combine(day, clock.replace(tzinfo=None), tzinfo=STOCKHOLM)


def has_time_of_day(observation: Mapping[str, Any]) -> bool:
    """Whether it counts in the hour bands: a clock time or a part of the day is known."""
    return observation.get("part_of_day") in PARTS_OF_DAY


PART_WORDS = {
    "natt": ("natt", "night"),
    "morgon": ("morgon", "morning"),
    "dag": ("dag", "day"),
    "kvall": ("kväll", "evening"),
    UNKNOWN_TIME: ("okänd tid", "unknown time"),
}


def row_problems(
    answer: Mapping[str, Any], source: ObservationSource, labels: Mapping[str, str]
) -> list[FieldProblem]:
    """What an answer's observations must hold beyond each field's type: a time of day
    (a clock time, a part of the day or okänd tid) that agrees with itself, and whom a
    reported observation was reported to. `labels`: column id -> label."""
    problems: list[FieldProblem] = []
    for index, row in enumerate(answer.get(source.field) or []):
        at = f"{source.field}[{index}]."
        clock = str(row.get(source.time, "") or "") if source.time else ""
        part = str(row.get(source.part_of_day, "") or "") if source.part_of_day else ""
        if source.date is not None and not clock and not part:
            column = source.part_of_day or source.time or source.date
            problems.append(
                FieldProblem(f"{at}{column}", "time_of_day_missing", {}, labels.get(column, ""))
            )
        moment = _clock(clock) if clock else None
        if moment is not None and part in PARTS_OF_DAY and part != part_of(moment.hour):
            fits = part_of(moment.hour)
            words = {
                "clock": clock,
                "part": PART_WORDS[part][0],
                "part_en": PART_WORDS[part][1],
                "fits": PART_WORDS[fits][0],
                "fits_en": PART_WORDS[fits][1],
            }
            column = source.part_of_day or ""
            problems.append(
                FieldProblem(f"{at}{column}", "part_of_day_mismatch", words, labels.get(column, ""))
            )
        if (
            source.handling
            and source.reported_to
            and row.get(source.handling) == REPORTED
            and not str(row.get(source.reported_to, "") or "").strip()
        ):
            column = source.reported_to
            problems.append(
                FieldProblem(f"{at}{column}", "reported_to_missing", {}, labels.get(column, ""))
            )
    return problems


def when_text(data: Mapping[str, Any], language: str = "sv") -> str:
    """`tis 5 jan 2027 kl. 21.30`, `tis 5 jan 2027, kväll`, `tis 5 jan 2027, okänd tid` (an
    observation of any stored shape)."""
    try:
        observation = current(data)
    except ValueError:
        return ""
    lang = words.lang_of(language)
    try:
        day = words.day(str(observation.get("date", "")), lang)
    except ValueError:
        day = ""
    clock = _clock(str(observation.get("clock", "")))
    if clock is not None:
        return f"{day} {words.clock(datetime.combine(date.min, clock), lang)}".strip()
    part = PART_WORDS.get(str(observation.get("part_of_day", "")), PART_WORDS[UNKNOWN_TIME])
    return f"{day}, {part[lang == 'en']}" if day else part[lang == "en"]
