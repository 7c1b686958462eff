"""Which periods a (definition, unit) owes a cycle: the one rule the engine schedules openings
by and the audit checks cycles against.

A version of a unit's definition governs the periods that open while it is in force. A setup
change takes effect from the first period that has not opened yet: when a new version is
stored, the pending opening is cancelled and the new version's first period is the first one
that opens no earlier than that pending opening was due (or the change, if that is earlier),
and that comes after the last period opened (a later start and another period key, so a
period is never opened twice). A version that switches the definition off owes nothing; the
periods that open while it is in force were removed by that change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from lofte.definitions.cycle import CycleDefinition
from lofte.workflow.core.cadence import Period, index_at_or_before, period

# An opening is moved off a holiday to the next working moment, never by more than this: the
# search for a period that opens at or after a moment starts this much before it.
MAX_OPENING_SHIFT = timedelta(days=14)
MAX_STEPS = 100_000  # a bound on any search (definitions' bounds keep periods far longer)


@dataclass(frozen=True)
class LastOpened:
    """The period of the pair's latest cycle: the next opening comes after it."""

    starts_at: datetime
    key: str


@dataclass(frozen=True)
class VersionSpan:
    """One stored version of a unit's definition and when it was stored; `definition` is None
    for a version that switches the definition off for the unit."""

    version: int
    registered_at: datetime
    definition: CycleDefinition | None


@dataclass(frozen=True)
class OwedPeriod:
    period: Period
    version: int
    definition: CycleDefinition


def comes_after(candidate: Period, last: LastOpened | None) -> bool:
    return last is None or (candidate.starts_at > last.starts_at and candidate.key != last.key)


def next_opening(
    definition: CycleDefinition, *, not_before: datetime | None, after: LastOpened | None
) -> Period:
    """The first period of `definition` that opens at or after `not_before` and comes after
    `after` (at least one of the two must be given)."""
    bounds = [m for m in (not_before, after.starts_at if after else None) if m is not None]
    if not bounds:
        raise ValueError("next_opening needs not_before or after")
    candidate = period(definition, index_at_or_before(definition, max(bounds) - MAX_OPENING_SHIFT))
    for _ in range(MAX_STEPS):
        opens_in_time = not_before is None or candidate.opens_at >= not_before
        if opens_in_time and comes_after(candidate, after):
            return candidate
        candidate = period(definition, candidate.index + 1)
    raise ValueError(f"no period of {definition.name} after {max(bounds)}")


def owed_periods(
    history: Sequence[VersionSpan], opened: Mapping[str, datetime], until: datetime
) -> list[OwedPeriod]:
    """Every period that owed a cycle by `until` (opened at or before it), in order, under the
    version in force when it opened. `opened` maps each cycle's period key to when it opened:
    a change takes effect from the first period that had not opened when it was stored (a
    cycle opened at the very moment of the change counts as opened before it)."""
    owed: list[OwedPeriod] = []
    last: LastOpened | None = None
    not_before: datetime | None = None
    for index, span in enumerate(history):
        change = history[index + 1].registered_at if index + 1 < len(history) else None
        if span.definition is None:
            not_before = None
            continue
        start = span.registered_at if not_before is None else min(not_before, span.registered_at)
        not_before = None
        for candidate in _periods_from(span.definition, start, last):
            if candidate.opens_at > until:
                break
            if change is not None and not _opened_by(candidate, opened, change):
                not_before = candidate.opens_at  # the pending opening the change cancelled
                break
            owed.append(OwedPeriod(candidate, span.version, span.definition))
            last = LastOpened(candidate.starts_at, candidate.key)
    return owed


def _periods_from(
    definition: CycleDefinition, not_before: datetime, last: LastOpened | None
) -> Iterator[Period]:
    candidate = next_opening(definition, not_before=not_before, after=last)
    for _ in range(MAX_STEPS):
        yield candidate
        candidate = period(definition, candidate.index + 1)


def _opened_by(candidate: Period, opened: Mapping[str, datetime], change: datetime) -> bool:
    """Whether the period opened before a change stored at `change` could cancel it."""
    at = opened.get(candidate.key)
    return at is not None and at <= change
