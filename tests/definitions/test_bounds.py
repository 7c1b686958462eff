"""Every limit that keeps a definition sane, tried on both sides: a definition at the limit
loads, one step past it is refused with the limit named at its field. (A limit that moved
either way fails one of the pair.)"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from lofte.definitions.loader import PACKAGED_DIR, parse_definition, parse_organisation
from lofte.kernel.errors import DefinitionError

INVENTORY = yaml.safe_load((PACKAGED_DIR / "est-inventering.yaml").read_text(encoding="utf-8"))
MEETING = yaml.safe_load((PACKAGED_DIR / "est-mote.yaml").read_text(encoding="utf-8"))
ORGANISATION = yaml.safe_load((PACKAGED_DIR / "organisation.yaml").read_text(encoding="utf-8"))

Change = Callable[[dict[str, Any], Any], None]


def problems_of(document: dict[str, Any]) -> list[str]:
    """`path: message` of every problem loading the definition reports; [] if it loads."""
    try:
        parse_definition(yaml.safe_dump(document, allow_unicode=True), "test.yaml")
    except DefinitionError as exc:
        return [f"{p.path}: {p.message}" for p in exc.problems]
    return []


def changed(base: dict[str, Any], change: Change, value: Any) -> dict[str, Any]:
    document = copy.deepcopy(base)
    change(document, value)
    return document


def step(document: dict[str, Any]) -> dict[str, Any]:
    return document["steps"][0]


def rows(document: dict[str, Any]) -> dict[str, Any]:
    return step(document)["fields"][1]  # the inventory's observations


def set_title(d: dict[str, Any], v: Any) -> None:
    d["title"] = {"sv": v, "en": "x"}


def set_english_title(d: dict[str, Any], v: Any) -> None:
    d["title"] = {"sv": "x", "en": v}


def set_description(d: dict[str, Any], v: Any) -> None:
    d["description"] = {"sv": v}


def set_every(d: dict[str, Any], v: Any) -> None:
    d["cadence"]["every"] = v
    d["cadence"].pop("period_key", None)


def set_anchor(d: dict[str, Any], v: Any) -> None:
    d["cadence"]["anchor"] = v


def set_deadline(d: dict[str, Any], v: Any) -> None:
    step(d)["deadline"] = v


def set_reminder(d: dict[str, Any], v: Any) -> None:
    step(d)["reminders"] = [v]


def set_reminders(d: dict[str, Any], v: Any) -> None:
    step(d)["reminders"] = [f"PT{n + 1}H" for n in range(v)]


def set_late(d: dict[str, Any], v: Any) -> None:
    step(d)["accept_late_for"] = v


def set_escalation(d: dict[str, Any], v: Any) -> None:
    step(d)["escalation"]["after"] = v


def set_meeting_start(d: dict[str, Any], v: Any) -> None:
    d["steps"][1]["meeting"]["starts"] = v


def set_meeting_length(d: dict[str, Any], v: Any) -> None:
    d["steps"][1]["meeting"]["length"] = v


def set_location(d: dict[str, Any], v: Any) -> None:
    d["steps"][1]["meeting"]["location"] = v


def set_step_title(d: dict[str, Any], v: Any) -> None:
    step(d)["title"] = {"sv": v}


def set_purpose(d: dict[str, Any], v: Any) -> None:
    step(d)["purpose"] = {"sv": v}


def set_fields(d: dict[str, Any], v: Any) -> None:
    extra = [{"id": f"f{n}", "type": "boolean", "label": "x", "required": False} for n in range(v)]
    step(d)["fields"] = step(d)["fields"][:2] + extra[: v - 2]


def set_columns(d: dict[str, Any], v: Any) -> None:
    columns = rows(d)["columns"]
    extra = [{"id": f"c{n}", "type": "boolean", "label": "x", "required": False} for n in range(v)]
    rows(d)["columns"] = columns + extra[: v - len(columns)]


def set_label(d: dict[str, Any], v: Any) -> None:
    step(d)["fields"][0]["label"] = {"sv": v}


def set_english_label(d: dict[str, Any], v: Any) -> None:
    step(d)["fields"][0]["label"] = {"sv": "x", "en": v}


def set_help(d: dict[str, Any], v: Any) -> None:
    step(d)["fields"][0]["help"] = {"sv": v}


def set_max_length(d: dict[str, Any], v: Any) -> None:
    rows(d)["columns"][1]["max_length"] = v


def set_max_rows(d: dict[str, Any], v: Any) -> None:
    rows(d)["max_rows"] = v


def set_min_rows(d: dict[str, Any], v: Any) -> None:
    rows(d)["min_rows"] = v


def set_scale_high(d: dict[str, Any], v: Any) -> None:
    scale = next(c for c in rows(d)["columns"] if c["type"] == "scale")
    scale["high"] = v


def set_scale_low(d: dict[str, Any], v: Any) -> None:
    scale = next(c for c in rows(d)["columns"] if c["type"] == "scale")
    scale["low"] = v


def number_column(d: dict[str, Any], **limits: Any) -> None:
    rows(d)["columns"].append({"id": "antal", "type": "number", "label": "Antal", **limits})


def set_minimum(d: dict[str, Any], v: Any) -> None:
    number_column(d, minimum=v)


def set_maximum(d: dict[str, Any], v: Any) -> None:
    number_column(d, maximum=v)


def set_options(d: dict[str, Any], v: Any) -> None:
    rows(d)["columns"][0]["options"] = [f"o{n}" for n in range(v)]


def set_option_value(d: dict[str, Any], v: Any) -> None:
    rows(d)["columns"][0]["options"] = [{"value": v, "label": "x"}]


def set_name(d: dict[str, Any], v: Any) -> None:
    d["name"] = v


def set_field_id(d: dict[str, Any], v: Any) -> None:
    step(d)["fields"][0]["id"] = v
    step(d)["fields"][1]["required_unless"] = v


LIMITS: list[tuple[str, dict[str, Any], Change, Any, Any, str]] = [
    # name, definition, change, at the limit, past it (by one: a character, an item, a second;
    # P1Y is 365.28 days and P3M 91.32 days as the limits measure them), the problem
    ("title", INVENTORY, set_title, "x" * 200, "x" * 201, "title: högst 200 tecken"),
    ("title en", INVENTORY, set_english_title, "x" * 200, "x" * 201, "title: högst 200 tecken"),
    ("description", INVENTORY, set_description, "x" * 4000, "x" * 4001, "högst 4000 tecken"),
    ("cadence", INVENTORY, set_every, "P1Y", "P365DT6H43M13S", "högst P1Y mellan två cykler"),
    ("cadence weeks", INVENTORY, set_every, "P52W", "P53W", "högst P1Y mellan två cykler"),
    ("short cadence", INVENTORY, set_every, "P1D", "PT23H59M59S", "minst en dag mellan två cykler"),
    ("first year", INVENTORY, set_anchor, "2000-01-03T09:00", "1999-12-27T09:00", "mellan 2000"),
    ("last year", INVENTORY, set_anchor, "2100-12-27T09:00", "2101-01-03T09:00", "mellan 2000"),
    ("deadline", INVENTORY, set_deadline, "P1Y", "P365DT6H43M13S", "för lång; högst P1Y"),
    ("reminder", INVENTORY, set_reminder, "P3M", "P91DT7H40M49S", "för lång; högst P3M"),
    ("reminders", INVENTORY, set_reminders, 10, 11, "högst 10 påminnelser"),
    ("late answers", INVENTORY, set_late, "P3M", "P91DT7H40M49S", "för lång; högst P3M"),
    ("escalation", INVENTORY, set_escalation, "P3M", "P91DT7H40M49S", "för lång; högst P3M"),
    ("meeting start", MEETING, set_meeting_start, "P1Y", "P365DT6H43M13S", "för lång; högst P1Y"),
    ("meeting length", MEETING, set_meeting_length, "P1D", "P1DT1S", "för lång; högst P1D"),
    ("location", MEETING, set_location, "x" * 200, "x" * 201, "location: högst 200 tecken"),
    ("step title", INVENTORY, set_step_title, "x" * 200, "x" * 201, "title: högst 200 tecken"),
    ("purpose", INVENTORY, set_purpose, "x" * 4000, "x" * 4001, "purpose: högst 4000 tecken"),
    ("fields", INVENTORY, set_fields, 60, 61, "högst 60 fält"),
    ("columns", INVENTORY, set_columns, 30, 31, "högst 30 fält"),
    ("label", INVENTORY, set_label, "x" * 300, "x" * 301, "högst 300 tecken"),
    ("label en", INVENTORY, set_english_label, "x" * 300, "x" * 301, "högst 300 tecken"),
    ("help", INVENTORY, set_help, "x" * 4000, "x" * 4001, "help: högst 4000 tecken"),
    ("text length", INVENTORY, set_max_length, 100_000, 100_001, "mellan 1 och 100000"),
    ("text length low", INVENTORY, set_max_length, 1, 0, "mellan 1 och 100000"),
    ("rows", INVENTORY, set_max_rows, 1000, 1001, "max_rows ≤ 1000"),
    ("rows low", INVENTORY, set_min_rows, 0, -1, "max_rows ≤ 1000"),
    ("scale", INVENTORY, set_scale_high, 100, 101, "inom 0–100"),
    ("scale low", INVENTORY, set_scale_low, 0, -1, "inom 0–100"),
    ("minimum", INVENTORY, set_minimum, -1e12, -1e12 - 1, "minimum: högst ±1e+12"),
    ("maximum", INVENTORY, set_maximum, 1e12, 1e12 + 1, "maximum: högst ±1e+12"),
    ("options", INVENTORY, set_options, 100, 101, "högst 100 alternativ"),
    ("option value", INVENTORY, set_option_value, "x" * 300, "x" * 301, "1–300 tecken"),
    ("name", INVENTORY, set_name, "e" + "x" * 63, "e" + "x" * 64, "ingen giltig id"),
    ("field id", INVENTORY, set_field_id, "a_b-9", "9ab", "ingen giltig id"),
    ("field id case", INVENTORY, set_field_id, "ab", "aB", "ingen giltig id"),
]


@pytest.mark.parametrize(
    ("definition", "change", "at_limit", "past_limit", "problem"),
    [pytest.param(*case[1:], id=case[0]) for case in LIMITS],
)
def test_a_definition_at_a_limit_loads_and_one_past_it_is_refused(
    definition: dict[str, Any], change: Change, at_limit: Any, past_limit: Any, problem: str
) -> None:
    assert not [p for p in problems_of(changed(definition, change, at_limit)) if problem in p]
    found = problems_of(changed(definition, change, past_limit))
    assert [p for p in found if problem in p], found


def test_the_packaged_definitions_are_within_every_limit() -> None:
    assert problems_of(INVENTORY) == [] and problems_of(MEETING) == []


def test_a_step_may_have_up_to_twenty_steps_and_a_hundred_transitions() -> None:
    def with_steps(count: int) -> dict[str, Any]:
        document = copy.deepcopy(INVENTORY)
        first = document["steps"][0]
        document["steps"] = [dict(first, id=f"s{n}") for n in range(count)]
        return document

    assert not [p for p in problems_of(with_steps(20)) if "högst 20 steg" in p]
    assert [p for p in problems_of(with_steps(21)) if p == "steps: högst 20 steg"]

    def with_transitions(count: int) -> dict[str, Any]:
        document = copy.deepcopy(INVENTORY)
        first = document["transitions"][0]
        document["transitions"] = [first] * count
        return document

    assert not [p for p in problems_of(with_transitions(100)) if "övergångar" in p]
    assert [p for p in problems_of(with_transitions(101)) if "högst 100 övergångar" in p]


def test_a_step_may_show_up_to_ten_contexts() -> None:
    def with_context(count: int) -> dict[str, Any]:
        document = copy.deepcopy(MEETING)
        steps_with_context = [s for s in document["steps"] if s.get("context")]
        steps_with_context[0]["context"] = steps_with_context[0]["context"][:1] * count
        return document

    assert not [p for p in problems_of(with_context(10)) if "underlag" in p]
    assert [p for p in problems_of(with_context(11)) if "högst 10 underlag" in p]


def test_organisation_names_and_ids_within_their_limits() -> None:
    def problems(change: Callable[[dict[str, Any]], None]) -> list[str]:
        document = copy.deepcopy(ORGANISATION)
        change(document)
        try:
            parse_organisation(yaml.safe_dump(document, allow_unicode=True), "organisation.yaml")
        except DefinitionError as exc:
            return [f"{p.path}: {p.message}" for p in exc.problems]
        return []

    def person_named(name: str) -> Callable[[dict[str, Any]], None]:
        return lambda d: d["people"][0].update(name=name)

    assert problems(person_named("x" * 200)) == []
    assert [p for p in problems(person_named("x" * 201)) if "1–200 tecken" in p]
    assert [p for p in problems(person_named("  ")) if "1–200 tecken" in p]

    def unit_named(name: str) -> Callable[[dict[str, Any]], None]:
        return lambda d: d["police_areas"][0].update(name=name)

    assert problems(unit_named("x" * 200)) == []
    assert [p for p in problems(unit_named("x" * 201)) if "1–200 tecken" in p]
