"""Cadences on Stockholm wall-clock time, Swedish working days and the deadline rule."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from definitions.loader import load_bundle
from workflow.cadence import first_period_after, period
from workflow.durations import IsoDuration
from workflow.step_times import step_times
from workflow.workdays import day_off_reason, next_working_moment

BUNDLE = load_bundle()


def test_weekly_cycle_opens_at_0900_local_across_summer_time() -> None:
    inventory = BUNDLE.definition("est-inventering")
    before = first_period_after(inventory, datetime(2027, 3, 20, tzinfo=UTC))  # 22 March
    after = period(inventory, before.index + 2)  # 5 April, summer time
    assert before.key == "2027-W12" and before.opens_at == datetime(2027, 3, 22, 8, tzinfo=UTC)
    assert after.key == "2027-W14" and after.opens_at == datetime(2027, 4, 5, 7, tzinfo=UTC)
    autumn = first_period_after(inventory, datetime(2027, 11, 1, tzinfo=UTC))
    assert autumn.opens_at == datetime(2027, 11, 1, 8, tzinfo=UTC)  # back on winter time


def test_opening_on_easter_monday_moves_to_tuesday_but_keeps_its_week() -> None:
    inventory = BUNDLE.definition("est-inventering")
    easter = first_period_after(inventory, datetime(2027, 3, 28, tzinfo=UTC))
    assert easter.key == "2027-W13"
    assert easter.opens_at == datetime(2027, 3, 30, 7, tzinfo=UTC)


def test_quarter_keys_and_boundaries() -> None:
    decision = BUNDLE.definition("inriktningsbeslut")
    follow_up = BUNDLE.definition("uppfoljning")
    december = first_period_after(decision, datetime(2027, 11, 20, tzinfo=UTC))
    assert december.key == "2028-Q1" and december.label == "kvartal 1 2028"
    assert period(decision, december.index + 1).key == "2028-Q2"
    q4 = first_period_after(follow_up, datetime(2027, 11, 1, tzinfo=UTC))
    assert q4.key == "2027-Q4"
    assert period(follow_up, q4.index + 1).key == "2028-Q1"  # year boundary


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2027, 6, 25), "Midsommarafton"),
        (date(2027, 12, 24), "Julafton"),
        (date(2027, 12, 31), "Nyårsafton"),
        (date(2027, 1, 6), "Trettondedag jul"),
        (date(2027, 6, 5), "lördag"),
        (date(2027, 6, 7), None),
    ],
)
def test_swedish_days_off(day: date, reason: str | None) -> None:
    assert day_off_reason(day) == reason


def test_deadline_on_midsommarafton_moves_to_monday() -> None:
    assert next_working_moment(datetime(2027, 6, 25, 12)) == datetime(2027, 6, 28, 12)


def test_step_deadline_on_a_holiday_moves_to_next_working_day() -> None:
    inventory = BUNDLE.definition("est-inventering")
    step = inventory.step("rapportering")
    # The week of 2027-12-20: Wednesday 22 Dec is fine; the week of Christmas Eve is not.
    normal = step_times(inventory, step, datetime(2027, 12, 20, 8, tzinfo=UTC))
    assert normal.deadline == datetime(2027, 12, 22, 11, tzinfo=UTC)
    # Opening Tuesday 2027-12-21 (say an admin moved it) puts Wednesday+1 on Friday Christmas
    # Eve; the deadline moves past the weekend and Annandag jul to Monday 27 December.
    moved = step_times(inventory, step, datetime(2027, 12, 22, 8, tzinfo=UTC))
    assert moved.deadline == datetime(2027, 12, 27, 11, tzinfo=UTC)
    assert moved.reminders[0] == datetime(2027, 12, 26, 11, tzinfo=UTC)


def test_exact_deadline_rule_is_not_moved() -> None:
    inventory = BUNDLE.definition("est-inventering")
    step = inventory.step("rapportering").model_copy(update={"deadline_rule": "exact"})
    times = step_times(inventory, step, datetime(2027, 12, 22, 8, tzinfo=UTC))
    assert times.deadline == datetime(2027, 12, 24, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "months", "days", "seconds"),
    [
        ("P1W", 0, 7, 0),
        ("P3M", 3, 0, 0),
        ("P2DT3H", 0, 2, 10800),
        ("-P1D", 0, -1, 0),
        ("quarterly", 3, 0, 0),
        ("PT20H", 0, 0, 72000),
        ("P1Y2M", 14, 0, 0),
    ],
)
def test_iso_durations(text: str, months: int, days: int, seconds: int) -> None:
    duration = IsoDuration.parse(text)
    assert (duration.months, duration.days, duration.seconds) == (months, days, seconds)


@pytest.mark.parametrize("text", ["", "P", "1W", "PT", "P1.5D", "weekly-ish"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        IsoDuration.parse(text)


def test_month_arithmetic_clamps_to_month_end() -> None:
    assert IsoDuration.parse("P1M").add_to(datetime(2027, 1, 31, 9)) == datetime(2027, 2, 28, 9)
