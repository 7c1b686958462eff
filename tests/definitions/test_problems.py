"""A broken definition is refused with file, line, field path and a Swedish sentence saying what
is wrong; nothing half-loaded comes out."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from tests.definitions.support import line_of, packaged_copy, problems, replace_in


class Case(NamedTuple):
    file: str
    old: str
    new: str
    path: str  # the field path the problem names
    message: str  # part of the Swedish message


CASES = {
    "unknown field": Case(
        "est-inventering.yaml",
        "    deadline: P2DT3H",
        "    deadlien: P2DT3H",
        "steps[0].deadlien",
        "okänt fält",
    ),
    "unknown step kind": Case(
        "est-inventering.yaml",
        "    kind: inputs",
        "    kind: input",
        "steps[0].kind",
        "okänt slag 'input'; möjliga: 'inputs', 'collect', 'decision', 'follow_up'",
    ),
    "a deadline of P99999999Y": Case(
        "est-inventering.yaml",
        "deadline: P2DT3H",
        "deadline: P99999999Y",
        "steps[0].deadline",
        "P99999999Y är för lång; högst P1Y",
    ),
    "a negative reminder": Case(
        "est-inventering.yaml",
        "reminders: [P1D, PT2H]",
        "reminders: [-P1D, PT2H]",
        "steps[0].reminders[0]",
        "måste vara positiv",
    ),
    "too many reminders": Case(
        "est-inventering.yaml",
        "reminders: [P1D, PT2H]",
        "reminders: [" + ", ".join(f"PT{hours}H" for hours in range(1, 12)) + "]",
        "steps[0].reminders",
        "högst 10 påminnelser",
    ),
    "a cadence anchor at 02:30": Case(
        "est-inventering.yaml",
        "anchor: 2027-01-04T09:00",
        "anchor: 2027-01-04T02:30",
        "cadence.anchor",
        "02.00–02.59 finns inte eller inträffar två gånger när sommartiden ändras",
    ),
    "a period key the cadence does not fit": Case(
        "est-mote.yaml",
        "every: P2W",
        "every: P10D",
        "cadence.every",
        "periodnyckeln iso_week kräver en kadens i hela veckor",
    ),
    "a name that is no identifier": Case(
        "est-mote.yaml",
        "name: est-mote",
        "name: EST möte",
        "name",
        "'EST möte' är ingen giltig id",
    ),
    "a transition to nowhere": Case(
        "uppfoljning.yaml",
        "{from: sammanfattning, event: decided, to: completed}",
        "{from: sammanfattning, event: decided, to: klart}",
        "transitions[2].to",
        "'klart' är varken ett steg eller ett slutläge",
    ),
    "an event the step does not have": Case(
        "uppfoljning.yaml",
        "{from: ataganden, event: expired, to: sammanfattning}",
        "{from: ataganden, event: decided, to: sammanfattning}",
        "transitions[1].event",
        "lämnas bara vid",
    ),
    "a sensitive field nobody may see": Case(
        "operativ-inriktning.yaml",
        "        visible_to: [lpo-chef, gruppchef, kommunpolis, operativ-koordinator]\n",
        "",
        "steps[1].fields[2].visible_to",
        "ett skyddat fält måste ange vilka roller som får se det",
    ),
    "a role the organisation does not have": Case(
        "est-inventering.yaml",
        "responsible: [est-rapportor]",
        "responsible: [est-reporter]",
        "steps[0].responsible[0]",
        "rollen 'est-reporter' finns inte i organisationen",
    ),
    "a number bound that is not a number": Case(
        "operativ-inriktning.yaml",
        "minimum: 0, maximum: 10000",
        "minimum: .nan, maximum: 10000",
        "steps[0].fields[1].minimum",
        "högst ±1e+12",
    ),
    "format 99": Case(
        "est-mote.yaml",
        "format: 1",
        "format: 99",
        "format",
        "format 99 är nyare än denna version av Löfte förstår (högst 1); uppgradera Löfte",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_problem_names_file_line_and_field(case: Case, tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    text = replace_in(setup / case.file, case.old, case.new)
    found = problems(setup)
    matching = [p for p in found if p.path == case.path]
    assert matching, "\n".join(str(p) for p in found)
    problem = matching[0]
    assert problem.file == str(setup / case.file)
    assert case.message in problem.message
    needle = (case.new or case.old).strip().splitlines()[0]
    if case.new:
        assert problem.line == line_of(text, needle)
    else:
        assert problem.line is not None
    assert str(problem).startswith(f"{setup / case.file}, rad {problem.line}, fält {case.path}: ")


def test_a_missing_key_is_named_beside_the_misspelt_one(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    replace_in(setup / "est-inventering.yaml", "    deadline: P2DT3H", "    deadlien: P2DT3H")
    messages = {p.path: p.message for p in problems(setup)}
    assert messages == {
        "steps[0].deadline": "obligatoriskt fält saknas",
        "steps[0].deadlien": "okänt fält (kontrollera stavningen)",
    }


def test_a_key_written_twice_is_refused_instead_of_the_last_winning(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    text = replace_in(
        setup / "est-inventering.yaml",
        "    deadline: P2DT3H",
        "    deadline: P2DT3H\n    deadline: P5D",
    )
    messages = [str(p) for p in problems(setup)]
    where = f"{setup / 'est-inventering.yaml'}, rad {line_of(text, 'deadline: P5D')}"
    assert messages == [f"{where}, fält steps[0].deadline: fältet finns två gånger"]


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    replace_in(setup / "est-inventering.yaml", "deadline: P2DT3H", "deadline: P99999999Y")
    replace_in(setup / "est-mote.yaml", "    kind: follow_up", "    kind: folow_up")
    files = {Path(p.file).name for p in problems(setup)}
    assert files == {"est-inventering.yaml", "est-mote.yaml"}


def test_a_file_without_format_is_read_as_format_0_and_says_so(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    replace_in(setup / "est-mote.yaml", "format: 1\n", "")
    found = problems(setup)
    assert any("filen saknar `format:` och lästes som format 0" in p.message for p in found)
