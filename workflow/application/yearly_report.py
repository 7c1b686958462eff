"""A municipality's (or a police area's) year as the lägesbild and action plan Lag (2023:196)
§ 4 asks for, printable: the promise it serves, then kartläggning (the EST picture: counts
per month, category, area and place against the year before, the places on their plot, the
indicators brought in), analys
(the quarterly analyses and decisions), åtgärder (actions with owners, what they target, the
baseline and the latest count) and uppföljning (the follow-ups, the effect judged, and whether
every cycle ran and completed). A police area's report combines its municipalities."""

from __future__ import annotations

from collections import Counter
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from lofte.definitions.directory import Unit
from lofte.kernel import words
from lofte.workflow.application.actions_view import ActionLine, list_actions
from lofte.workflow.application.app import Application
from lofte.workflow.application.indicators_view import figure, indicators_for
from lofte.workflow.application.lagesbild_view import lagesbild
from lofte.workflow.application.place_plot import place_counts, place_plot, plot_svg
from lofte.workflow.application.promise_view import promises_of_year
from lofte.workflow.application.report_parts import completion, quarterly_parts
from lofte.workflow.application.visibility import Viewer, can_see_unit, require_unit
from lofte.workflow.core.observations import current, moment_of

TEMPLATES = Path(__file__).resolve().parent / "templates"
MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
TOP_PLACES = 15


def report_data(app: Application, viewer: Viewer, unit_id: str, year: int) -> dict[str, Any]:
    unit = app.require_unit(unit_id)
    require_unit(viewer, unit)
    shown = [u for u in viewer.directory.municipalities_of(unit) if can_see_unit(viewer, u)]
    units = shown or [unit]  # a police area's: the municipalities the viewer may see
    pictures = [
        (u, lagesbild(app, viewer, u.id, date(year, 1, 1), date(year, 12, 31))) for u in units
    ]
    analyses, follow_ups = quarterly_parts(app, viewer, units, year)
    registers = [r for _, p in pictures for r in p.get("registers", ())]
    places, unplaced = place_counts(registers, [o for _, p in pictures for o in p["observations"]])
    plot = plot_svg(
        place_plot(places, unplaced),
        f"Iakttagelser per plats {year}",
        "Platserna i registret på sina koordinater; ju större cirkel, desto fler iakttagelser. "
        "Siffrorna finns i tabellen Mest rapporterade platser.",
        "rapport-platser",
    )
    return {
        "unit": unit,
        "units": units,
        "several": len(units) > 1,
        "year": year,
        "made": words.moment(app.now),
        "lagesbild": combined(pictures),
        "per_unit": [_unit_line(u, p) for u, p in pictures],
        "trend": _trend([p for _, p in pictures]),
        "actions": _actions(app, viewer, units, year),
        "analyses": analyses,
        "follow_ups": follow_ups,
        "completion": completion(app, units, year),
        "plot": plot,
        "indicators": [(u, indicators_for(app, u.id, year)) for u in units],
        "promise_sets": [(u, promises_of_year(app, u.id, year)) for u in units],
        "unit_names": {u.id: u.name for u in units},
    }


def combined(pictures: list[tuple[Unit, dict[str, Any]]]) -> dict[str, Any]:
    """The municipalities' pictures as one: every count summed, the places named with their
    municipality when there are several."""
    several = len(pictures) > 1
    categories: dict[str, dict[str, Any]] = {}
    areas: Counter[str] = Counter()
    places: list[dict[str, Any]] = []
    for unit, picture in pictures:
        for c in picture["by_category"]:
            total = categories.setdefault(c["value"], c | {"count": 0, "previous": 0})
            total["count"] += c["count"]
            total["previous"] += c["previous"]
        for a in picture["by_area"]:
            areas[f"{unit.name}: {a['name']}" if several else a["name"]] += a["count"]
        for p in picture["by_place"]:
            if p["count"]:
                places.append(p | {"unit_name": unit.name})
    places.sort(key=lambda p: (-p["count"], p["place"]))
    return {
        "total": sum(p["total"] for _, p in pictures),
        "previous_total": sum(p["previous_total"] for _, p in pictures),
        "reports": sum(p["reports"] for _, p in pictures),
        "nothing_to_report": sum(p["nothing_to_report"] for _, p in pictures),
        "unknown_time": sum(p["unknown_time"] for _, p in pictures),
        "by_category": list(categories.values()),
        "by_area": [{"name": n, "count": c} for n, c in areas.most_common()],
        "top_places": places[:TOP_PLACES],
        "observations": [o for _, p in pictures for o in p["observations"]],
    }


def _unit_line(unit: Unit, picture: dict[str, Any]) -> dict[str, Any]:
    top = max(picture["by_category"], key=lambda c: c["count"], default=None)
    return {
        "name": unit.name,
        "total": picture["total"],
        "previous": picture["previous_total"],
        "reports": picture["reports"],
        "top": top["sv"] if top and top["count"] else "",
    }


def _trend(pictures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    per_month: Counter[int] = Counter()
    for picture in pictures:
        for o in picture["observations"]:
            moment = moment_of(current(o))
            if moment is not None:
                per_month[moment.month] += 1
    return [{"month": MONTHS[m - 1], "count": per_month[m]} for m in range(1, 13)]


def _actions(app: Application, viewer: Viewer, units: list[Unit], year: int) -> list[ActionLine]:
    """The actions decided during the year (or still open from before), with their numbers."""
    found = []
    for unit in units:
        for line in list_actions(app, viewer, unit.id):
            created = line.action.created_at.year
            if created == year or (created < year and line.action.is_open):
                found.append(line)
    return found


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "j2")),
    )


def render_report(data: dict[str, Any]) -> str:
    """The report as one printable HTML file (its own styles, no script, no external files)."""
    peak = max([m["count"] for m in data["trend"]] + [1])
    template = _environment().get_template("yearly_report.html.j2")
    return template.render(data | {"peak": peak, "figure": figure})
