"""Stored answers as people read them, in Swedish and English: option labels instead of
values, names instead of person ids, local times, ja/nej. Sensitive fields are never shown
here; callers that may show them pass them explicitly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from lofte.definitions.directory import Directory
from lofte.definitions.fields import (
    AnyField,
    BooleanField,
    ChoiceField,
    CommitmentField,
    DateField,
    DateTimeField,
    PersonField,
    RowsField,
    ScaleField,
    TimeField,
)
from lofte.kernel import words

Bilingual = dict[str, str]
# An action's numbers (`workflow.core.effect`): shown as facts of their own, never in one line.
EFFECT_LABELS = frozenset(
    {"Räknas", "Counted", "Utgångsläge", "Baseline", "Senaste läge", "Latest", "Per vecka"}
) | {"Per week"}


def both(sv: str, en: str = "") -> Bilingual:
    return {"sv": sv, "en": en or sv}


def show_value(spec: AnyField, value: Any, directory: Directory, language: str) -> str:
    """One non-rows value as text."""
    if value is None:
        return ""
    match spec:
        case ChoiceField():
            chosen = value if isinstance(value, list | tuple) else [value]
            labels = []
            for one in chosen:
                option = spec.option(str(one))
                labels.append(option.label.get(language) if option is not None else str(one))
            return ", ".join(labels)
        case BooleanField():
            return words.yes_no(bool(value), language)
        case PersonField():
            return directory.name_of(str(value))
        case CommitmentField() if isinstance(value, Mapping):
            return f"{value.get('unit_name', '')}: {value.get('what', '')}"
        case DateField():
            return words.plain_date(str(value), language)
        case DateTimeField():
            return words.moment(str(value), language)
        case TimeField():
            try:
                clock = time.fromisoformat(str(value))
            except ValueError:
                return str(value)
            return words.clock(datetime.combine(date.min, clock), language)
        case ScaleField():
            return f"{value} av {spec.high}" if language != "en" else f"{value} of {spec.high}"
        case _:
            return str(value)


def shown_fields(
    specs: Sequence[AnyField],
    values: Mapping[str, Any],
    directory: Directory,
    *,
    only: set[str] | None = None,
) -> list[dict[str, Any]]:
    """[{id, label: {sv, en}, value: {sv, en}} or {id, label, rows: [[...], ...]}] for the
    non-sensitive fields present in `values` (limited to `only` if given)."""
    shown: list[dict[str, Any]] = []
    for spec in specs:
        if spec.sensitive or spec.id not in values or (only is not None and spec.id not in only):
            continue
        label = both(spec.label.sv, spec.label.en)
        value = values[spec.id]
        if isinstance(spec, RowsField):
            rows = [
                shown_fields(spec.columns, row, directory)
                for row in value
                if isinstance(row, Mapping)
            ]
            shown.append({"id": spec.id, "label": label, "rows": rows})
        else:
            shown.append(
                {
                    "id": spec.id,
                    "label": label,
                    "value": {
                        "sv": show_value(spec, value, directory, "sv"),
                        "en": show_value(spec, value, directory, "en"),
                    },
                }
            )
    return shown


def subject_facts(subject: Mapping[str, Any], language: str) -> tuple[str, list[tuple[str, str]]]:
    """What a request is about, as a title and (label, value) facts in `language`: the
    insats or åtagande (`Insats: Klotter i tunneln`) with its place, owner, decision and due
    date, or the municipality a kommunpolis answers for."""
    if not subject:
        return "", []
    title = str(subject.get("title_en" if language == "en" else "title", subject.get("title", "")))
    facts = [
        (
            str(label.get(language) or label.get("sv", "")),
            str(value.get(language) or value.get("sv", "")),
        )
        for label, value in subject.get("values", [])
        if isinstance(label, dict) and isinstance(value, dict)
    ]
    return title, facts


def about_line(subject: Mapping[str, Any], language: str) -> str:
    """What a request is about in one line: `Insats: Klotter i tunneln (Plats: Stationen,
    Klart senast: 20 feb 2027, Beslutad i: EST-möte v. 4 2027)`; empty if about nothing."""
    title, facts = subject_facts(subject, language)
    skip = {"Ansvarig", "Owner", "Indikator", "Indicator", *EFFECT_LABELS}  # the reader owns it
    said = [f"{label}: {value}" for label, value in facts if label not in skip]
    return f"{title} ({', '.join(said)})" if said else title
