"""A cycle serves the promise in force on the first day of the period it is for, not the one in
force when it runs: Sala's direction decision for the first quarter of 2027, taken in December
2026, serves the promise 2027–2028."""

from __future__ import annotations

from datetime import date

import pytest

from lofte.workflow.core.promise_in_force import (
    first_day,
    names_promise,
    promise_of_cycle,
    promise_words,
)
from tests.conftest import packaged


@pytest.mark.parametrize(
    ("key", "day"),
    [
        ("2027-W01", date(2027, 1, 4)),
        ("2026-W53", date(2026, 12, 28)),
        ("2027-W53", None),  # 2027 has 52 ISO weeks
        ("2027-Q1", date(2027, 1, 1)),
        ("2027-Q4", date(2027, 10, 1)),
        ("2027-03", date(2027, 3, 1)),
        ("2027-03-15T0900", date(2027, 3, 15)),
        ("mars", None),
    ],
)
def test_the_first_day_of_a_period_key(key: str, day: date | None) -> None:
    assert first_day(key) == day


def test_a_cycle_serves_the_promise_of_its_period() -> None:
    directory = packaged().directory
    served = promise_of_cycle(directory, "sala", "2027-Q1")
    assert served is not None and served.years == "2027–2028"
    before = promise_of_cycle(directory, "sala", "2026-W49")
    assert before is not None and before.years == "2025–2026"
    assert promise_words(directory, "norberg", "2027-Q2", "sv") == (
        "medborgarlöftet 2025–2027 för Norbergs kommun"
    )
    assert promise_words(directory, "norberg", "2027-Q3", "en") == (
        "the citizen promise 2027–2029 of Norbergs kommun"
    )
    assert promise_words(directory, "lpo-norra-vastmanland", "2027-Q3", "sv") == ""


def test_the_decision_and_its_follow_up_name_the_promise_and_the_weekly_cycles_do_not() -> None:
    naming = {s.definition.name for s in packaged().definitions if names_promise(s.definition)}
    assert naming == {"inriktningsbeslut", "uppfoljning"}
