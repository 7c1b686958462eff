"""Meetings, decisions and published items have names of their own, apart from the step's
instruction: optional and bilingual, checked when files are loaded, and a definition stored
without them still reads, with a name that is never the instruction."""

from __future__ import annotations

import json
from pathlib import Path

from lofte.definitions.loader import read_stored_definition, stored_text
from tests.definitions.support import only_problem, packaged, packaged_copy, replace_in


def test_every_packaged_meeting_decision_and_publication_has_a_name_of_its_own() -> None:
    for source in packaged().definitions:
        definition = source.definition
        for step in definition.steps:
            named = {
                "meeting": step.meeting is not None,
                "decision": step.kind == "decision",
                "publication": step.publication is not None,
            }
            for what, applies in named.items():
                if not applies:
                    continue
                spec = getattr(step, what)
                assert spec.title.sv and spec.title.en, (definition.name, step.id, what)
                assert spec.title.sv != step.title.sv


def test_names_read_in_each_language() -> None:
    decision = packaged().definition("inriktningsbeslut")
    step = decision.step("beslut")
    assert decision.meeting_name(step) == "Styrgruppens möte om inriktningsbeslut"
    assert decision.meeting_name(step, "en") == "Steering group meeting on the direction decision"
    assert decision.decision_name(step) == "Styrgruppens inriktningsbeslut"
    assert decision.publication_name(step, "en") == "Direction decision for the quarter"


def test_a_stored_definition_without_names_reads_and_never_takes_the_instruction() -> None:
    definition = packaged().definition("inriktningsbeslut")
    data = json.loads(stored_text(definition))
    for step in data["steps"]:
        step.pop("decision", None)
        if step.get("meeting"):
            step["meeting"].pop("title", None)
        if step.get("publication"):
            step["publication"].pop("title", None)
    old = read_stored_definition(json.dumps(data), "lagrad version 1")
    step = old.step("beslut")
    names = [old.meeting_name(step), old.decision_name(step), old.publication_name(step)]
    assert names == [
        "Möte: Inriktningsbeslut",
        "Beslut: Inriktningsbeslut",
        "Beslut: Inriktningsbeslut",
    ]
    assert old.meeting_name(step, "en") == "Meeting: Direction decision"
    assert all(step.title.sv not in name for name in names)


def test_a_name_that_repeats_the_instruction_is_refused_where_it_is(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    replace_in(
        setup / "inriktningsbeslut.yaml",
        "decision: {title: {sv: Styrgruppens inriktningsbeslut,",
        "decision: {title: {sv: Registrera styrgruppens inriktningsbeslut,",
    )
    problem = only_problem(setup)
    assert problem.file.endswith("inriktningsbeslut.yaml")
    assert problem.path == "steps[1].decision.title"
    assert "eget namn" in problem.message


def test_an_empty_or_overlong_name_is_refused(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    replace_in(
        setup / "est-mote.yaml",
        'title: {sv: "EST-möte: gemensam lägesbild", en: "EST meeting: the joint picture"}',
        'title: {sv: " ", en: "x"}',
    )
    problem = only_problem(setup)
    assert problem.path == "steps[1].meeting.title" and "tomt" in problem.message
    setup = packaged_copy(tmp_path / "again")
    replace_in(
        setup / "uppfoljning.yaml",
        "title: {sv: Kvartalets uppföljning,",
        f"title: {{sv: {'x' * 201},",
    )
    problem = only_problem(setup)
    assert problem.path == "steps[1].decision.title" and "högst 200 tecken" in problem.message
