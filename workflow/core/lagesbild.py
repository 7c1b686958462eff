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
from lofte.definitions.steps import ObservationSource
from lofte.kernel.errors import FieldProblem
from lofte.kernel.timerules import STOCKHOLM
from lofte.kernel.words import plain_date
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
            found.append(
                {
                    "unit": request.unit_id,
                    "category": row.get(source.category, ""),
                    "place": str(row.get(source.place, "")).strip(),
                    "area": str(row.get(source.area, "")).strip(),
                    "time": row.get(source.time, ""),
                    "text": row.get(source.text, ""),
                    "assessment": row.get(source.assessment) if source.assessment else None,
                    "cycle": label,
                }
            )
    return found, reports, nothing


def observed_at(observation: dict[str, Any], reported_for: datetime) -> datetime:
    """When an observation happened: its own time, or (without a readable one) when the period
    of the inventory that reported it begins."""
    local = _local(observation["time"])
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
    ends_at) than an inventory may report: each is refused at its time field, naming the
    allowed dates."""
    low, high = starts_at - LATE_REACH, ends_at + AHEAD_REACH
    problems = []
    for index, row in enumerate(answer.get(source.field) or []):
        moment = _local(row.get(source.time, ""))
        if moment is not None and not low <= moment < high:
            problems.append(
                FieldProblem(
                    f"{source.field}[{index}].{source.time}",
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
    """The lägesbild as plain data (stored with a step, shown in emails, pages and reports)."""
    now_cats = Counter(o["category"] for o in observations)
    before_cats = Counter(o["category"] for o in previous)
    known = [c["value"] for c in categories]
    order = known + sorted(set(now_cats) - set(known))
    labels = {c["value"]: c for c in categories}
    by_category = [
        {
            "value": value,
            "sv": labels.get(value, {}).get("sv", value),
            "en": labels.get(value, {}).get("en", value),
            "count": now_cats[value],
            "previous": before_cats[value],
        }
        for value in order
        if now_cats[value] or before_cats[value]
    ]
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "total": len(observations),
        "previous_total": len(previous),
        "reports": reports,
        "nothing_to_report": nothing_to_report,
        "by_category": by_category,
        "by_area": _counted(observations, previous, "area", "(område saknas)"),
        "top_places": _top_places(observations),
        "by_week": _by_week(observations),
        "by_weekday": _by_weekday(observations),
        "by_hour_band": _by_hour_band(observations),
        "observations": _listed(observations, labels),
    }


def _listed(
    observations: Sequence[dict[str, Any]], labels: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """Every observation of the period in time order, with its category in words."""
    kept = ("time", "category", "place", "area", "text", "assessment", "unit")
    return sorted(
        (
            {k: o[k] for k in kept}
            | {"category_label": labels.get(o["category"], {}).get("sv", o["category"])}
            for o in observations
        ),
        key=lambda o: str(o["time"]),
    )


def _counted(
    observations: Sequence[dict[str, Any]], previous: Sequence[dict[str, Any]], key: str, empty: str
) -> list[dict[str, Any]]:
    now = Counter(o[key] or empty for o in observations)
    before = Counter(o[key] or empty for o in previous)
    return [
        {"name": name, "count": now[name], "previous": before[name]}
        for name in sorted(set(now) | set(before), key=lambda n: (-now[n], n))
    ]


def _top_places(observations: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    counted = Counter((o["place"], o["area"]) for o in observations if o["place"])
    ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    return [{"place": place, "area": area, "count": n} for (place, area), n in ranked[:TOP_PLACES]]


def _local(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=STOCKHOLM)
    return moment.astimezone(STOCKHOLM)


def _by_week(observations: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    weeks: Counter[str] = Counter()
    for o in observations:
        local = _local(o["time"])
        if local is not None:
            year, week, _ = local.isocalendar()
            weeks[f"{year}-W{week:02d}"] += 1
    return [{"week": w, "count": weeks[w]} for w in sorted(weeks)]


def _by_weekday(observations: Sequence[dict[str, Any]]) -> list[int]:
    days = [0] * 7
    for o in observations:
        local = _local(o["time"])
        if local is not None:
            days[local.weekday()] += 1
    return days


def _by_hour_band(observations: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    bands = [0] * len(HOUR_BANDS)
    for o in observations:
        local = _local(o["time"])
        if local is None:
            continue
        for index, (low, high, _) in enumerate(HOUR_BANDS):
            if low <= local.hour < high:
                bands[index] += 1
    return [{"band": name, "count": bands[i]} for i, (_, _, name) in enumerate(HOUR_BANDS)]
