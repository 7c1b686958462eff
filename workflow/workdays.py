"""Swedish working days and the deadline rule of lag (1930:173).

A deadline that falls on a Saturday, Sunday, public holiday, Midsommarafton, Julafton or
Nyårsafton moves to the next working day, at the same wall-clock time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _swedish_days_off(year: int) -> dict[date, str]:
    days = holidays.country_holidays(
        "SE",
        years=year,
        include_sundays=False,
        categories=("public", "de_facto"),
        language="sv",
    )
    return {day: str(name) for day, name in days.items()}


def day_off_reason(day: date) -> str | None:
    """Why `day` is not a working day (Swedish name), or None if it is one."""
    name = _swedish_days_off(day.year).get(day)
    if name:
        return name
    if day.weekday() == 5:
        return "lördag"
    if day.weekday() == 6:
        return "söndag"
    return None


def is_working_day(day: date) -> bool:
    return day_off_reason(day) is None


def next_working_moment(local: datetime) -> datetime:
    """The same wall-clock time on `local`'s date if a working day, else on the next one."""
    moved = local
    while not is_working_day(moved.date()):
        moved += timedelta(days=1)
    return moved
