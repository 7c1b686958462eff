"""When cycles open, across the whole year (not only January): period keys and labels for weeks,
months, quarters and dates, the Q4 → Q1 rollover, openings moved off holidays, summer time,
and contiguous periods for every index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lofte.definitions.cycle import Cadence, CycleDefinition, PeriodKeyStyle
from lofte.kernel.durations import IsoDuration
from lofte.kernel.timerules import STOCKHOLM, localize
from lofte.workflow.core.cadence import (
    default_key_style,
    first_period_after,
    label_of_key,
    period,
    quarter_key,
    quarter_start,
)
from tests.conftest import packaged


def with_cadence(
    every: str,
    anchor: datetime,
    key: PeriodKeyStyle | None = None,
    rule: str = "next_working_day",
) -> CycleDefinition:
    """The packaged EST inventory with another cadence."""
    cadence = Cadence(
        anchor=anchor,
        every=IsoDuration.parse(every),
        period_key=key,
        opening_rule=rule,  # type: ignore[arg-type]
    )
    return packaged().definition("est-inventering").model_copy(update={"cadence": cadence})


def keys(definition: CycleDefinition, indexes: range) -> list[str]:
    return [period(definition, i).key for i in indexes]


def test_a_decision_is_keyed_by_the_quarter_it_decides_and_rolls_over_the_year() -> None:
    # a decision in mid-March, June, September and December for the quarter after
    decision = with_cadence("P3M", datetime(2027, 3, 15, 9, 0), key="next_quarter")
    assert keys(decision, range(5)) == ["2027-Q2", "2027-Q3", "2027-Q4", "2028-Q1", "2028-Q2"]
    december = period(decision, 3)
    assert december.starts_local == datetime(2027, 12, 15, 9, 0)
    assert december.label == "kvartal 1 2028"


def test_a_follow_up_is_keyed_by_its_own_quarter() -> None:
    # a follow-up on 1 March, June, September and December of its own quarter
    follow_up = with_cadence("P3M", datetime(2027, 3, 1, 9, 0), key="quarter")
    assert keys(follow_up, range(-1, 5)) == [
        "2026-Q4",
        "2027-Q1",
        "2027-Q2",
        "2027-Q3",
        "2027-Q4",
        "2028-Q1",
    ]
    assert period(follow_up, 3).label == "kvartal 4 2027"


@pytest.mark.parametrize(
    ("month", "quarter"),
    [(1, 1), (2, 1), (3, 1), (4, 2), (5, 2), (6, 2), (7, 3), (8, 3), (9, 3), (10, 4), (11, 4)],
)
def test_every_month_falls_in_its_quarter(month: int, quarter: int) -> None:
    monthly = with_cadence("P1M", datetime(2027, 1, 4, 9, 0), key="quarter")
    assert period(monthly, month - 1).key == f"2027-Q{quarter}"
    ahead = with_cadence("P1M", datetime(2027, 1, 4, 9, 0), key="next_quarter")
    assert period(ahead, month - 1).key == ("2028-Q1" if quarter == 4 else f"2027-Q{quarter + 1}")
    moment = datetime(2027, month, 28, 23, 59, 59)
    assert quarter_key(moment) == f"2027-Q{quarter}"
    assert quarter_start(moment) == datetime(2027, (quarter - 1) * 3 + 1, 1)


def test_december_is_the_fourth_quarter_and_the_next_quarter_is_next_years_first() -> None:
    monthly = with_cadence("P1M", datetime(2027, 12, 6, 9, 0), key="quarter")
    ahead = with_cadence("P1M", datetime(2027, 12, 6, 9, 0), key="next_quarter")
    assert period(monthly, 0).key == "2027-Q4" and period(monthly, 1).key == "2028-Q1"
    assert period(ahead, 0).key == "2028-Q1" and period(ahead, 0).label == "kvartal 1 2028"
    late = datetime(2027, 12, 31, 23, 59, 59, 999)
    assert quarter_key(late) == "2027-Q4"
    assert quarter_start(late) == datetime(2027, 10, 1, 0, 0)


def test_monthly_cycles_are_keyed_by_month_and_keep_to_the_end_of_short_months() -> None:
    monthly = with_cadence("P1M", datetime(2027, 1, 31, 9, 0))
    first = [period(monthly, i) for i in range(4)]
    assert [p.key for p in first] == ["2027-01", "2027-02", "2027-03", "2027-04"]
    assert [p.label for p in first] == ["januari 2027", "februari 2027", "mars 2027", "april 2027"]
    assert [p.starts_local.date().isoformat() for p in first] == [
        "2027-01-31",
        "2027-02-28",
        "2027-03-31",
        "2027-04-30",
    ]
    assert period(monthly, 11).key == "2027-12" and period(monthly, 12).key == "2028-01"


def test_cycles_of_days_are_keyed_by_date_and_time() -> None:
    every_ten_days = with_cadence("P10D", datetime(2027, 1, 4, 9, 30), rule="exact")
    first, second = period(every_ten_days, 0), period(every_ten_days, 1)
    assert (first.key, second.key) == ("2027-01-04T0930", "2027-01-14T0930")
    assert (first.label, second.label) == ("4 januari 2027", "14 januari 2027")


def test_iso_weeks_belong_to_their_iso_year() -> None:
    weekly = packaged().definition("est-inventering")  # Mondays from 4 January 2027
    assert period(weekly, 0).key == "2027-W01" and period(weekly, 0).label == "v. 1 2027"
    assert period(weekly, -1).key == "2026-W53"  # Monday 28 December 2026
    assert period(weekly, 51).key == "2027-W52"
    assert period(weekly, 52).key == "2028-W01"  # Monday 3 January 2028
    assert period(weekly, 156).key == "2030-W01"  # Monday 31 December 2029
    assert period(weekly, 156).starts_local.year == 2029


@pytest.mark.parametrize(
    ("every", "style"),
    [
        ("P1W", "iso_week"),
        ("P2W", "iso_week"),
        ("P14D", "iso_week"),
        ("P1M", "month"),
        ("P2M", "month"),
        ("P3M", "quarter"),
        ("P6M", "quarter"),
        ("P1D", "date"),
        ("P10D", "date"),
        ("P1WT1H", "date"),
        ("P3M1D", "date"),
        ("P3MT1H", "date"),
        ("P1MT1H", "date"),
        ("P1M1D", "date"),
        ("P4M", "month"),
    ],
)
def test_a_cadence_without_a_key_style_gets_the_one_its_length_suggests(
    every: str, style: str
) -> None:
    assert default_key_style(with_cadence(every, datetime(2027, 1, 4, 9, 0))) == style


def test_a_given_key_style_wins_over_the_suggested_one() -> None:
    weekly_by_date = with_cadence("P1W", datetime(2027, 1, 4, 9, 0), key="date")
    assert period(weekly_by_date, 0).key == "2027-01-04T0900"


def test_an_opening_on_a_holiday_monday_moves_to_tuesday_at_the_same_stockholm_time() -> None:
    weekly = packaged().definition("est-inventering")  # Mondays 09:00
    easter = first_period_after(weekly, datetime(2027, 3, 29, 0, 0, tzinfo=UTC))
    assert easter.key == "2027-W13"
    assert easter.starts_local == datetime(2027, 3, 29, 9, 0)  # annandag påsk
    assert easter.starts_at == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)  # summer time
    assert easter.opens_at == datetime(2027, 3, 30, 7, 0, tzinfo=UTC)  # Tuesday 09:00
    assert easter.ends_at == datetime(2027, 4, 5, 7, 0, tzinfo=UTC)
    assert easter.label == "v. 13 2027"
    # stored and compared as UTC, written the same way on every machine
    assert [
        easter.starts_at.isoformat(),
        easter.opens_at.isoformat(),
        easter.ends_at.isoformat(),
    ] == [
        "2027-03-29T07:00:00+00:00",
        "2027-03-30T07:00:00+00:00",
        "2027-04-05T07:00:00+00:00",
    ]


def test_an_exact_opening_stays_on_the_holiday() -> None:
    exact = with_cadence("P1W", datetime(2027, 1, 4, 9, 0), rule="exact")
    easter = first_period_after(exact, datetime(2027, 3, 29, 0, 0, tzinfo=UTC))
    assert easter.opens_at == easter.starts_at == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)


def test_a_weekly_cycle_keeps_its_stockholm_time_across_summer_time() -> None:
    weekly = packaged().definition("est-inventering")
    before = first_period_after(weekly, datetime(2027, 3, 22, 0, 0, tzinfo=UTC))
    assert before.starts_at == datetime(2027, 3, 22, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert before.ends_at == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert before.ends_at - before.starts_at == timedelta(days=7, hours=-1)


def test_the_first_period_after_a_moment_starts_at_or_after_it() -> None:
    weekly = packaged().definition("est-inventering")
    monday = datetime(2027, 1, 11, 8, 0, tzinfo=UTC)  # 09:00 Stockholm
    assert first_period_after(weekly, monday).key == "2027-W02"
    assert first_period_after(weekly, monday - timedelta(seconds=1)).key == "2027-W02"
    assert first_period_after(weekly, monday + timedelta(seconds=1)).key == "2027-W03"
    # long before the anchor, and a moment in another zone
    assert first_period_after(weekly, datetime(2026, 6, 1, tzinfo=UTC)).key == "2026-W23"
    sunday_night_new_york = datetime(2027, 1, 10, 22, 0, tzinfo=UTC).astimezone(
        ZoneInfo("America/New_York")
    )
    assert first_period_after(weekly, sunday_night_new_york).key == "2027-W02"


@pytest.mark.parametrize("anchor", [datetime(2027, 1, 1, 9, 0), datetime(2027, 7, 1, 9, 0)])
def test_every_evening_of_four_years_opens_the_next_months_cycle(anchor: datetime) -> None:
    """Monthly cycles on the 1st at 09:00: from any evening the next cycle is the coming month's
    (months are not all as long as the average the search starts from)."""
    monthly = with_cadence("P1M", anchor, rule="exact")
    day = datetime(2025, 1, 1, 23, 0)
    while day.year < 2029:
        moment = localize(day, STOCKHOLM)
        found = first_period_after(monthly, moment)
        month = day.month % 12 + 1
        year = day.year + (day.month == 12)
        assert found.key == f"{year}-{month:02d}", day
        assert found.starts_local == datetime(year, month, 1, 9, 0)
        day += timedelta(days=1)


def test_period_keys_read_in_swedish_and_english() -> None:
    assert label_of_key("2027-W05") == "v. 5 2027"
    assert label_of_key("2027-W05", "en") == "week 5 2027"
    assert label_of_key("2027-Q4") == "kvartal 4 2027"
    assert label_of_key("2027-Q4", "en") == "Q4 2027"
    assert label_of_key("2027-03") == "mars 2027"
    assert label_of_key("2027-12", "en") == "December 2027"
    assert label_of_key("2027-01") == "januari 2027"
    assert label_of_key("2027-03-15T0900") == "15 mars 2027"
    assert label_of_key("2027-03-05T0900", "en") == "5 March 2027"
    # something that is no key is shown as it is
    assert label_of_key("2027-13") == "2027-13"
    assert label_of_key("2027-W") == "2027-W"
    assert label_of_key("okänd") == "okänd"


CADENCES = [
    ("P1W", datetime(2027, 1, 4, 9, 0), None),
    ("P2W", datetime(2027, 1, 11, 9, 0), None),
    ("P1M", datetime(2027, 1, 31, 8, 0), None),
    ("P3M", datetime(2027, 3, 1, 9, 0), "quarter"),
    ("P3M", datetime(2027, 3, 15, 9, 0), "next_quarter"),
    ("P1D", datetime(2027, 3, 27, 2, 30), None),  # a time the spring gap skips once a year
    ("P10D", datetime(2027, 1, 4, 13, 0), None),
]


@settings(max_examples=200)
@given(cadence=st.sampled_from(CADENCES), index=st.integers(min_value=-150, max_value=600))
def test_periods_are_contiguous_and_their_keys_strictly_increase(
    cadence: tuple[str, datetime, PeriodKeyStyle | None], index: int
) -> None:
    every, anchor, style = cadence
    definition = with_cadence(every, anchor, key=style)
    this, after = period(definition, index), period(definition, index + 1)
    assert this.ends_at == after.starts_at
    assert this.starts_at < this.ends_at
    assert this.key < after.key
    assert this.starts_at <= this.opens_at
    if every != "P1D":  # a daily cycle of a Saturday opens on Monday, with Monday's
        assert this.opens_at < this.ends_at
    assert this.opens_at.isoformat().endswith("+00:00")
    # the period a moment opens is the one starting at or after it
    assert first_period_after(definition, this.starts_at) == this
    assert first_period_after(definition, this.starts_at + timedelta(seconds=1)) == after
    assert first_period_after(definition, this.ends_at - timedelta(seconds=1)) == after
