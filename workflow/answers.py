"""Check a submitted answer against the fields its step asks for.

Returns clean values split into ordinary and sensitive parts, or raises SubmissionError that
lists every problem with its field path. Nothing is stored by this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from definitions.schema import FieldSpec, FieldType, Organisation, StepSpec
from workflow.errors import SubmissionError

TRUE_WORDS = {"true", "ja", "yes", "1", "sant"}
FALSE_WORDS = {"false", "nej", "no", "0", "falskt"}


def fields_for(step: StepSpec, roles: Sequence[str]) -> tuple[FieldSpec, ...]:
    """The fields a person holding `roles` is asked for in `step`."""
    return tuple(f for f in step.fields if not f.for_roles or set(f.for_roles) & set(roles))


def validate_answer(
    step: StepSpec,
    roles: Sequence[str],
    answer: Mapping[str, Any],
    organisation: Organisation,
    zone: ZoneInfo,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(public values, sensitive values) of a valid answer; SubmissionError otherwise."""
    if not isinstance(answer, Mapping):
        raise SubmissionError(["the answer must be a mapping of field id to value"])
    checker = _Checker(organisation, zone)
    values = checker.fields(fields_for(step, roles), answer, "")
    if checker.problems:
        raise SubmissionError(checker.problems)
    sensitive_ids = {f.id for f in step.fields if f.sensitive}
    public = {k: v for k, v in values.items() if k not in sensitive_ids}
    sensitive = {k: v for k, v in values.items() if k in sensitive_ids}
    return public, sensitive


class _Checker:
    def __init__(self, organisation: Organisation, zone: ZoneInfo) -> None:
        self.organisation = organisation
        self.zone = zone
        self.problems: list[str] = []

    def fields(
        self, specs: Sequence[FieldSpec], answer: Mapping[str, Any], prefix: str
    ) -> dict[str, Any]:
        known = {s.id for s in specs}
        for key in answer:
            if key not in known:
                self.problems.append(
                    f"{prefix}{key}: unknown field (asked for: {', '.join(sorted(known))})"
                )
        values: dict[str, Any] = {}
        for spec in specs:
            raw = answer.get(spec.id)
            path = f"{prefix}{spec.id}"
            if _is_empty(raw):
                if self._required(spec, answer):
                    self.problems.append(f"{path}: required ({spec.label})")
                continue
            if spec.required_unless and _truthy(answer.get(spec.required_unless)):
                self.problems.append(f"{path}: leave empty when {spec.required_unless} is set")
                continue
            value = self.value(spec, raw, path)
            if value is not None:
                values[spec.id] = value
        return values

    def _required(self, spec: FieldSpec, answer: Mapping[str, Any]) -> bool:
        if spec.required_unless is not None:
            return not _truthy(answer.get(spec.required_unless))
        return spec.required and spec.type is not FieldType.BOOLEAN

    def value(self, spec: FieldSpec, raw: Any, path: str) -> Any:
        try:
            return _CONVERTERS[spec.type](self, spec, raw, path)
        except ValueError as exc:
            self.problems.append(f"{path}: {exc}")
            return None

    def text(self, spec: FieldSpec, raw: Any, path: str) -> str:
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise ValueError("expected text")
        text = str(raw).strip()
        if len(text) > spec.max_length:
            raise ValueError(f"at most {spec.max_length} characters, got {len(text)}")
        return text

    def number(self, spec: FieldSpec, raw: Any, path: str) -> float | int:
        if isinstance(raw, bool):
            raise ValueError("expected a number")
        try:
            number = float(str(raw).replace(",", ".")) if isinstance(raw, str) else float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"{raw!r} is not a number") from None
        if spec.minimum is not None and number < spec.minimum:
            raise ValueError(f"{raw} is below the minimum {spec.minimum:g}")
        if spec.maximum is not None and number > spec.maximum:
            raise ValueError(f"{raw} is above the maximum {spec.maximum:g}")
        return int(number) if number.is_integer() else number

    def choice(self, spec: FieldSpec, raw: Any, path: str) -> str:
        if raw not in spec.options:
            raise ValueError(f"{raw!r} is not one of: {'; '.join(spec.options)}")
        return str(raw)

    def date(self, spec: FieldSpec, raw: Any, path: str) -> str:
        if isinstance(raw, date) and not isinstance(raw, datetime):
            return raw.isoformat()
        try:
            return date.fromisoformat(str(raw)).isoformat()
        except ValueError:
            raise ValueError(f"{raw!r} is not a date (YYYY-MM-DD)") from None

    def datetime(self, spec: FieldSpec, raw: Any, path: str) -> str:
        try:
            moment = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
        except ValueError:
            raise ValueError(f"{raw!r} is not a date and time (YYYY-MM-DDTHH:MM)") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment.isoformat(timespec="minutes")

    def boolean(self, spec: FieldSpec, raw: Any, path: str) -> bool:
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(f"{raw!r} is not yes/no (ja/nej, true/false)")

    def person(self, spec: FieldSpec, raw: Any, path: str) -> str:
        person = self.organisation.find(str(raw))
        if person is None:
            raise ValueError(f"{raw!r} is not a person in the organisation")
        if spec.party is not None and person.party != spec.party:
            raise ValueError(f"{person.name} is not {spec.party.value}; choose a {spec.party}")
        return person.id

    def rows(self, spec: FieldSpec, raw: Any, path: str) -> list[dict[str, Any]] | None:
        if not isinstance(raw, list) or not all(isinstance(r, Mapping) for r in raw):
            raise ValueError("expected a list of rows (each a mapping of column to value)")
        if len(raw) < spec.min_rows:
            raise ValueError(f"at least {spec.min_rows} row(s) needed")
        return [self.fields(spec.columns, row, f"{path}[{i}].") for i, row in enumerate(raw)]


_CONVERTERS = {
    FieldType.TEXT: _Checker.text,
    FieldType.NUMBER: _Checker.number,
    FieldType.CHOICE: _Checker.choice,
    FieldType.DATE: _Checker.date,
    FieldType.DATETIME: _Checker.datetime,
    FieldType.BOOLEAN: _Checker.boolean,
    FieldType.PERSON: _Checker.person,
    FieldType.ROWS: _Checker.rows,
}


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE_WORDS if value is not None else False
