"""Definitions load into frozen objects, or fail with file, field path, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from definitions.loader import PACKAGED_DIR, load_bundle, parse_definition
from workflow.errors import DefinitionError

VALID = (PACKAGED_DIR / "est-inventering.yaml").read_text(encoding="utf-8")


def problems_of(text: str, tmp_path: Path, name: str = "cycle.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_bundle([path])
    return [str(p) for p in caught.value.problems]


def test_the_five_seed_cycles_and_the_organisation_load() -> None:
    bundle = load_bundle()
    names = [s.definition.name for s in bundle.definitions]
    assert names == [
        "est-inventering",
        "est-mote",
        "inriktningsbeslut",
        "operativ-inriktning",
        "uppfoljning",
    ]
    org = bundle.organisation.organisation
    assert len(org.municipalities) == 5
    assert len(org.people_with_role("kommunpolis")) == 5
    assert all(p.email.endswith("example.se") for p in org.people)


def test_definitions_are_frozen() -> None:
    definition = load_bundle().definition("est-mote")
    with pytest.raises(ValidationError):
        definition.title = "changed"  # type: ignore[misc]


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    broken = VALID.replace("  every: P1W", "  every: [P1W")
    problems = problems_of(broken, tmp_path)
    assert len(problems) == 1
    assert "cycle.yaml:" in problems[0] and "not valid YAML" in problems[0]


def test_unknown_field_names_path_and_line(tmp_path: Path) -> None:
    broken = VALID.replace("    deadline: P2DT3H", "    deadlien: P2DT3H")
    problems = problems_of(broken, tmp_path)
    line = next(i for i, ln in enumerate(broken.splitlines(), 1) if "deadlien" in ln)
    assert any(f"cycle.yaml:{line}: steps[0].deadlien: unknown field" in p for p in problems)
    assert any("steps[0].deadline: required field is missing" in p for p in problems)


def test_bad_duration_is_explained(tmp_path: Path) -> None:
    problems = problems_of(VALID.replace("every: P1W", "every: one week"), tmp_path)
    assert "cadence.every" in problems[0] and "not an ISO 8601 duration" in problems[0]


def test_transition_to_unknown_state(tmp_path: Path) -> None:
    broken = VALID.replace(
        "{from: sammanstallning, event: decided, to: completed}",
        "{from: sammanstallning, event: decided, to: klart}",
    )
    problems = problems_of(broken, tmp_path)
    assert any(
        "transitions[2].to: 'klart' is neither a step nor an end state" in p for p in problems
    )


def test_step_without_transition_for_its_events(tmp_path: Path) -> None:
    broken = VALID.replace(
        "  - {from: sammanstallning, event: expired, to: closed_incomplete}\n", ""
    )
    problems = problems_of(broken, tmp_path)
    assert any("step 'sammanstallning' has no transition on 'expired'" in p for p in problems)


def test_event_that_does_not_fit_the_step(tmp_path: Path) -> None:
    broken = VALID.replace(
        "{from: rapportering, event: expired, to: sammanstallning}",
        "{from: rapportering, event: decided, to: sammanstallning}",
    )
    problems = problems_of(broken, tmp_path)
    assert any(
        "transitions[1].event: step 'rapportering' advances on all_inputs" in p for p in problems
    )


def test_sensitive_field_must_say_who_may_see_it(tmp_path: Path) -> None:
    broken = VALID.replace(
        "{id: prioriterade_platser, type: text, label: Platser att prioritera, required: false}",
        "{id: prioriterade_platser, type: text, label: Platser, sensitive: true}",
    )
    problems = problems_of(broken, tmp_path)
    assert any("visible_to: a sensitive field must list the roles" in p for p in problems)


def test_unknown_role_is_reported_against_the_organisation(tmp_path: Path) -> None:
    broken = VALID.replace("responsible: [est-rapportor]", "responsible: [est-reporter]")
    problems = problems_of(broken, tmp_path)
    assert any(
        "steps[0].responsible[0]: role 'est-reporter' is not in the organisation" in p
        for p in problems
    )


def test_period_key_must_fit_the_cadence(tmp_path: Path) -> None:
    broken = VALID.replace("every: P1W", "every: P10D")
    problems = problems_of(broken, tmp_path)
    assert any("iso_week period keys need a cadence of whole weeks" in p for p in problems)


def test_anchor_in_the_summer_time_hour_is_refused(tmp_path: Path) -> None:
    broken = VALID.replace("anchor: 2027-01-04T09:00", "anchor: 2027-01-04T02:30")
    assert any("02:00-02:59" in p for p in problems_of(broken, tmp_path))


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="cannot read the file"):
        load_bundle([tmp_path / "nope.yaml"])


def test_organisation_party_mismatch(tmp_path: Path) -> None:
    org = (PACKAGED_DIR / "organisation.yaml").read_text(encoding="utf-8")
    broken = org.replace(
        "    party: kommun\n    roles: [styrgrupp-ordforande",
        "    party: polis\n    roles: [styrgrupp-ordforande",
        1,
    )
    problems = problems_of(broken, tmp_path, "organisation.yaml")
    assert any(
        "people[0].roles[0]: role 'styrgrupp-ordforande' belongs to kommun" in p for p in problems
    )


def test_parse_definition_alone_checks_structure() -> None:
    definition = parse_definition(VALID, "est-inventering.yaml")
    assert definition.step("rapportering").fields[1].columns[0].options[0] == (
        "skadegörelse/klotter"
    )
