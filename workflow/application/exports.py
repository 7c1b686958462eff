"""`lofte export answers`: the non-sensitive answers of one definition in one unit as CSV for
Swedish Excel, one row per list row (the other fields repeated on each)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from lofte.definitions.directory import Directory
from lofte.definitions.fields import AnyField, DateField, DateTimeField, RowsField, TimeField
from lofte.definitions.steps import AnyStep, ObservationSource
from lofte.kernel.errors import NotFound
from lofte.workflow.application.app import Application
from lofte.workflow.application.csv_export import csv_moment, to_csv
from lofte.workflow.application.lagesbild_view import period_bounds
from lofte.workflow.application.reads import CycleFilter
from lofte.workflow.application.texts import request_status
from lofte.workflow.application.visibility import Viewer, require_unit, visible_fields
from lofte.workflow.core.display import show_value
from lofte.workflow.core.lagesbild import observed_at, reporting_periods
from lofte.workflow.core.observations import from_row
from lofte.workflow.core.records import RequestStatus

BASE = ["Enhet", "Cykel", "Period", "Steg", "Person", "Gäller", "Status", "Besvarad", "Sent"]


def export_answers(
    app: Application,
    viewer: Viewer,
    unit_id: str,
    definition_name: str,
    start: date | None = None,
    end: date | None = None,
) -> str:
    unit = app.require_unit(unit_id)
    require_unit(viewer, unit)
    latest = app.latest_definition(definition_name, unit.id)
    if latest is None:
        raise NotFound("definition", f"{definition_name!r} för {unit.name}")
    where = CycleFilter(definition=definition_name, units=[unit.id])
    window: tuple[datetime, datetime] | None = None
    if start is not None or end is not None:
        window = period_bounds(start or date(2000, 1, 1), end or date(2100, 12, 31))
        every = timedelta(seconds=latest[0].cadence.every.approx_seconds())
        first, last = reporting_periods(*window, every)
        where = CycleFilter(  # with every inventory that may report an observation in it
            definition=definition_name, units=[unit.id], started_from=first, started_before=last
        )
    columns: dict[str, str] = {}  # key -> header, in order of first appearance
    rows: list[dict[str, Any]] = []
    for cycle in app.reads.cycles(where):
        definition = app.definition_of(cycle)
        for request in app.reads.requests_of_cycle(cycle.id or 0):
            if request.status is not RequestStatus.ANSWERED or request.answer is None:
                continue
            step = definition.step(request.step_id)
            answer = _within(request.answer, step, cycle.period_start, window)
            if answer is None:
                continue
            public, _ = visible_fields(viewer, definition, step, unit)
            base = {
                "Enhet": unit.name,
                "Cykel": definition.display_title(),
                "Period": cycle.period_label,
                "Steg": step.title.sv,
                "Person": viewer.directory.name_of(request.person_id),
                "Gäller": request.subject.get("title", ""),
                "Status": request_status(request.status.value),
                "Besvarad": csv_moment(request.answered_at),
                "Sent": "ja" if request.late else "nej",
            }
            rows += _rows(step.fields, answer, public, base, columns, viewer.directory)
    headers = BASE + list(columns.values())
    return to_csv(headers, [[row.get(h, "") for h in headers] for row in rows])


def _within(
    answer: dict[str, Any],
    step: AnyStep,
    period_start: datetime,
    window: tuple[datetime, datetime] | None,
) -> dict[str, Any] | None:
    """The answer as far as it belongs to `window` (None: not at all). Observations belong to
    the period their own time falls in (`workflow.core.lagesbild`); the rest of an answer to
    the period of its cycle."""
    if window is None:
        return answer
    in_period = window[0] <= period_start < window[1]
    source = step.observations
    if source is None:
        return answer if in_period else None
    kept = [
        row
        for row in answer.get(source.field) or []
        if window[0] <= observed_at(_observation(row, source), period_start) < window[1]
    ]
    if not kept and not in_period:
        return None
    return {**answer, source.field: kept} if kept or source.field in answer else answer


def _observation(row: dict[str, Any], source: ObservationSource) -> dict[str, Any]:
    return from_row(row, source)


def _rows(
    specs: Any,
    answer: dict[str, Any],
    public: set[str],
    base: dict[str, Any],
    columns: dict[str, str],
    directory: Directory,
) -> list[dict[str, Any]]:
    flat = dict(base)
    lists: list[tuple[RowsField, list[dict[str, Any]]]] = []
    for spec in specs:
        if spec.id not in public or spec.id not in answer:
            continue
        if isinstance(spec, RowsField):
            lists.append((spec, answer[spec.id]))
            continue
        header = columns.setdefault(spec.id, spec.label.sv)
        flat[header] = _value(spec, answer[spec.id], directory)
    if not lists:
        return [flat]
    out = []
    for spec, items in lists:
        list_header = columns.setdefault("__list", "Lista")
        for item in items:
            row = dict(flat)
            row[list_header] = spec.label.sv
            for column in spec.columns:
                if column.id in item and not column.sensitive:
                    # kommunens and polisens åtaganden share columns; "Lista" tells them apart
                    header = columns.setdefault(f"column:{column.label.sv}", column.label.sv)
                    row[header] = _value(column, item[column.id], directory)
            out.append(row)
    return out or [flat]


def _value(spec: AnyField, value: Any, directory: Directory) -> str:
    if isinstance(spec, DateField | TimeField):
        return str(value)  # ISO text Swedish Excel sorts: 2027-01-23, 22:30
    if isinstance(spec, DateTimeField):
        return csv_moment(datetime.fromisoformat(str(value)))
    return show_value(spec, value, directory, "sv")
