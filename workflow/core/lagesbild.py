"""The lägesbild: the EST observations of a unit over a period, counted the way Embrace and
the EST handbook count them: per category, area and place, week, weekday and hour band, with
the change against the previous period of the same length, the places reported most, and
every free-text observation in full. Pure functions: what goes in decides what comes out.

One time axis: an observation belongs to the period its own time falls in, whichever
inventory reported it (an observation of Sunday may come in Monday's report). An inventory may
report what happened up to `LATE_REACH` before its period begins, and what is to come up to
`AHEAD_REACH` after it ends (checked when an answer is recorded), so the reports to read for a
window are bounded (`reporting_periods`). An observation without a readable time counts where
its report's period begins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from lofte.definitions.fields import ChoiceField
from lofte.definitions.places import normalised
from lofte.definitions.steps import HANDLINGS, PARTS_OF_DAY, ObservationSource
from lofte.kernel.errors import FieldProblem
from lofte.kernel.timerules import STOCKHOLM
from lofte.kernel.words import plain_date
from lofte.workflow.core.observations import from_row, has_time_of_day, moment_of
from lofte.workflow.core.records import JsonDict

HOUR_BANDS = ((0, 6, "00–06"), (6, 12, "06–12"), (12, 18, "12–18"), (18, 24, "18–24"))
TOP_PLACES = 10
LATE_REACH = timedelta(days=92)  # reported up to a quarter after it happened
AHEAD_REACH = timedelta(days=14)  # announced up to two weeks before (an event, say)


class Answered(Protocol):
    """An answered inventory request, as far as the lägesbild reads it (an `InputRequest` or a
    `PeriodAnswer`)."""

    @property
    def unit_id(self) -> str: ...

    @property
    def answer(self) -> JsonDict | None: ...


def observations_from(
    requests: Iterable[Answered], source: ObservationSource, *, label: str = ""
) -> tuple[list[dict[str, Any]], int, int]:
    """(observations, reports, reports with nothing to report) from answered inventory requests."""
    found: list[dict[str, Any]] = []
    reports = nothing = 0
    for request in requests:
        if request.answer is None:
            continue
        reports += 1
        rows = request.answer.get(source.field) or []
        if not rows:
            nothing += 1
        for row in rows:
            found.append(from_row(row, source) | {"unit": request.unit_id, "cycle": label})
    return found, reports, nothing


def observed_at(observation: dict[str, Any], reported_for: datetime) -> datetime:
    """When an observation happened: its own time (its date, at its clock time or the start of
    its part of the day), or (without a readable date) when the period of the inventory that
    reported it begins."""
    local = moment_of(observation)
    return reported_for if local is None else local


def reporting_periods(
    start: datetime, end: datetime, every: timedelta
) -> tuple[datetime, datetime]:
    """[first, last) of the period starts of the inventories (of cadence about `every`) that
    may report an observation made in [start, end)."""
    return start - AHEAD_REACH - every, end + LATE_REACH


def reach_problems(
    answer: JsonDict, source: ObservationSource, label: str, starts_at: datetime, ends_at: datetime
) -> list[FieldProblem]:
    """Observations of an answer that lie further from the inventory's period [starts_at,
    ends_at) than an inventory may report: each is refused at its date (or time) field,
    naming the allowed dates."""
    low, high = starts_at - LATE_REACH, ends_at + AHEAD_REACH
    column = source.date or source.time
    problems = []
    for index, row in enumerate(answer.get(source.field) or []):
        moment = moment_of(from_row(row, source))
        if moment is not None and not _within(moment, low, high, source):
            problems.append(
                FieldProblem(
                    f"{source.field}[{index}].{column}",
                    "observation_out_of_reach",
                    {
                        "low": plain_date(low.astimezone(STOCKHOLM).date()),
                        "high": plain_date(high.astimezone(STOCKHOLM).date()),
                        "low_en": plain_date(low.astimezone(STOCKHOLM).date(), "en"),
                        "high_en": plain_date(high.astimezone(STOCKHOLM).date(), "en"),
                    },
                    label,
                )
            )
    return problems


def _within(moment: datetime, low: datetime, high: datetime, source: ObservationSource) -> bool:
    if source.date is None:
        return low <= moment < high
    day = moment.date()  # a date is allowed if any of its moments is
    return low.astimezone(STOCKHOLM).date() <= day <= high.astimezone(STOCKHOLM).date()


def category_labels(field: ChoiceField | None) -> list[dict[str, str]]:
    if field is None:
        return []
    return [{"value": o.value, "sv": o.label.sv, "en": o.label.get("en")} for o in field.options]


def compile_lagesbild(
    observations: Sequence[dict[str, Any]],
    previous: Sequence[dict[str, Any]],
    *,
    start: datetime,
    end: datetime,
    categories: Sequence[dict[str, str]],
    reports: int,
    nothing_to_report: int,
) -> dict[str, Any]:
    """The lägesbild as plain data (stored with a step, shown in emails, pages and reports).
    Places are counted as the register resolved them (`place`, `place_id`): aliases and the
    coordinator's mappings are one place."""
    labels = {c["value"]: c for c in categories}
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "total": len(observations),
        "previous_total": len(previous),
        "reports": reports,
        "nothing_to_report": nothing_to_report,
        "by_category": _by_category(observations, previous, categories),
        "by_area": _counted(observations, previous, "area", "(område saknas)"),
        "top_places": _top_places(observations),
        "by_place": by_place(observations, previous),
        "by_week": _by_week(observations),
        "by_weekday": _by_weekday(observations),
        "by_hour_band": _by_hour_band(observations),
        "unknown_time": sum(1 for o in observations if not has_time_of_day(o)),
        "handled": {h: sum(1 for o in observations if o.get("handling") == h) for h in HANDLINGS},
        "observations": sorted(
            ({k: o.get(k) for k in SHOWN} | _label(o, labels) for o in observations),
            key=_order,
        ),
    }


def _by_category(
    observations: Sequence[dict[str, Any]],
    previous: Sequence[dict[str, Any]],
    categories: Sequence[dict[str, str]],
) -> list[dict[str, Any]]:
    """Each category with observations now or before: its count, the count before, and the
    quantity (an observation without one counts as one), in the field's order."""
    now_cats = Counter(o["category"] for o in observations)
    before_cats = Counter(o["category"] for o in previous)
    quantities: Counter[str] = Counter()
    for o in observations:
        quantities[o["category"]] += o.get("quantity") or 1
    known = [c["value"] for c in categories]
    order = known + sorted(set(now_cats) - set(known))
    labels = {c["value"]: c for c in categories}
    return [
        {
            "value": value,
            "sv": labels.get(value, {}).get("sv", value),
            "en": labels.get(value, {}).get("en", value),
            "count": now_cats[value],
            "previous": before_cats[value],
            "quantity": quantities[value],
        }
        for value in order
        if now_cats[value] or before_cats[value]
    ]


# What a compiled lägesbild keeps of each observation (v: its shape, `workflow.core.observations`).
SHOWN = (
    "v",
    "date",
    "clock",
    "part_of_day",
    "category",
    "place",
    "place_id",
    "area",
    "text",
    "assessment",
    "quantity",
    "handling",
    "reported_to",
    "unit",
)


def _label(o: dict[str, Any], labels: dict[str, dict[str, str]]) -> dict[str, str]:
    return {"category_label": labels.get(o["category"], {}).get("sv", o["category"])}


def _order(o: dict[str, Any]) -> tuple[str, str]:
    moment = moment_of(o)
    return (moment.isoformat() if moment else "", str(o.get("place")))


def _counted(
    observations: Sequence[dict[str, Any]], previous: Sequence[dict[str, Any]], key: str, empty: str
) -> list[dict[str, Any]]:
    """Counts per value of `key` within each unit (two municipalities' "Centrum" are two)."""
    now = Counter((o.get("unit") or "", o[key] or empty) for o in observations)
    before = Counter((o.get("unit") or "", o[key] or empty) for o in previous)
    return [
        {"name": name, "unit": unit, "count": now[(unit, name)], "previous": before[(unit, name)]}
        for unit, name in sorted(set(now) | set(before), key=lambda k: (-now[k], k[1], k[0]))
    ]


def _top_places(observations: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    counted = Counter(
        (o["place"], o["area"], o.get("unit") or "") for o in observations if o["place"]
    )
    ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    return [
        {"place": place, "area": area, "unit": unit, "count": n}
        for (place, area, unit), n in ranked[:TOP_PLACES]
    ]


def place_key(o: dict[str, Any]) -> tuple[str, str, str]:
    """What one place is counted under: its unit and the register's id, or an "annan plats"
    by its text (case and runs of spaces aside)."""
    place_id = o.get("place_id") or ""
    return (o.get("unit") or "", place_id, "" if place_id else normalised(o.get("place") or ""))


def by_place(
    observations: Sequence[dict[str, Any]], previous: Sequence[dict[str, Any]] = ()
) -> list[dict[str, Any]]:
    """Every place reported in the period (or the one before), most reported first: its unit,
    id (empty for an "annan plats" not yet mapped), name, area and counts."""
    now = Counter(place_key(o) for o in observations)
    before = Counter(place_key(o) for o in previous)
    names: dict[tuple[str, str, str], tuple[str, str]] = {}
    for o in (*observations, *previous):  # a text as first written in the period
        names.setdefault(place_key(o), (str(o.get("place") or ""), str(o.get("area") or "")))
    ranked = sorted(now.keys() | before.keys(), key=lambda k: (-now[k], names[k], k[0]))
    return [
        {
            "unit": key[0],
            "place_id": key[1],
            "place": names[key][0],
            "area": names[key][1],
            "count": now[key],
            "previous": before[key],
        }
        for key in ranked
    ]


def _by_week(observations: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    weeks: Counter[str] = Counter()
    for o in observations:
        local = moment_of(o)
        if local is not None:
            year, week, _ = local.isocalendar()
            weeks[f"{year}-W{week:02d}"] += 1
    return [{"week": w, "count": weeks[w]} for w in sorted(weeks)]


def _by_weekday(observations: Sequence[dict[str, Any]]) -> list[int]:
    days = [0] * 7
    for o in observations:
        local = moment_of(o)
        if local is not None:
            days[local.weekday()] += 1
    return days


def _by_hour_band(observations: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Counts per part of the day; only observations with a clock time or a part of the day
    count (the rest are `unknown_time`)."""
    parts = Counter(o.get("part_of_day") for o in observations if has_time_of_day(o))
    return [
        {"band": name, "part": part, "count": parts[part]}
        for (_, _, name), part in zip(HOUR_BANDS, PARTS_OF_DAY, strict=True)
    ]
