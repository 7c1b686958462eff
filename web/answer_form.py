"""The answer form: its inputs, generated from the step's typed fields, and the posted form read
back into the answer the engine validates.

Names: a plain field is posted under its id; a row field `f` posts `f-count` and, per row i and
column c, `f-i-c`. The buttons "Lägg till en rad" (`add_row=f`) and "Ta bort raden"
(`remove_row=f-i`) are real submit buttons, so the form works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lofte.definitions.fields import (
    AnyField,
    BooleanField,
    ChoiceField,
    DateTimeField,
    RowsField,
)
from lofte.kernel.errors import FieldProblem
from lofte.workflow.application.ui_text import ui

MAX_ROWS_SHOWN = 200
BOOLEAN_ON = "ja"


@dataclass
class FormState:
    """What the form shows: values as posted (or the latest answer), rows per row field, and
    the problems per input name."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    summary: list[tuple[str, str, str]] = field(default_factory=list)  # (name, label, text)

    def rows_of(self, spec: RowsField) -> list[dict[str, Any]]:
        rows = self.values.get(spec.id)
        return rows if isinstance(rows, list) else []


def initial_state(fields: tuple[AnyField, ...], previous: Mapping[str, Any]) -> FormState:
    state = FormState(values={k: v for k, v in previous.items()})
    for spec in fields:
        if isinstance(spec, RowsField) and not state.rows_of(spec):
            state.values[spec.id] = [{} for _ in range(max(spec.min_rows, 1))]
    return state


def read_form(fields: tuple[AnyField, ...], form: Mapping[str, str]) -> dict[str, Any]:
    """The answer the posted form holds (types are checked by the engine, not here)."""
    answer: dict[str, Any] = {}
    for spec in fields:
        if isinstance(spec, RowsField):
            answer[spec.id] = _read_rows(spec, form)
        else:
            answer[spec.id] = _read_value(spec, form.get(spec.id, ""), form, spec.id)
    return answer


def _read_value(spec: Any, raw: str, form: Mapping[str, str], name: str) -> Any:
    if isinstance(spec, BooleanField):
        return name in form and form.get(name) == BOOLEAN_ON
    if isinstance(spec, ChoiceField) and spec.multiple:  # one checkbox per chosen option
        getlist = getattr(form, "getlist", None)
        chosen = getlist(name) if getlist is not None else [raw]
        return [c for c in chosen if isinstance(c, str) and c.strip()]
    text = raw.strip() if isinstance(raw, str) else ""
    if isinstance(spec, DateTimeField) and len(text) == 16:
        return text  # datetime-local: 2027-01-04T09:00, read in the cycle's time zone
    return text


def _read_rows(spec: RowsField, form: Mapping[str, str]) -> list[dict[str, Any]]:
    count = _count(form.get(f"{spec.id}-count", "0"))
    rows = []
    for index in range(count):
        row = {
            col.id: _read_value(
                col,
                form.get(f"{spec.id}-{index}-{col.id}", ""),
                form,
                f"{spec.id}-{index}-{col.id}",
            )
            for col in spec.columns
        }
        if any(v not in ("", False, []) for v in row.values()):
            rows.append(row)
    return rows


def _count(raw: str) -> int:
    return min(int(raw), MAX_ROWS_SHOWN) if raw.isascii() and raw.isdigit() else 0


def with_row_change(
    fields: tuple[AnyField, ...], form: Mapping[str, str], answer: dict[str, Any]
) -> FormState | None:
    """The form after "Lägg till en rad" or "Ta bort raden"; None if neither was pressed."""
    add, remove = form.get("add_row"), form.get("remove_row")
    if not add and not remove:
        return None
    state = FormState(values=dict(answer))
    for spec in fields:
        if not isinstance(spec, RowsField):
            continue
        rows = [
            {col.id: form.get(f"{spec.id}-{i}-{col.id}", "") for col in spec.columns}
            for i in range(_count(form.get(f"{spec.id}-count", "0")))
        ]
        if add == spec.id and len(rows) < min(spec.max_rows, MAX_ROWS_SHOWN):
            rows.append({})
        if remove and remove.startswith(f"{spec.id}-"):
            index = _count(remove.removeprefix(f"{spec.id}-"))
            if 0 <= index < len(rows):
                rows.pop(index)
        state.values[spec.id] = rows or [{}]
    return state


def state_with_problems(
    fields: tuple[AnyField, ...],
    answer: dict[str, Any],
    problems: tuple[FieldProblem, ...],
    language: str,
) -> FormState:
    """The form as posted, with each problem at its input and in the summary."""
    state = FormState(values=dict(answer))
    for spec in fields:
        if isinstance(spec, RowsField) and not state.rows_of(spec):
            state.values[spec.id] = [{}]
    for problem in problems:
        name = input_name(problem.path)
        text = problem.text(language)
        state.problems.setdefault(name, text)
        state.summary.append(
            (name, _label(fields, name, language) or problem.label or problem.path, text)
        )
    return state


def input_name(path: str) -> str:
    """`iakttagelser[2].plats` (the engine's path) -> `iakttagelser-2-plats` (the input)."""
    return path.replace("[", "-").replace("].", "-").replace("]", "")


def _label(fields: tuple[AnyField, ...], name: str, language: str) -> str | None:
    parts = name.split("-")
    spec = next((f for f in fields if f.id == parts[0]), None)
    if spec is None:
        return None
    if isinstance(spec, RowsField) and len(parts) == 3 and parts[1].isdigit():
        column = spec.column(parts[2])
        if column is not None:
            row = int(parts[1]) + 1
            where = ui("rad {n}", language, n=row)
            return f"{spec.label.get(language)}, {where}: {column.label.get(language)}"
    return spec.label.get(language)


def choices_of(spec: ChoiceField, language: str) -> list[tuple[str, str]]:
    return [(o.value, o.label_in(language)) for o in spec.options]
