"""ISO 8601 durations as definitions write them: parsing, aliases, signs, and adding them to a
wall-clock time in calendar units (a month after 31 January is the end of February)."""

from __future__ import annotations

from datetime import datetime

import pytest

from lofte.kernel.durations import IsoDuration


@pytest.mark.parametrize(
    ("text", "months", "days", "seconds"),
    [
        ("P1W", 0, 7, 0),
        ("P2W", 0, 14, 0),
        ("P3M", 3, 0, 0),
        ("P1Y", 12, 0, 0),
        ("P1Y2M3W4DT5H6M7S", 14, 25, 5 * 3600 + 6 * 60 + 7),
        ("P2DT3H", 0, 2, 3 * 3600),
        ("PT90M", 0, 0, 5400),
        ("PT45S", 0, 0, 45),
        ("-P1D", 0, -1, 0),
        ("-P1MT1H", -1, 0, -3600),
        ("+P1D", 0, 1, 0),
        (" P1D ", 0, 1, 0),
        ("weekly", 0, 7, 0),
        ("two-weekly", 0, 14, 0),
        ("biweekly", 0, 14, 0),
        (" Monthly ", 1, 0, 0),
        ("QUARTERLY", 3, 0, 0),
        ("yearly", 12, 0, 0),
    ],
)
def test_durations_and_their_aliases_are_read(
    text: str, months: int, days: int, seconds: int
) -> None:
    duration = IsoDuration.parse(text)
    assert (duration.months, duration.days, duration.seconds) == (months, days, seconds)
    assert str(duration) == text.strip()


@pytest.mark.parametrize("text", ["", "P", "PT", "P1", "1W", "P1H", "PT1D", "P1.5D", "P-1D", "x"])
def test_what_is_no_duration_is_refused_with_examples(text: str) -> None:
    with pytest.raises(ValueError) as refused:
        IsoDuration.parse(text)
    assert str(refused.value) == (
        f"{text!r} är ingen ISO 8601-varaktighet (exempel: P1W, P2W, P3M, P2DT3H) "
        "och inte heller ett av weekly, two-weekly, biweekly, monthly, quarterly, yearly"
    )


def test_a_text_over_forty_characters_is_refused_unread() -> None:
    assert IsoDuration.parse("P" + "1" * 38 + "D").days == int("1" * 38)  # 40 characters
    with pytest.raises(ValueError) as refused:
        IsoDuration.parse("P" + "1" * 39 + "D")
    assert str(refused.value) == f"{('P' + '1' * 39)!r}… är för lång för en varaktighet"


def test_zero_negative_and_positive() -> None:
    assert IsoDuration.parse("PT0S").is_zero and IsoDuration.parse("P0D").is_zero
    assert not IsoDuration.parse("PT1S").is_zero
    assert not IsoDuration.parse("P1M").is_zero and not IsoDuration.parse("P1D").is_zero
    assert IsoDuration.parse("-P1D").is_negative and IsoDuration.parse("-PT1S").is_negative
    assert IsoDuration.parse("-P1M").is_negative
    assert not IsoDuration.parse("P1D").is_negative and not IsoDuration.parse("PT0S").is_negative


def test_multiples_and_negation() -> None:
    two_weeks = IsoDuration.parse("P1M1DT1H").times(2)
    assert (two_weeks.months, two_weeks.days, two_weeks.seconds) == (2, 2, 7200)
    back = IsoDuration.parse("P1M1DT1H").negated()
    assert (back.months, back.days, back.seconds) == (-1, -1, -3600)
    assert str(IsoDuration(1, 2, 3)) == "P1M2DT3S"


@pytest.mark.parametrize(
    ("start", "text", "end"),
    [
        (datetime(2027, 1, 31, 9, 0), "P1M", datetime(2027, 2, 28, 9, 0)),
        (datetime(2028, 1, 31, 9, 0), "P1M", datetime(2028, 2, 29, 9, 0)),  # leap year
        (datetime(2027, 11, 30, 9, 0), "P3M", datetime(2028, 2, 29, 9, 0)),
        (datetime(2027, 12, 15, 9, 0), "P1M", datetime(2028, 1, 15, 9, 0)),
        (datetime(2027, 12, 15, 9, 0), "P12M", datetime(2028, 12, 15, 9, 0)),
        (datetime(2027, 1, 15, 9, 0), "P11M", datetime(2027, 12, 15, 9, 0)),
        (datetime(2027, 1, 15, 9, 0), "-P1M", datetime(2026, 12, 15, 9, 0)),
        (datetime(2027, 3, 31, 9, 0), "-P1M", datetime(2027, 2, 28, 9, 0)),
        (datetime(2027, 1, 31, 9, 0), "P1M1D", datetime(2027, 3, 1, 9, 0)),  # months first
        (datetime(2027, 1, 4, 9, 0), "P2DT3H", datetime(2027, 1, 6, 12, 0)),
        (datetime(2027, 3, 27, 9, 0), "P1D", datetime(2027, 3, 28, 9, 0)),  # wall-clock days
        (datetime(2027, 1, 4, 9, 0), "PT30S", datetime(2027, 1, 4, 9, 0, 30)),
    ],
)
def test_adding_works_in_calendar_units(start: datetime, text: str, end: datetime) -> None:
    assert IsoDuration.parse(text).add_to(start) == end


def test_approximate_length_orders_durations() -> None:
    assert IsoDuration.parse("P1M").approx_seconds() == pytest.approx(30.44 * 86400)
    assert IsoDuration.parse("P1DT1S").approx_seconds() == 86401
    assert IsoDuration.parse("P3M").approx_seconds() > IsoDuration.parse("P91D").approx_seconds()
    assert IsoDuration.parse("P3M").approx_seconds() < IsoDuration.parse("P92D").approx_seconds()
