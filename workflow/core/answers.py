"""Check an answer against the fields its step asks for.

Returns clean values split into a non-sensitive and a sensitive part, or raises
SubmissionError with one FieldProblem per field. Nothing is stored here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from lofte.definitions.directory import Person
from lofte.definitions.fields import (
    AnyField,
    BooleanField,
    ChoiceField,
    CommitmentField,
    DateField,
    DateTimeField,
    NumberField,
    PersonField,
    PlaceField,
    RowsField,
    ScaleField,
    TextField,
    TimeField,
)
from lofte.definitions.steps import AnyStep
from lofte.kernel.errors import FieldProblem, SubmissionError
from lofte.workflow.core.commitments import Commitment

TRUE_WORDS = frozenset({"true", "ja", "yes", "1", "sant", "on", "j", "y"})
FALSE_WORDS = frozenset({"false", "nej", "no", "0", "falskt", "off", "n"})
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2199, 12, 31)
MAX_ABS_NUMBER = 1e15
CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})(?::00)?$")  # 9:30, 09:30, 21.15 (and HH:MM:00)


def fields_for(step: AnyStep, roles: Sequence[str]) -> tuple[AnyField, ...]:
    """The fields a person holding `roles` is asked for in `step`."""
    return tuple(f for f in step.fields if not f.for_roles or set(f.for_roles) & set(roles))


def asked_fields(step: AnyStep, roles: Sequence[str], lang: str) -> list[dict[str, Any]]:
    """What a request mail says of each field asked: its label, whether it is required, its
    type, whether ticking it answers the step ("inget att rapportera": it `excuses`), whether
    it is sensitive, and a list field's column labels (the mail's form to reply with)."""
    excusing = {f.required_unless for f in step.fields}
    return [
        {
            "label": f.label.get(lang),
            "required": f.required,
            "type": f.type,
            "excuses": f.id in excusing,
            "sensitive": f.sensitive,
            # (not getattr(f, "columns", ()): a pydantic model's missing attribute goes
            # through its slow __getattr__, for every field of every request mail)
            "columns": [c.label.get(lang) for c in f.columns] if isinstance(f, RowsField) else [],
        }
        for f in fields_for(step, roles)
    ]


def validate_answer(
    step: AnyStep,
    roles: Sequence[str],
    answer: Any,
    people: Mapping[str, Person],
    tz: ZoneInfo,
    commitments: Mapping[str, Commitment] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(non-sensitive values, sensitive values) of a valid answer; SubmissionError otherwise.

    `people` are those a person field may name: the cycle unit's members; `commitments` the
    open actions a commitment field may name, by key.
    """
    if not isinstance(answer, Mapping):
        raise SubmissionError([FieldProblem("", "not_mapping")])
    checker = _Checker(people, tz, commitments or {})
    values = checker.fields(fields_for(step, roles), answer, "")
    if checker.problems:
        raise SubmissionError(checker.problems)
    sensitive_ids = {f.id for f in step.fields if f.sensitive}
    public = {k: v for k, v in values.items() if k not in sensitive_ids}
    sensitive = {k: v for k, v in values.items() if k in sensitive_ids}
    return public, sensitive


class _Checker:
    def __init__(
        self, people: Mapping[str, Person], tz: ZoneInfo, commitments: Mapping[str, Commitment]
    ) -> None:
        self.people = people
        self.commitments = commitments
        self.tz = tz
        self.problems: list[FieldProblem] = []

    def problem(self, path: str, code: str, spec: AnyField | None = None, **params: Any) -> None:
        label = spec.label.sv if spec is not None else ""
        self.problems.append(FieldProblem(path, code, params, label))

    def fields(
        self, specs: Sequence[AnyField], answer: Mapping[Any, Any], prefix: str
    ) -> dict[str, Any]:
        known = {s.id for s in specs}
        for key in answer:
            if key not in known:
                shown = str(key)[:60]
                self.problem(f"{prefix}{shown}", "unknown_field", known=", ".join(sorted(known)))
        values: dict[str, Any] = {}
        for spec in specs:
            raw = answer.get(spec.id)
            path = f"{prefix}{spec.id}"
            if _is_empty(raw):
                if self._required(spec, answer):
                    self.problem(path, "required", spec)
                continue
            if spec.required_unless and _truthy(answer.get(spec.required_unless)):
                other = next((s.label for s in specs if s.id == spec.required_unless), None)
                self.problem(
                    path,
                    "leave_empty",
                    spec,
                    other=other.sv if other else spec.required_unless,
                    other_en=other.get("en") if other else spec.required_unless,
                )
                continue
            value = self.value(spec, raw, path)
            if value is not None:
                values[spec.id] = value
        return values

    def _required(self, spec: AnyField, answer: Mapping[Any, Any]) -> bool:
        if spec.required_unless is not None:
            return not _truthy(answer.get(spec.required_unless))
        return spec.required and not isinstance(spec, BooleanField)

    def value(self, spec: AnyField, raw: Any, path: str) -> Any:
        match spec:
            case TextField() | PlaceField():
                return self.text(spec, raw, path)
            case NumberField():
                return self.number(spec, raw, path)
            case ChoiceField():
                return self.choice(spec, raw, path)
            case ScaleField():
                return self.scale(spec, raw, path)
            case DateField():
                return self.date(spec, raw, path)
            case DateTimeField():
                return self.datetime(spec, raw, path)
            case TimeField():
                return self.time(spec, raw, path)
            case BooleanField():
                return self.boolean(spec, raw, path)
            case PersonField():
                return self.person(spec, raw, path)
            case CommitmentField():
                return self.commitment(spec, raw, path)
            case RowsField():
                return self.rows(spec, raw, path)

    def text(self, spec: TextField | PlaceField, raw: Any, path: str) -> str | None:
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            self.problem(path, "not_text", spec)
            return None
        value = str(raw).strip().replace("\r\n", "\n").replace("\x00", "")
        if len(value) > spec.max_length:
            self.problem(path, "too_long", spec, limit=spec.max_length, length=len(value))
            return None
        return value

    def number(self, spec: NumberField, raw: Any, path: str) -> float | int | None:
        number = _as_number(raw)
        if number is None or not math.isfinite(number) or abs(number) > MAX_ABS_NUMBER:
            self.problem(path, "not_number", spec, value=str(raw)[:40])
            return None
        if spec.integer and not number.is_integer():
            self.problem(path, "not_number", spec, value=str(raw)[:40])
            return None
        if spec.minimum is not None and number < spec.minimum:
            self.problem(path, "below_minimum", spec, limit=f"{spec.minimum:g}")
            return None
        if spec.maximum is not None and number > spec.maximum:
            self.problem(path, "above_maximum", spec, limit=f"{spec.maximum:g}")
            return None
        return int(number) if number.is_integer() else number

    def choice(self, spec: ChoiceField, raw: Any, path: str) -> str | list[str] | None:
        if spec.multiple:
            return self.choices(spec, raw, path)
        found = _option_value(spec, raw)
        if found is None:
            self.problem(path, "not_option", spec)
        return found

    def choices(self, spec: ChoiceField, raw: Any, path: str) -> list[str] | None:
        """Several options: a list (or one text, commas between), kept in the options' order."""
        items = [p for p in raw.split(",") if p.strip()] if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple):
            self.problem(path, "not_option", spec)
            return None
        chosen = {_option_value(spec, item) for item in items}
        if None in chosen:
            self.problem(path, "not_option", spec)
            return None
        if not chosen and spec.required:
            self.problem(path, "required", spec)
            return None
        return [o.value for o in spec.options if o.value in chosen]

    def scale(self, spec: ScaleField, raw: Any, path: str) -> int | None:
        number = _as_number(raw)
        if number is None or not number.is_integer() or not spec.low <= number <= spec.high:
            self.problem(path, "not_scale", spec, low=spec.low, high=spec.high)
            return None
        return int(number)

    def date(self, spec: DateField, raw: Any, path: str) -> str | None:
        try:
            value = raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
        except ValueError:
            self.problem(path, "not_date", spec, value=str(raw)[:40])
            return None
        if isinstance(value, datetime):
            value = value.date()
        if not MIN_DATE <= value <= MAX_DATE:
            self.problem(path, "date_out_of_range", spec, low=MIN_DATE, high=MAX_DATE)
            return None
        return value.isoformat()

    def datetime(self, spec: DateTimeField, raw: Any, path: str) -> str | None:
        try:
            text = str(raw).strip().replace(" ", "T", 1)
            moment = raw if isinstance(raw, datetime) else datetime.fromisoformat(text)
        except ValueError:
            self.problem(path, "not_datetime", spec, value=str(raw)[:40])
            return None
        if not MIN_DATE <= moment.date() <= MAX_DATE:
            self.problem(path, "date_out_of_range", spec, low=MIN_DATE, high=MAX_DATE)
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz).isoformat(timespec="minutes")

    def time(self, spec: TimeField, raw: Any, path: str) -> str | None:
        found = CLOCK.match(str(raw).strip())
        hour, minute = (int(found[1]), int(found[2])) if found else (99, 99)
        value = time(hour, minute) if hour < 24 and minute < 60 else None
        if value is None:
            self.problem(path, "not_time", spec, value=str(raw)[:40])
            return None
        return value.strftime("%H:%M")

    def boolean(self, spec: BooleanField, raw: Any, path: str) -> bool | None:
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        self.problem(path, "not_boolean", spec)
        return None

    def person(self, spec: PersonField, raw: Any, path: str) -> str | None:
        person = self.people.get(str(raw).strip()) if isinstance(raw, str) else None
        if person is None:
            self.problem(path, "not_person", spec)
            return None
        if spec.party is not None and person.party != spec.party:
            self.problem(path, "wrong_party", spec, name=person.name, party=spec.party)
            return None
        return person.id

    def commitment(self, spec: CommitmentField, raw: Any, path: str) -> dict[str, str | int] | None:
        """An open action of the kinds the field offers, named by its key (or as stored)."""
        key = raw.get("action") if isinstance(raw, Mapping) else raw
        found = self.commitments.get(str(key).strip()) if isinstance(key, str) else None
        if found is None or found.kind not in spec.kinds:
            self.problem(path, "not_commitment", spec)
            return None
        return found.as_value()

    def rows(self, spec: RowsField, raw: Any, path: str) -> list[dict[str, Any]] | None:
        if not isinstance(raw, list | tuple) or not all(isinstance(r, Mapping) for r in raw):
            self.problem(path, "not_rows", spec)
            return None
        if len(raw) > spec.max_rows:
            self.problem(path, "too_many_rows", spec, limit=spec.max_rows)
            return None
        if len(raw) < spec.min_rows:
            self.problem(path, "too_few_rows", spec, limit=spec.min_rows)
            return None
        return [self.fields(spec.columns, row, f"{path}[{i}].") for i, row in enumerate(raw)]


def _as_number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    try:
        if isinstance(raw, str):
            text = raw.strip().replace("\u2212", "-").replace(" ", "").replace(",", ".")
            if len(text) > 40:
                return None
            return float(text)
        if isinstance(raw, int | float):
            return float(raw)
    except (ValueError, OverflowError):
        return None
    return None


def _is_empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, list | dict | tuple) and len(value) == 0)


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE_WORDS if value is not None else False


def _option_value(spec: ChoiceField, raw: Any) -> str | None:
    """The option `raw` names, by its value or its label (Swedish or English, any case)."""
    if isinstance(raw, str):
        wanted = raw.strip().lower()
        for option in spec.options:
            labels = {option.label.sv.lower(), option.label.en.lower()} - {""}
            if raw == option.value or wanted in labels:
                return option.value
    return None
