"""The lägesbild as the lägesbild page shows it: a unit's (or, for a police area, its
municipalities' together) compiled picture, the 12-week trend per category, and for a police
area each municipality's own numbers side by side with how its EST inventory cycles went.

Counts are numbers of observations (an observation's `quantity` is counted apart, in
`by_category[].quantity`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from lofte.definitions.directory import Directory, Unit
from lofte.kernel.timerules import STOCKHOLM, to_utc
from lofte.workflow.core.context import Gathered, gather
from lofte.workflow.core.lagesbild import compile_lagesbild
from lofte.workflow.core.observation_reads import observation_sources
from lofte.workflow.core.observations import moment_of
from lofte.workflow.core.records import Outcome, RequestStatus
from lofte.workflow.core.work import Work

TREND_WEEKS = 12
COMPLETED = (Outcome.COMPLETED_ON_TIME, Outcome.COMPLETED_LATE)


def units_of(directory: Directory, unit: Unit) -> tuple[Unit, ...]:
    """The units whose observations a unit's picture holds: a police area's own and its
    municipalities', or a municipality's."""
    if unit.kind == "police_area":
        return (unit, *directory.municipalities_of(unit))
    return (unit,)


def picture_for(
    work: Work, unit: Unit, members: Sequence[Unit], start: datetime, end: datetime
) -> dict[str, Any]:
    """The compiled lägesbild of `members` (of `units_of`: those the reader may see) over
    [start, end), with `trend` (12 ISO weeks ending with the period's end) and, for a police
    area, `municipalities` (one summary each)."""
    total = Gathered()
    sides = []
    for member in members:
        found = gather(work, member, start, end)
        _add(total, found)
        if member.kind == "municipality" and unit.kind == "police_area":
            sides.append(_side(work, member, found, start, end))
    data = compile_lagesbild(
        total.observations,
        total.previous,
        start=start,
        end=end,
        categories=total.categories,
        reports=total.reports,
        nothing_to_report=total.nothing,
    )
    first = trend_start(end)
    if first >= start:
        recent = total.observations
    else:
        recent = [o for u in members for o in gather(work, u, first, end).observations]
    weeks = trend_weeks(end)
    return data | {
        "trend": {"weeks": weeks, "by_category": weekly_trend(recent, data["by_category"], weeks)},
        "municipalities": sides,
    }


def _add(total: Gathered, found: Gathered) -> None:
    total.observations += found.observations
    total.previous += found.previous
    total.reports += found.reports
    total.nothing += found.nothing
    total.categories = total.categories or found.categories


def trend_start(end: datetime) -> datetime:
    """Monday 00:00 (Stockholm time) of the first of the 12 ISO weeks that end with the week
    holding the period's last moment."""
    last_day = (end - timedelta(microseconds=1)).astimezone(STOCKHOLM).date()
    monday = last_day - timedelta(days=last_day.weekday(), weeks=TREND_WEEKS - 1)
    return to_utc(datetime.combine(monday, time()), STOCKHOLM)


def trend_weeks(end: datetime) -> list[str]:
    """The 12 ISO weeks as `2027-W05`, oldest first."""
    first = trend_start(end).astimezone(STOCKHOLM).date()
    found = []
    for n in range(TREND_WEEKS):
        year, week, _ = (first + timedelta(weeks=n)).isocalendar()
        found.append(f"{year}-W{week:02d}")
    return found


def weekly_trend(
    observations: Sequence[dict[str, Any]], categories: Sequence[dict[str, Any]], weeks: list[str]
) -> list[dict[str, Any]]:
    """Per category of the period (in its order): the number of observations in each week.
    Observations without a readable date are not in any week."""
    counted: Counter[tuple[str, str]] = Counter()
    for o in observations:
        local = moment_of(o)
        if local is not None:
            year, week, _ = local.isocalendar()
            counted[(o["category"], f"{year}-W{week:02d}")] += 1
    return [
        {
            "value": c["value"],
            "sv": c["sv"],
            "en": c["en"],
            "counts": [counted[(c["value"], w)] for w in weeks],
        }
        for c in categories
    ]


def _side(
    work: Work, unit: Unit, found: Gathered, start: datetime, end: datetime
) -> dict[str, Any]:
    """A municipality's line beside the others: its observations, the change, its most
    reported category, and its inventory cycles whose period began in [start, end)."""
    counted = Counter(o["category"] for o in found.observations)
    labels = {c["value"]: c for c in found.categories}
    top = min(counted, key=lambda value: (-counted[value], value)) if counted else None
    ran = completed = asked = answered = 0
    for name, definition in observation_sources(work, unit):
        step = definition.observation_step()
        for cycle in work.uow.cycles.started_between(name, [unit.id], start, end):
            ran += 1
            completed += cycle.outcome in COMPLETED
            for request in work.uow.requests.for_instance(cycle.id or 0):
                if step is not None and request.step_id != step.id:
                    continue
                asked += request.status != RequestStatus.CANCELLED
                answered += request.status == RequestStatus.ANSWERED
    return {
        "unit_id": unit.id,
        "unit_name": unit.name,
        "total": len(found.observations),
        "previous_total": len(found.previous),
        "top_category": labels.get(top, {"value": top, "sv": top, "en": top}) if top else None,
        "top_count": counted[top] if top else 0,
        "cycles_ran": ran,
        "cycles_completed": completed,
        "asked": asked,
        "answered": answered,
    }
