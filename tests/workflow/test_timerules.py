"""The Swedish time rules as people meet them: a deadline on a day off moves to the next working
day at the same Stockholm wall-clock time (lag 1930:173: Saturdays, Sundays, public holidays,
Midsommarafton, Julafton and Nyårsafton), and wall-clock times across summer time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lofte.kernel.timerules import (
    STOCKHOLM,
    day_off_reason,
    is_working_day,
    localize,
    next_working_moment,
    to_utc,
    wall_clock,
    zone,
)


@cache
def oracle_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("SE", years=year, categories=("public", "de_facto"))


def oracle_day_off(day: date) -> bool:
    """Independent of the module: the holidays package's public and de facto holidays (the
    eves), and Saturday and Sunday by the weekday rule. (holidays 0.109 no longer counts
    Sundays by default: `include_sundays` is False.)"""
    return day in oracle_holidays(day.year) or day.weekday() >= 5


def oracle_deadline(local: datetime) -> datetime:
    day = local.date()
    while oracle_day_off(day):
        day += timedelta(days=1)
    return datetime.combine(day, local.time())


@pytest.mark.parametrize(
    ("deadline", "moved_to"),
    [
        # Friday 8 Jan 2027 is a working day: it stays
        (datetime(2027, 1, 8, 15, 0), datetime(2027, 1, 8, 15, 0)),
        # Saturday and Sunday move to Monday at the same time
        (datetime(2027, 1, 9, 15, 0), datetime(2027, 1, 11, 15, 0)),
        (datetime(2027, 1, 10, 23, 59), datetime(2027, 1, 11, 23, 59)),
        # Midsommarafton (Fri 25 Jun 2027), then Midsommardagen and Sunday: Monday 28 Jun
        (datetime(2027, 6, 25, 12, 0), datetime(2027, 6, 28, 12, 0)),
        # Julafton (Fri 24 Dec 2027), juldagen, annandag jul (Sunday): Monday 27 Dec
        (datetime(2027, 12, 24, 9, 0), datetime(2027, 12, 27, 9, 0)),
        # Nyårsafton (Fri 31 Dec 2027), nyårsdagen (Sat), Sunday: Monday 3 Jan 2028
        (datetime(2027, 12, 31, 12, 0), datetime(2028, 1, 3, 12, 0)),
        # Trettondedag jul (Wed 6 Jan 2027): Thursday
        (datetime(2027, 1, 6, 10, 0), datetime(2027, 1, 7, 10, 0)),
        # Easter 2027: Långfredagen (26 Mar) to annandag påsk (29 Mar): Tuesday 30 Mar
        (datetime(2027, 3, 26, 8, 0), datetime(2027, 3, 30, 8, 0)),
        # Midsommarafton 2026 is Friday 19 June
        (datetime(2026, 6, 19, 12, 0), datetime(2026, 6, 22, 12, 0)),
    ],
)
def test_a_deadline_on_a_day_off_moves_to_the_next_working_day_at_the_same_time(
    deadline: datetime, moved_to: datetime
) -> None:
    assert next_working_moment(deadline) == moved_to


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2027, 1, 9), "lördag"),
        (date(2027, 1, 10), "söndag"),
        (date(2027, 6, 25), "Midsommarafton"),
        (date(2027, 12, 24), "Julafton"),
        (date(2027, 12, 31), "Nyårsafton"),
        (date(2027, 6, 6), "Nationaldagen"),  # a Sunday, named as the holiday it is
        (date(2027, 5, 1), "Första maj"),  # a Saturday, likewise
        (date(2027, 1, 8), None),
        (date(2027, 1, 11), None),
        (date(2027, 4, 30), None),  # Valborgsmässoafton is a working day
        (date(2027, 1, 5), None),  # so is trettondagsafton
    ],
)
def test_the_reason_a_day_is_off_is_given_in_swedish(day: date, reason: str | None) -> None:
    assert day_off_reason(day) == reason
    assert is_working_day(day) is (reason is None)


@settings(deadline=None, max_examples=40)
@given(year=st.integers(min_value=2000, max_value=2100), hour=st.integers(0, 23))
def test_every_day_of_a_year_follows_the_deadline_rule(year: int, hour: int) -> None:
    day = date(year, 1, 1)
    while day.year == year:
        local = datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=30)
        assert is_working_day(day) is not oracle_day_off(day), day
        assert next_working_moment(local) == oracle_deadline(local), day
        day += timedelta(days=1)


def test_the_spring_gap_moves_a_wall_clock_time_forward() -> None:
    # 28 March 2027: clocks go from 02:00 to 03:00; 02:30 does not exist
    skipped = datetime(2027, 3, 28, 2, 30)
    assert to_utc(skipped, STOCKHOLM) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    # written the same way on every machine, whatever its own time zone
    assert to_utc(skipped, STOCKHOLM).isoformat() == "2027-03-28T01:30:00+00:00"
    assert localize(skipped, STOCKHOLM).isoformat() == "2027-03-28T03:30:00+02:00"
    assert wall_clock(localize(skipped, STOCKHOLM), STOCKHOLM) == datetime(2027, 3, 28, 3, 30)
    # the minutes on each side of the gap
    assert to_utc(datetime(2027, 3, 28, 1, 59), STOCKHOLM) == datetime(
        2027, 3, 28, 0, 59, tzinfo=UTC
    )
    assert to_utc(datetime(2027, 3, 28, 3, 0), STOCKHOLM) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_the_repeated_autumn_hour_is_taken_the_first_time() -> None:
    # 31 October 2027: clocks go back from 03:00 to 02:00; 02:30 happens twice
    repeated = datetime(2027, 10, 31, 2, 30)
    first = localize(repeated, STOCKHOLM)
    assert first.utcoffset() == timedelta(hours=2)
    assert to_utc(repeated, STOCKHOLM) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert wall_clock(first, STOCKHOLM) == repeated
    assert first.isoformat() == "2027-10-31T02:30:00+02:00"
    # the second 02:30 read back as wall-clock time is localized as the first again
    second = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert second.astimezone(STOCKHOLM).utcoffset() == timedelta(hours=1)
    again = wall_clock(second, STOCKHOLM)
    assert again == repeated
    assert to_utc(again, STOCKHOLM).isoformat() == "2027-10-31T00:30:00+00:00"
    # the hour after it is winter time
    assert to_utc(datetime(2027, 10, 31, 3, 30), STOCKHOLM) == datetime(
        2027, 10, 31, 2, 30, tzinfo=UTC
    )


def test_summer_and_winter_wall_clock_times() -> None:
    assert to_utc(datetime(2027, 1, 4, 9, 0), STOCKHOLM) == datetime(2027, 1, 4, 8, tzinfo=UTC)
    assert to_utc(datetime(2027, 1, 4, 9, 0), STOCKHOLM).isoformat() == "2027-01-04T08:00:00+00:00"
    assert (
        localize(datetime(2027, 1, 4, 9, 0), STOCKHOLM).isoformat() == "2027-01-04T09:00:00+01:00"
    )
    assert to_utc(datetime(2027, 7, 5, 9, 0), STOCKHOLM) == datetime(2027, 7, 5, 7, tzinfo=UTC)
    assert localize(datetime(2027, 7, 5, 9, 0), STOCKHOLM).tzinfo is STOCKHOLM
    # an instant in another zone read as Stockholm wall-clock time
    helsinki = datetime(2027, 7, 5, 10, 0, tzinfo=zone("Europe/Helsinki"))
    assert wall_clock(helsinki, STOCKHOLM) == datetime(2027, 7, 5, 9, 0)
    assert wall_clock(helsinki, STOCKHOLM).tzinfo is None


def test_zones_are_looked_up_by_name() -> None:
    assert zone("Europe/Stockholm") == STOCKHOLM
    assert zone("UTC").utcoffset(datetime(2027, 7, 1)) == timedelta(0)


@given(
    wall=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31)),
)
def test_every_existing_wall_clock_time_comes_back_from_its_instant(wall: datetime) -> None:
    instant = to_utc(wall, STOCKHOLM)
    back = wall_clock(instant, STOCKHOLM)
    if back != wall:  # only the spring gap: moved forward by the hour it skips
        assert back - wall == timedelta(hours=1)
        assert wall.month == 3 and wall.hour == 2
