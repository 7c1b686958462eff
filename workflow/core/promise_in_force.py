"""Which medborgarlöfte a cycle serves: the municipality's promise in force on the first day of
the period the cycle is for (a direction decision keyed `2027-Q2` serves the promise in force
on 1 April 2027, whenever in March it is taken).

Emails and pages name it for the cycles whose results answer to the promise: those that publish
a decision (`publication`) or follow one up (`basis`), in the packaged setup the direction
decision and its follow-up; a weekly inventory does not repeat it."""

from __future__ import annotations

from datetime import date

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Directory
from lofte.definitions.promises import PromiseSpec, in_force, promise_phrase


def first_day(period_key: str) -> date | None:
    """The first day of a period key: `2027-W05`, `2027-Q2`, `2027-03`, `2027-03-15T0900`;
    None for a key of another shape."""
    try:
        if "-W" in period_key:
            year, week = period_key.split("-W")
            return date.fromisocalendar(int(year), int(week), 1)
        if "-Q" in period_key:
            year, quarter = period_key.split("-Q")
            return date(int(year), (int(quarter) - 1) * 3 + 1, 1)
        parts = period_key.split("T")[0].split("-")
        if len(parts) == 2:
            return date(int(parts[0]), int(parts[1]), 1)
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except (ValueError, IndexError):
        return None


def names_promise(definition: CycleDefinition) -> bool:
    """Whether a cycle of `definition` says which promise it serves."""
    return definition.basis is not None or any(s.publication for s in definition.steps)


def promise_of_cycle(directory: Directory, unit_id: str, period_key: str) -> PromiseSpec | None:
    day = first_day(period_key)
    return None if day is None else in_force(directory.spec.promises, unit_id, day)


def promise_words(directory: Directory, unit_id: str, period_key: str, language: str) -> str:
    """`medborgarlöftet 2027–2028 för Sala kommun`, or "" when no promise is in force."""
    promise = promise_of_cycle(directory, unit_id, period_key)
    unit = directory.unit(unit_id)
    if promise is None or unit is None:
        return ""
    return promise_phrase(promise, unit.name, language)
