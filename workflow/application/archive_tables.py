"""The year's cycles, answers and decisions of an archive package, each as CSV for Swedish
Excel and as JSON. Only the non-sensitive part of an answer is stored where these read it;
sensitive fields (kept encrypted and erased after their retention) are never archived here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Directory, Unit
from lofte.definitions.fields import AnyField, DateField, DateTimeField, RowsField, TimeField
from lofte.workflow.application.app import Application
from lofte.workflow.application.archive_format import iso
from lofte.workflow.application.csv_export import csv_moment, to_csv
from lofte.workflow.application.texts import outcome_text
from lofte.workflow.application.visibility import Viewer, visible_fields
from lofte.workflow.core.display import show_value
from lofte.workflow.core.records import CycleInstance, InputRequest, RequestStatus


@dataclass(frozen=True)
class Table:
    """One table of the package: its CSV text and its JSON rows."""

    csv: str
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class Answered:
    """An answered request with what it belongs to, read once for answers and decisions."""

    cycle: CycleInstance
    definition: CycleDefinition
    unit: Unit
    request: InputRequest
    public: set[str]  # the fields archived


CYCLE_HEADERS = [
    "Id",
    "Enhet",
    "Cykel",
    "Definition",
    "Version",
    "Period",
    "Periodens start",
    "Öppnad",
    "Stängd",
    "Läge",
    "Utfall",
    "Sena svar",
    "Saknade svar",
]


def cycles_table(app: Application, cycles: list[CycleInstance], directory: Directory) -> Table:
    csv_rows, rows = [], []
    for cycle in cycles:
        definition = app.definition_of(cycle)
        unit = app.unit(cycle.unit_id, directory)
        outcome = outcome_text(cycle.outcome, definition.names.gender) if cycle.outcome else ""
        missing = [dict(m) for m in cycle.missing]
        rows.append(
            {
                "id": cycle.id,
                "key": cycle.key,
                "unit_id": cycle.unit_id,
                "unit": unit.name,
                "definition": cycle.definition_name,
                "title": definition.display_title(),
                "definition_version": cycle.definition_version,
                "period_key": cycle.period_key,
                "period": cycle.period_label,
                "period_start": iso(cycle.period_start),
                "opened_at": iso(cycle.opened_at),
                "closed_at": iso(cycle.closed_at),
                "state": cycle.state,
                "outcome": cycle.outcome.value if cycle.outcome else None,
                "outcome_text": outcome or "pågår",
                "late_answers": cycle.late_answers,
                "missing": missing,
            }
        )
        csv_rows.append(
            [
                cycle.id,
                unit.name,
                definition.display_title(),
                cycle.definition_name,
                cycle.definition_version,
                cycle.period_label,
                csv_moment(cycle.period_start),
                csv_moment(cycle.opened_at),
                csv_moment(cycle.closed_at),
                cycle.state,
                outcome or "pågår",
                cycle.late_answers,
                "; ".join(_missing_text(m) for m in missing),
            ]
        )
    return Table(to_csv(CYCLE_HEADERS, csv_rows), rows)


def _missing_text(missing: dict[str, Any]) -> str:
    step = missing.get("step_title", missing.get("step", ""))
    about = f" för {missing['about']}" if missing.get("about") else ""
    return f"{missing.get('person_name', '')} ({step}){about}"


def answered(app: Application, viewer: Viewer, cycles: list[CycleInstance]) -> list[Answered]:
    """Every answered request of `cycles`, in cycle and request order."""
    found = []
    for cycle in cycles:
        definition = app.definition_of(cycle)
        unit = app.unit(cycle.unit_id, viewer.directory)
        for request in app.reads.requests_of_cycle(cycle.id or 0):
            if request.status is not RequestStatus.ANSWERED or request.answer is None:
                continue
            step = definition.step(request.step_id)
            public, _ = visible_fields(viewer, definition, step, unit)
            found.append(Answered(cycle, definition, unit, request, public))
    return found


ANSWER_HEADERS = [
    "Svar-id",
    "Cykel-id",
    "Enhet",
    "Cykel",
    "Period",
    "Steg",
    "Person",
    "Gäller",
    "Besvarad",
    "Sent",
    "Fält",
    "Rad",
    "Kolumn",
    "Värde",
]


def answers_table(found: list[Answered], directory: Directory) -> Table:
    """One CSV row per value (a list's values one per row and column), so that every cycle's
    answers fit one table; the JSON keeps each answer whole."""
    csv_rows: list[list[object]] = []
    rows = []
    for one in found:
        request, step = one.request, one.definition.step(one.request.step_id)
        answer = _archived(one)
        rows.append(_answer_row(one, step.title.sv, answer, directory))
        base: list[object] = [
            request.id,
            one.cycle.id,
            one.unit.name,
            one.definition.display_title(),
            one.cycle.period_label,
            step.title.sv,
            directory.name_of(request.person_id),
            request.subject.get("title", ""),
            csv_moment(request.answered_at),
            "ja" if request.late else "nej",
        ]
        csv_rows += [base + cells for cells in _value_cells(step.fields, answer, directory)]
    return Table(to_csv(ANSWER_HEADERS, csv_rows), rows)


def _archived(one: Answered) -> dict[str, Any]:
    return {k: v for k, v in sorted((one.request.answer or {}).items()) if k in one.public}


def _answer_row(
    one: Answered, step_title: str, answer: dict[str, Any], directory: Directory
) -> dict[str, Any]:
    request = one.request
    return {
        "id": request.id,
        "cycle_id": one.cycle.id,
        "unit_id": one.unit.id,
        "unit": one.unit.name,
        "definition": one.definition.name,
        "period_key": one.cycle.period_key,
        "step_id": request.step_id,
        "step": step_title,
        "person_id": request.person_id,
        "person": directory.name_of(request.person_id),
        "subject": dict(request.subject),
        "requested_at": iso(request.requested_at),
        "deadline_at": iso(request.deadline_at),
        "answered_at": iso(request.answered_at),
        "late": request.late,
        "answer_version": request.answer_version,
        "answer": answer,
    }


def _value_cells(specs: Any, answer: dict[str, Any], directory: Directory) -> list[list[object]]:
    """[field label, row number, column label, value] for each value of `answer`."""
    cells: list[list[object]] = []
    for spec in specs:
        if spec.sensitive or spec.id not in answer:
            continue
        if not isinstance(spec, RowsField):
            cells.append([spec.label.sv, "", "", value_text(spec, answer[spec.id], directory)])
            continue
        for number, item in enumerate(answer[spec.id] or [], start=1):
            for column in spec.columns:
                if not column.sensitive and isinstance(item, dict) and column.id in item:
                    text = value_text(column, item[column.id], directory)
                    cells.append([spec.label.sv, number, column.label.sv, text])
    return cells


def value_text(spec: AnyField, value: Any, directory: Directory) -> str:
    """A value as a cell: dates and times as ISO text Excel sorts, the rest as people read it."""
    if isinstance(spec, DateField | TimeField):
        return str(value)
    if isinstance(spec, DateTimeField):
        return csv_moment(datetime.fromisoformat(str(value)))
    return show_value(spec, value, directory, "sv")


DECISION_HEADERS = [
    "Svar-id",
    "Cykel-id",
    "Enhet",
    "Cykel",
    "Period",
    "Beslut",
    "Beslutat",
    "Beslutat av",
    "Innehåll",
]


def decisions_table(found: list[Answered], directory: Directory) -> Table:
    """The answers of steps that record a decision (the inriktningsbeslut's and any other)."""
    csv_rows: list[list[object]] = []
    rows = []
    for one in found:
        step = one.definition.step(one.request.step_id)
        if not step.records_decision:
            continue
        name = one.definition.decision_name(step)
        answer = _archived(one)
        rows.append(_answer_row(one, step.title.sv, answer, directory) | {"decision": name})
        content = "; ".join(
            f"{field}{f' {row}' if row else ''}{f', {column}' if column else ''}: {value}"
            for field, row, column, value in _value_cells(step.fields, answer, directory)
        )
        csv_rows.append(
            [
                one.request.id,
                one.cycle.id,
                one.unit.name,
                one.definition.display_title(),
                one.cycle.period_label,
                name,
                csv_moment(one.request.answered_at),
                directory.name_of(one.request.person_id),
                content,
            ]
        )
    return Table(to_csv(DECISION_HEADERS, csv_rows), rows)
