"""A municipality's year as printable evidence of the work Lag (2023:196) asks for: the
lägesbild with its trend, the action plan (actions, owners, follow-up and effect), the
meetings and decisions held, and whether every cycle ran and completed."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from lofte.kernel import words
from lofte.kernel.timerules import STOCKHOLM
from lofte.workflow.application.actions_view import list_actions
from lofte.workflow.application.app import Application
from lofte.workflow.application.lagesbild_view import lagesbild
from lofte.workflow.application.promise_view import cycle_promise_words, promises_of_year
from lofte.workflow.application.reads import CycleFilter
from lofte.workflow.application.texts import outcome_text
from lofte.workflow.application.visibility import Viewer, require_unit, visible_fields
from lofte.workflow.core.display import shown_fields
from lofte.workflow.core.observations import current, moment_of
from lofte.workflow.core.records import RequestStatus

TEMPLATES = Path(__file__).resolve().parent / "templates"
MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def report_data(app: Application, viewer: Viewer, unit_id: str, year: int) -> dict[str, Any]:
    unit = app.require_unit(unit_id)
    require_unit(viewer, unit)
    picture = lagesbild(app, viewer, unit.id, date(year, 1, 1), date(year, 12, 31))
    return {
        "unit": unit,
        "year": year,
        "made": words.moment(app.now),
        "lagesbild": picture,
        "trend": _trend(picture),
        "actions": [
            a for a in list_actions(app, viewer, unit.id) if a.action.created_at.year == year
        ],
        "decisions": _decisions(app, viewer, unit.id, year),
        "completion": _completion(app, unit.id, year),
        "promises": promises_of_year(app, unit.id, year),
    }


def _trend(picture: dict[str, Any]) -> list[dict[str, Any]]:
    per_month: Counter[int] = Counter()
    for o in picture["observations"]:
        moment = moment_of(current(o))
        if moment is not None:
            per_month[moment.month] += 1
    return [{"month": MONTHS[m - 1], "count": per_month[m]} for m in range(1, 13)]


def _year_bounds(year: int) -> CycleFilter:
    return CycleFilter(
        started_from=datetime(year, 1, 1, tzinfo=STOCKHOLM),
        started_before=datetime(year + 1, 1, 1, tzinfo=STOCKHOLM),
    )


def _decisions(app: Application, viewer: Viewer, unit_id: str, year: int) -> list[dict[str, Any]]:
    bounds = _year_bounds(year)
    where = CycleFilter(
        units=[unit_id], started_from=bounds.started_from, started_before=bounds.started_before
    )
    unit = app.unit(unit_id, viewer.directory)
    held = []
    for cycle in app.reads.cycles(where):
        definition = app.definition_of(cycle)
        for request in app.reads.requests_of_cycle(cycle.id or 0):
            step = definition.step(request.step_id)
            if not step.records_decision or request.status is not RequestStatus.ANSWERED:
                continue
            public, _ = visible_fields(viewer, definition, step, unit)
            held.append(
                {
                    "title": f"{definition.display_title()} {cycle.period_label}",
                    "step": definition.decision_name(step),  # its own name
                    "when": words.moment(request.answered_at) if request.answered_at else "",
                    "by": viewer.directory.name_of(request.person_id),
                    "fields": shown_fields(
                        step.fields, request.answer or {}, viewer.directory, only=public
                    ),
                    "promise": cycle_promise_words(viewer.directory, definition, cycle),
                }
            )
    return held


def _completion(app: Application, unit_id: str, year: int) -> list[dict[str, Any]]:
    bounds = _year_bounds(year)
    where = CycleFilter(
        units=[unit_id], started_from=bounds.started_from, started_before=bounds.started_before
    )
    counts: dict[str, Counter[str]] = {}
    for cycle in app.reads.cycles(where):
        definition = app.definition_of(cycle)
        label = outcome_text(cycle.outcome, definition.names.gender) if cycle.outcome else "pågår"
        counts.setdefault(definition.display_title(), Counter())[label] += 1
    return [
        {"title": title, "opened": sum(c.values()), "outcomes": sorted(c.items())}
        for title, c in sorted(counts.items())
    ]


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
    return _environment().get_template("yearly_report.html.j2").render(data | {"peak": peak})
