"""Answer validation, field type by field type: what is accepted and how it is stored, and the
problem (field, code, limits) a person is shown for what is refused. Nothing is stored here: a
refused answer raises SubmissionError with one problem per field."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from lofte.definitions.directory import Person
from lofte.definitions.fields import FieldSpec
from lofte.definitions.steps import AnyStep
from lofte.kernel.errors import FieldProblem, SubmissionError
from lofte.workflow.core.answers import fields_for, validate_answer
from tests.conftest import packaged

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FIELD = TypeAdapter(FieldSpec)
PEOPLE = {
    "tove-lind": Person("tove-lind", "Tove Lind", "tove@x.se", "kommun", "sv", False, {}),
    "lars-berg": Person("lars-berg", "Lars Berg", "lars@x.se", "polis", "sv", False, {}),
}


def step_with(*fields: dict[str, Any]) -> AnyStep:
    """The packaged inventory's step with other fields."""
    step = packaged().definition("est-inventering").step("rapportering")
    specs = tuple(FIELD.validate_python(f) for f in fields)
    return step.model_copy(update={"fields": specs})


def accepted(field: dict[str, Any], raw: Any, roles: tuple[str, ...] = ()) -> Any:
    public, sensitive = validate_answer(
        step_with(field), roles, {field["id"]: raw}, PEOPLE, STOCKHOLM
    )
    return {**public, **sensitive}.get(field["id"])


def problems(step: AnyStep, answer: Any, roles: tuple[str, ...] = ()) -> list[FieldProblem]:
    with pytest.raises(SubmissionError) as refused:
        validate_answer(step, roles, answer, PEOPLE, STOCKHOLM)
    return list(refused.value.problems)


def refused(field: dict[str, Any], raw: Any) -> FieldProblem:
    """The one problem of a one-field answer; it names the field (id and label)."""
    found = problems(step_with(field), {field["id"]: raw})
    assert len(found) == 1, found
    assert (found[0].path, found[0].label) == (field["id"], field["label"])
    return found[0]


TEXT = {"id": "plats", "type": "text", "label": "Plats", "max_length": 10}
NUMBER = {"id": "antal", "type": "number", "label": "Antal"}
BOUNDED = {**NUMBER, "minimum": 0, "maximum": 10}
INTEGER = {**NUMBER, "integer": True}
SCALE = {"id": "bedomning", "type": "scale", "label": "Bedömning", "low": 1, "high": 5}
CHOICE = {
    "id": "kategori",
    "type": "choice",
    "label": "Kategori",
    "options": [{"value": "klotter", "label": {"sv": "Klotter", "en": "Graffiti"}}, "brand"],
}
BOOLEAN = {"id": "klart", "type": "boolean", "label": "Klart"}
DATE = {"id": "dag", "type": "date", "label": "Dag"}
MOMENT = {"id": "tidpunkt", "type": "datetime", "label": "Tidpunkt"}
PERSON = {"id": "ansvarig", "type": "person", "label": "Ansvarig"}
POLICE = {**PERSON, "party": "polis"}


def test_text_is_trimmed_with_windows_newlines_and_nul_taken_out() -> None:
    assert accepted(TEXT, "  Torget \r\nB\x00 ") == "Torget \nB"
    assert accepted(TEXT, 12) == "12"
    assert accepted(TEXT, 1.5) == "1.5"


def test_text_up_to_its_length_is_accepted_and_longer_is_refused() -> None:
    assert accepted(TEXT, "x" * 10) == "x" * 10
    assert accepted(TEXT, " " + "x" * 10 + " ") == "x" * 10  # measured after trimming
    problem = refused(TEXT, "x" * 11)
    assert (problem.path, problem.code, dict(problem.params)) == (
        "plats",
        "too_long",
        {"limit": 10, "length": 11},
    )
    assert problem.label == "Plats"


@pytest.mark.parametrize("raw", [True, False, ["a"], {"a": 1}, object()])
def test_text_must_be_text(raw: Any) -> None:
    assert refused(TEXT, raw).code == "not_text"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("3", 3),
        (" 3,5 ", 3.5),
        ("\u22122", -2),  # a real minus sign, as Swedish typography writes it
        ("1 000", 1000),
        (7, 7),
        (2.0, 2),
        (0.25, 0.25),
        ("1e3", 1000),
        ("-1e15", -(10**15)),
    ],
)
def test_numbers_are_read_as_people_write_them(raw: Any, stored: float) -> None:
    value = accepted(NUMBER, raw)
    assert value == stored and type(value) is type(stored)


@pytest.mark.parametrize(
    "raw",
    [
        "NaN",
        "nan",
        "inf",
        "-Infinity",
        math.nan,
        math.inf,
        -math.inf,
        "1e309",
        "1.0000001e15",
        1e16,
        10**400,
        "tre",
        True,
        "",
        "1" * 41,
        "1" * 40 + "x",
        [1],
    ],
)
def test_non_finite_huge_and_non_numbers_are_refused(raw: Any) -> None:
    if raw == "":
        assert refused({**NUMBER}, raw).code == "required"
        return
    problem = refused(NUMBER, raw)
    assert problem.code == "not_number"
    assert problem.params["value"] == str(raw)[:40]


def test_forty_characters_is_the_longest_number_text() -> None:
    assert accepted(NUMBER, "0" * 39 + "7") == 7
    assert refused(NUMBER, "0" * 40 + "7").code == "not_number"


def test_an_integer_field_takes_whole_numbers_only() -> None:
    assert accepted(INTEGER, "4") == 4
    assert accepted(INTEGER, 4.0) == 4
    problem = refused(INTEGER, "4,5")
    assert (problem.code, problem.params["value"]) == ("not_number", "4,5")


def test_minimum_and_maximum_are_inclusive() -> None:
    assert accepted(BOUNDED, "0") == 0
    assert accepted(BOUNDED, "10") == 10
    low = refused(BOUNDED, "-0.5")
    assert (low.code, dict(low.params)) == ("below_minimum", {"limit": "0"})
    high = refused(BOUNDED, "10.5")
    assert (high.code, dict(high.params)) == ("above_maximum", {"limit": "10"})
    fractional = {**NUMBER, "minimum": 0.5, "maximum": 2.5}
    assert refused(fractional, 0.25).params["limit"] == "0.5"
    assert refused(fractional, 3).params["limit"] == "2.5"


def test_a_scale_takes_whole_steps_within_its_ends() -> None:
    assert accepted(SCALE, "1") == 1
    assert accepted(SCALE, 5.0) == 5
    for raw in ("0", "6", "2.5", "x", True):
        problem = refused(SCALE, raw)
        assert (problem.code, dict(problem.params)) == ("not_scale", {"low": 1, "high": 5})


def test_a_choice_is_its_value_or_its_label_in_either_language() -> None:
    assert accepted(CHOICE, "klotter") == "klotter"
    assert accepted(CHOICE, " KLOTTER ") == "klotter"
    assert accepted(CHOICE, "brand") == "brand"
    assert accepted(CHOICE, "graffiti") == "klotter"  # an English reader's reply by email
    for raw in ("skadegörelse", 1, " klotter x", "graffiti x"):
        assert refused(CHOICE, raw).code == "not_option"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (True, True),
        (False, False),
        *((word, True) for word in ("true", "ja", "Yes", "1", "sant", "on", "j", "Y", " JA ")),
        *((word, False) for word in ("false", "nej", "No", "0", "falskt", "off", "n", "N")),
        (1, True),
        (0, False),
    ],
)
def test_yes_and_no_in_the_words_people_use(raw: Any, stored: bool) -> None:
    assert accepted(BOOLEAN, raw) is stored


@pytest.mark.parametrize("raw", ["kanske", "2", "jaa", 2])
def test_other_words_are_not_yes_or_no(raw: Any) -> None:
    assert refused(BOOLEAN, raw).code == "not_boolean"


def test_an_unanswered_boolean_is_not_required() -> None:
    public, _ = validate_answer(step_with(BOOLEAN), (), {}, PEOPLE, STOCKHOLM)
    assert public == {}


def test_dates_in_iso_form_within_the_allowed_years() -> None:
    assert accepted(DATE, " 2027-01-04 ") == "2027-01-04"
    assert accepted(DATE, date(2027, 1, 4)) == "2027-01-04"
    assert accepted(DATE, datetime(2027, 1, 4, 23, 30)) == "2027-01-04"
    assert accepted(DATE, "1900-01-01") == "1900-01-01"
    assert accepted(DATE, "2199-12-31") == "2199-12-31"
    impossible = refused(DATE, "2027-02-30")
    assert (impossible.code, dict(impossible.params)) == ("not_date", {"value": "2027-02-30"})
    assert refused(DATE, "x" * 50).params == {"value": "x" * 40}
    early = refused(DATE, "1899-12-31")
    assert (early.code, dict(early.params)) == (
        "date_out_of_range",
        {"low": date(1900, 1, 1), "high": date(2199, 12, 31)},
    )
    assert refused(DATE, "2200-01-01").code == "date_out_of_range"


def test_a_time_without_an_offset_is_stockholm_time_and_stored_with_its_offset() -> None:
    assert accepted(MOMENT, "2027-01-04 22:30") == "2027-01-04T22:30+01:00"
    assert accepted(MOMENT, "2027-07-04T22:30") == "2027-07-04T22:30+02:00"
    assert accepted(MOMENT, "2027-01-04T21:30:59Z") == "2027-01-04T22:30+01:00"
    assert accepted(MOMENT, datetime(2027, 1, 4, 22, 30)) == "2027-01-04T22:30+01:00"
    assert accepted(MOMENT, "1900-01-01T00:00") == "1900-01-01T00:00+01:00"
    problem = refused(MOMENT, "2027-01-04 25:00")
    assert (problem.code, problem.params["value"]) == ("not_datetime", "2027-01-04 25:00")
    assert accepted(MOMENT, "2199-12-31T23:59") == "2199-12-31T23:59+01:00"
    late = refused(MOMENT, "2200-01-01T00:00")
    assert (late.code, dict(late.params)) == (
        "date_out_of_range",
        {"low": date(1900, 1, 1), "high": date(2199, 12, 31)},
    )
    assert refused(MOMENT, "1899-12-31T23:59").code == "date_out_of_range"
    assert refused(MOMENT, "y" * 50).params == {"value": "y" * 40}


def test_a_person_field_names_a_person_of_the_unit_and_party() -> None:
    assert accepted(PERSON, " tove-lind ") == "tove-lind"
    assert accepted(POLICE, "lars-berg") == "lars-berg"
    assert refused(PERSON, "okänd").code == "not_person"
    assert refused(PERSON, 5).code == "not_person"
    wrong = refused(POLICE, "tove-lind")
    assert (wrong.code, dict(wrong.params)) == (
        "wrong_party",
        {"name": "Tove Lind", "party": "polis"},
    )


ROWS = {
    "id": "rader",
    "type": "rows",
    "label": "Rader",
    "min_rows": 1,
    "max_rows": 2,
    "columns": [TEXT, {**SCALE, "required": False}],
}


def test_rows_are_checked_column_by_column_with_the_row_in_the_path() -> None:
    assert accepted(ROWS, [{"plats": "A"}, {"plats": "B", "bedomning": "2"}]) == [
        {"plats": "A"},
        {"plats": "B", "bedomning": 2},
    ]
    found = problems(step_with(ROWS), {"rader": [{"plats": "A"}, {"bedomning": "9"}]})
    assert [(p.path, p.code) for p in found] == [
        ("rader[1].plats", "required"),
        ("rader[1].bedomning", "not_scale"),
    ]


def test_rows_between_their_least_and_most() -> None:
    assert refused(ROWS, [{"plats": "A"}] * 3).params == {"limit": 2}
    assert refused(ROWS, [{"plats": "A"}] * 3).code == "too_many_rows"
    assert refused({**ROWS, "min_rows": 2}, [{"plats": "A"}]).code == "too_few_rows"
    assert refused({**ROWS, "min_rows": 2}, [{"plats": "A"}]).params == {"limit": 2}
    assert refused(ROWS, [{"plats": "A"}, "B"]).code == "not_rows"
    assert refused(ROWS, "A").code == "not_rows"
    assert accepted(ROWS, ({"plats": "A"},)) == [{"plats": "A"}]


def test_an_answer_must_be_fields_with_values() -> None:
    found = problems(step_with(TEXT), ["plats", "x"])
    assert [(p.path, p.code) for p in found] == [("", "not_mapping")]


def test_unknown_fields_are_named_with_what_is_asked_for() -> None:
    found = problems(step_with(TEXT, NUMBER), {"plats": "A", "antal": 1, "x" * 80: 1})
    assert [(p.path, p.code, dict(p.params), p.label) for p in found] == [
        ("x" * 60, "unknown_field", {"known": "antal, plats"}, "")
    ]


def test_required_fields_and_required_unless_a_box_is_ticked() -> None:
    nothing = {
        "id": "inget",
        "type": "boolean",
        "label": {"sv": "Inget att rapportera", "en": "Nothing to report"},
    }
    unless = {**TEXT, "required_unless": "inget"}
    step = step_with(nothing, unless, NUMBER)
    found = problems(step, {"plats": "  ", "antal": 1})
    assert [(p.path, p.code, p.label) for p in found] == [("plats", "required", "Plats")]
    found = problems(step, {"inget": "nej", "antal": 1})
    assert [(p.path, p.code) for p in found] == [("plats", "required")]
    public, _ = validate_answer(
        step, (), {"inget": "nej", "plats": "A", "antal": 1}, PEOPLE, STOCKHOLM
    )
    assert public == {"inget": False, "plats": "A", "antal": 1}
    public, _ = validate_answer(step, (), {"inget": "ja", "antal": 1}, PEOPLE, STOCKHOLM)
    assert public == {"inget": True, "antal": 1}
    # a box ticked and the field filled in anyway, and the fields after it still checked
    ticked = problems(step, {"inget": True, "plats": "A"})
    assert [(p.path, p.code, dict(p.params), p.label) for p in ticked] == [
        (
            "plats",
            "leave_empty",
            {"other": "Inget att rapportera", "other_en": "Nothing to report"},
            "Plats",
        ),
        ("antal", "required", {}, "Antal"),
    ]
    optional = step_with({**TEXT, "required": False})
    assert validate_answer(optional, (), {"plats": None}, PEOPLE, STOCKHOLM) == ({}, {})
    assert validate_answer(optional, (), {"plats": []}, PEOPLE, STOCKHOLM) == ({}, {})


def test_sensitive_values_are_kept_apart() -> None:
    step = step_with(TEXT, {**NUMBER, "sensitive": True, "visible_to": ["lpo-chef"]})
    public, sensitive = validate_answer(step, (), {"plats": "A", "antal": "2"}, PEOPLE, STOCKHOLM)
    assert (public, sensitive) == ({"plats": "A"}, {"antal": 2})


def test_a_person_is_asked_only_for_the_fields_of_their_roles() -> None:
    step = step_with(TEXT, {**NUMBER, "for_roles": ["kommunpolis"]})
    assert [f.id for f in fields_for(step, ["samordnare"])] == ["plats"]
    assert [f.id for f in fields_for(step, ["samordnare", "kommunpolis"])] == ["plats", "antal"]
    # a field for another role is unknown to this person
    found = problems(step, {"plats": "A", "antal": 1}, roles=("samordnare",))
    assert [(p.path, p.code) for p in found] == [("antal", "unknown_field")]
    public, _ = validate_answer(step, ("samordnare",), {"plats": "A"}, PEOPLE, STOCKHOLM)
    assert public == {"plats": "A"}  # a field of another role is required of its holders only
    assert [p.path for p in problems(step, {}, roles=("kommunpolis",))] == ["plats", "antal"]


@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_every_float_is_stored_finite_and_within_bounds_or_refused(value: float) -> None:
    try:
        stored = accepted(BOUNDED, value)
    except SubmissionError as exc:
        assert [p.code for p in exc.problems] in (
            ["not_number"],
            ["below_minimum"],
            ["above_maximum"],
        )
        assert not (math.isfinite(value) and 0 <= value <= 10)
    else:
        assert math.isfinite(stored) and 0 <= stored <= 10 and stored == value


def test_a_box_the_person_is_not_asked_for_is_named_by_its_id() -> None:
    box = {"id": "inget", "type": "boolean", "label": "Inget", "for_roles": ["kommunpolis"]}
    step = step_with(box, {**TEXT, "required_unless": "inget"})
    found = problems(step, {"inget": True, "plats": "A"}, roles=("samordnare",))
    assert [(p.path, p.code, dict(p.params)) for p in found] == [
        ("inget", "unknown_field", {"known": "plats"}),
        ("plats", "leave_empty", {"other": "inget", "other_en": "inget"}),
    ]
