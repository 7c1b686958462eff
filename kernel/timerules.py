"""Time rules: Stockholm wall-clock time, Swedish working days and the deadline rule.

A deadline that falls on a Saturday, Sunday, public holiday, Midsommarafton, Julafton or
Nyårsafton moves to the next working day at the same wall-clock time (lag 1930:173).
Wall-clock times are naive `datetime`s in a named zone; `localize` turns them into instants.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from holidays.countries.sweden import Sweden  # not country_holidays: it imports 250 countries

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@lru_cache(maxsize=64)
def _swedish_days_off(year: int) -> dict[date, str]:
    days = Sweden(
        years=year,
        include_sundays=False,
        categories=("public", "de_facto"),
        language="sv",
    )
    return {day: str(name) for day, name in days.items()}


@lru_cache(maxsize=4096)
def day_off_reason(day: date) -> str | None:
    """Why `day` is not a working day (its Swedish name), or None if it is one."""
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


@lru_cache(maxsize=16)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def localize(wall: datetime, tz: ZoneInfo) -> datetime:
    """Attach `tz` to a naive wall-clock time; a time skipped by summer time moves forward,
    and of an hour that happens twice the first is taken.

    The time is read with the offset before any change (`fold=0`); going to UTC and back
    gives the same time for every existing wall-clock time and the time an hour later for one
    inside the spring gap."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC).astimezone(tz)


def to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    """A naive wall-clock time in `tz` as a UTC instant."""
    return localize(wall, tz).astimezone(UTC)


def wall_clock(moment: datetime, tz: ZoneInfo) -> datetime:
    """The naive wall-clock time in `tz` of an aware instant."""
    return moment.astimezone(tz).replace(tzinfo=None)
