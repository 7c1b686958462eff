"""When cycles open: pure functions of a definition's cadence and a moment in time.

Occurrence k opens at `anchor + k * every` in local wall-clock time, so a Monday 09:00 cycle
opens at 09:00 Stockholm time on both sides of a summer-time change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from lofte.definitions.cycle import Cadence, CycleDefinition, PeriodKeyStyle
from lofte.kernel.timerules import localize, next_working_moment, zone


@dataclass(frozen=True)
class Period:
    """One occurrence of a cycle: its key, nominal start, actual opening, and end (next start)."""

    index: int
    key: str
    label: str
    starts_local: datetime
    starts_at: datetime
    opens_at: datetime
    ends_at: datetime


def nominal_start(cadence: Cadence, index: int) -> datetime:
    """Local wall-clock start of occurrence `index` (naive, in the definition's zone)."""
    return cadence.every.times(index).add_to(cadence.anchor)


def period(definition: CycleDefinition, index: int) -> Period:
    tz = zone(definition.timezone)
    cadence = definition.cadence
    start = nominal_start(cadence, index)
    end = nominal_start(cadence, index + 1)
    opening_wall = start
    if cadence.opening_rule == "next_working_day":
        opening_wall = next_working_moment(start)
    style = cadence.period_key or default_key_style(definition)
    return Period(
        index=index,
        key=period_key(style, start),
        label=period_label(style, start),
        starts_local=start,
        starts_at=localize(start, tz).astimezone(UTC),
        opens_at=localize(opening_wall, tz).astimezone(UTC),
        ends_at=localize(end, tz).astimezone(UTC),
    )


def first_period_after(definition: CycleDefinition, moment: datetime) -> Period:
    """The first occurrence whose nominal start is at or after `moment`."""
    tz = zone(definition.timezone)
    candidate = period(definition, index_at_or_before(definition, moment))
    while localize(candidate.starts_local, tz) < moment:
        candidate = period(definition, candidate.index + 1)
    return candidate


def index_at_or_before(definition: CycleDefinition, moment: datetime) -> int:
    """The index of the last occurrence whose nominal start is at or before `moment`."""
    local = moment.astimezone(zone(definition.timezone)).replace(tzinfo=None)
    cadence = definition.cadence
    span = cadence.every.approx_seconds()
    guess = int((local - cadence.anchor).total_seconds() // span)
    while nominal_start(cadence, guess) > local:
        guess -= 1
    while nominal_start(cadence, guess + 1) <= local:
        guess += 1
    return guess


def default_key_style(definition: CycleDefinition) -> PeriodKeyStyle:
    every = definition.cadence.every
    if not every.months and every.seconds == 0 and every.days and every.days % 7 == 0:
        return "iso_week"
    if every.months and every.months % 3 == 0 and not every.days and not every.seconds:
        return "quarter"
    if every.months and not every.days and not every.seconds:
        return "month"
    return "date"


def period_key(style: PeriodKeyStyle, start: datetime) -> str:
    if style == "iso_week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if style == "month":
        return f"{start.year}-{start.month:02d}"
    year, quarter = start.year, (start.month - 1) // 3 + 1
    if style == "quarter":
        return f"{year}-Q{quarter}"
    if style == "next_quarter":
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        return f"{year}-Q{quarter}"
    return start.strftime("%Y-%m-%dT%H%M")


SWEDISH_MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def period_label(style: PeriodKeyStyle, start: datetime) -> str:
    """The period as staff say it: `v. 5 2027`, `kvartal 1 2027`, `mars 2027`."""
    return label_of_key(period_key(style, start), "sv")


def label_of_key(key: str, language: str = "sv") -> str:
    """A period key in words: 2027-W05 is `v. 5 2027` (`week 5 2027`), 2027-Q1 `kvartal 1
    2027` (`Q1 2027`), 2027-03 `mars 2027`, 2027-03-15T0900 `15 mars 2027`."""
    english = language == "en"
    try:
        if "-W" in key:
            year, week = key.split("-W")
            return f"week {int(week)} {year}" if english else f"v. {int(week)} {year}"
        if "-Q" in key:
            year, quarter = key.split("-Q")
            return f"Q{quarter} {year}" if english else f"kvartal {quarter} {year}"
        months = ENGLISH_MONTHS if english else SWEDISH_MONTHS
        parts = key.split("T")[0].split("-")
        if len(parts) == 2:
            return f"{months[int(parts[1]) - 1]} {parts[0]}"
        return f"{int(parts[2])} {months[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        return key


def quarter_key(moment: datetime) -> str:
    """The quarter a (local) date falls in, as a period key: 2027-Q1."""
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def quarter_start(moment: datetime) -> datetime:
    """Local midnight on the first day of `moment`'s quarter (naive, like `moment`)."""
    return moment.replace(
        month=(moment.month - 1) // 3 * 3 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
