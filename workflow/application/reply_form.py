"""The plain-text form a request mail carries, and a filled-in copy of it read back from a
reply: `Kategori: Klotter`, `Plats: Stora torget`, one block per row of a list field (a line
`--- Iakttagelse 2 ---`, or a column named again, starts the next). Labels are the fields' own,
Swedish or English, in any case; a line that names no field continues the value above it (a
description over several lines). What is read is validated by the engine exactly like the web
form; nothing is guessed: a line before the first label, or a label of no field, is "not
understood"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lofte.definitions.fields import AnyField, BooleanField, RowsField
from lofte.definitions.steps import AnyStep

LABEL_LINE = re.compile(r"^\s*([^:\n]{1,60}?)\s*:\s*(.*)$")
ROW_LINE = re.compile(r"^\s*-{2,}\s*(.*?)\s*-{2,}\s*$")
YES = frozenset({"ja", "yes", "x", "sant", "true"})


@dataclass
class FilledForm:
    """What a reply's form held: the answer for the engine, and lines that named nothing."""

    answer: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    rows: int = 0


def form_fields(step: AnyStep, excused_by: str | None) -> list[AnyField]:
    """The fields a mail's form asks for: all but the "nothing to report" box (the words say
    that) and sensitive fields (never in an email)."""
    return [f for f in step.fields if f.id != excused_by and not f.sensitive]


def read_form(step: AnyStep, excused_by: str | None, text: str) -> FilledForm | None:
    """The filled-in form in `text`; None when no line names one of the step's fields."""
    fields = form_fields(step, excused_by)
    top = {_key(label): f for f in fields if not isinstance(f, RowsField) for label in _labels(f)}
    lists = [f for f in fields if isinstance(f, RowsField)]
    columns = {
        _key(label): (rows, column)
        for rows in lists
        for column in rows.columns
        for label in _labels(column)
    }
    filled = FilledForm()
    current: dict[str, Any] | None = None  # the row being filled
    last: tuple[dict[str, Any], str] | None = None  # where a continuation line goes
    named = False
    for line in text.splitlines():
        if ROW_LINE.match(line):
            current, last = None, None
            continue
        found = LABEL_LINE.match(line)
        key = _key(found.group(1)) if found else ""
        if found and key in columns:
            rows, column = columns[key]
            if current is None or column.id in current:
                current = {}
                filled.answer.setdefault(rows.id, []).append(current)
                filled.rows += 1
            current[column.id] = found.group(2).strip()
            last, named = (current, column.id), True
        elif found and key in top:
            spec = top[key]
            filled.answer[spec.id] = _value(spec, found.group(2).strip())
            last, named = (filled.answer, spec.id), True
        elif line.strip() and last is not None and isinstance(last[0].get(last[1]), str):
            target, name = last
            target[name] = f"{target[name]}\n{line.strip()}".strip()
        elif line.strip():
            filled.unknown.append(line.strip()[:120])
    if not named:
        return None
    for rows in lists:  # rows left empty (a copied block not filled in) are no rows
        kept = [r for r in filled.answer.get(rows.id, []) if any(v for v in r.values())]
        if rows.id in filled.answer:
            filled.answer[rows.id] = kept
    filled.rows = sum(len(filled.answer.get(rows.id, [])) for rows in lists)
    return filled


def _labels(spec: Any) -> list[str]:
    return [label for label in (spec.label.sv, spec.label.en) if label]


def _key(label: str) -> str:
    return " ".join(label.lower().split())


def _value(spec: AnyField, raw: str) -> Any:
    if isinstance(spec, BooleanField):
        return raw.lower() in YES
    return raw
