"""Rules across files: names, staffing per unit, and each unit's overrides, which are reported
at their own place in the organisation file."""

from __future__ import annotations

from pathlib import Path

from lofte.kernel.durations import IsoDuration
from tests.definitions.support import (
    line_of,
    loads,
    only_problem,
    packaged,
    packaged_copy,
    problems,
    replace_in,
)

SURAHAMMAR = (
    "{id: surahammar, name: Surahammars kommun, location: Kommunhuset Surahammar, "
    "website: https://www.surahammar.example.se}"
)
SURAHAMMAR_PATH = "police_areas[0].municipalities[4]"


def surahammar_with(overrides: str) -> str:
    """Surahammar's entry spread over three lines, the last holding `overrides` (flow YAML), so that
    each problem's line can be told from the unit's."""
    lines = [
        "{id: surahammar, name: Surahammars kommun, location: Kommunhuset Surahammar,",
        "         website: https://www.surahammar.example.se,",
        "         overrides: {" + overrides + "}}",
    ]
    return "\n".join(lines)


def test_two_definitions_with_one_name_are_refused(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    text = replace_in(setup / "est-mote.yaml", "name: est-mote", "name: est-inventering")
    problem = only_problem(setup)
    assert problem.file == str(setup / "est-mote.yaml")
    assert (problem.path, problem.line) == ("name", line_of(text, "name: est-inventering"))
    assert problem.message == (
        f"namnet 'est-inventering' används redan av {setup / 'est-inventering.yaml'}"
    )


def test_a_role_nobody_holds_in_one_municipality_names_the_municipality(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    replace_in(
        setup / "organisation.yaml",
        "{id: anna-sundin, name: Anna Sundin, email: anna.sundin@surahammar.example.se, "
        "party: kommun, "
        "roles: {surahammar: [samordnare, est-rapportor, styrgrupp]}}",
        "{id: anna-sundin, name: Anna Sundin, email: anna.sundin@surahammar.example.se, "
        "party: kommun, "
        "roles: {surahammar: [est-rapportor, styrgrupp]}}",
    )
    found = problems(setup)
    assert found
    assert all("i Surahammars kommun har ingen rollen 'samordnare'" in p.message for p in found)
    assert all("enabled: false" in p.message for p in found)
    chair = next(
        p for p in found if p.file.endswith("est-inventering.yaml") and p.path == "chair_role"
    )
    text = (setup / "est-inventering.yaml").read_text(encoding="utf-8")
    assert chair.line == line_of(text, "chair_role: samordnare")


def test_a_unit_may_switch_off_the_cycles_it_cannot_staff(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    replace_in(
        setup / "organisation.yaml",
        "roles: {surahammar: [samordnare, est-rapportor, styrgrupp]}",
        "roles: {surahammar: [est-rapportor, styrgrupp]}",
    )
    off = ", ".join(
        f"{name}: {{enabled: false}}"
        for name in ("est-inventering", "est-mote", "inriktningsbeslut", "uppfoljning")
    )
    replace_in(setup / "organisation.yaml", SURAHAMMAR, surahammar_with(off))
    pairs = loads(setup).effective()
    assert len(pairs) == 17
    assert all(unit.id != "surahammar" for definition, unit in pairs)


def test_an_override_of_an_unknown_step_is_refused_at_the_override(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    text = replace_in(
        setup / "organisation.yaml",
        SURAHAMMAR,
        surahammar_with("est-inventering: {steps: {rapport: {deadline: P1D}}}"),
    )
    problem = only_problem(setup)
    assert problem.file == str(setup / "organisation.yaml")
    assert problem.path == f"{SURAHAMMAR_PATH}.overrides.est-inventering.steps.rapport"
    assert problem.line == line_of(text, "rapport: {deadline")
    assert problem.message == "est-inventering har inget steg 'rapport'"


def test_a_meeting_override_on_a_step_that_is_no_meeting_is_refused(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    text = replace_in(
        setup / "organisation.yaml",
        SURAHAMMAR,
        surahammar_with("est-inventering: {steps: {rapportering: {meeting: {length: PT1H}}}}"),
    )
    problem = only_problem(setup)
    assert problem.path == f"{SURAHAMMAR_PATH}.overrides.est-inventering.steps.rapportering.meeting"
    assert problem.line == line_of(text, "meeting: {length")
    assert problem.message == "steget är inget möte"


def test_an_escalation_override_on_a_step_without_escalation_is_refused(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    text = replace_in(
        setup / "organisation.yaml",
        SURAHAMMAR,
        surahammar_with("est-inventering: {steps: {sammanstallning: {escalation_after: P1D}}}"),
    )
    problem = only_problem(setup)
    assert problem.path == (
        f"{SURAHAMMAR_PATH}.overrides.est-inventering.steps.sammanstallning.escalation_after"
    )
    assert problem.line == line_of(text, "escalation_after: P1D")
    assert problem.message == "steget har ingen eskalering (escalation) att flytta"


def test_a_bad_cadence_override_is_reported_where_the_override_is(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    text = replace_in(
        setup / "organisation.yaml",
        SURAHAMMAR,
        surahammar_with("est-inventering: {cadence: {every: P5D}}"),
    )
    problem = only_problem(setup)
    assert problem.file == str(setup / "organisation.yaml")
    assert problem.path == f"{SURAHAMMAR_PATH}.overrides.est-inventering.cadence.every"
    assert problem.line == line_of(text, "every: P5D")
    assert problem.message == (
        "periodnyckeln iso_week kräver en kadens i hela veckor (P1W, P2W, ...), inte P5D"
    )


def test_an_override_is_held_to_the_bounds_of_a_definition(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    text = replace_in(
        setup / "organisation.yaml",
        SURAHAMMAR,
        surahammar_with("est-mote: {steps: {mote: {deadline: P2Y, reminders: [-PT1H]}}}"),
    )
    found = {p.path: p for p in problems(setup)}
    base = f"{SURAHAMMAR_PATH}.overrides.est-mote.steps.mote"
    assert set(found) == {f"{base}.deadline", f"{base}.reminders[0]"}
    assert found[f"{base}.deadline"].message == "P2Y är för lång; högst P1Y"
    assert all(p.line == line_of(text, "deadline: P2Y") for p in found.values())


def test_an_override_of_a_definition_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    replace_in(
        setup / "organisation.yaml", SURAHAMMAR, surahammar_with("est-motet: {enabled: false}")
    )
    problem = only_problem(setup)
    assert problem.path == f"{SURAHAMMAR_PATH}.overrides.est-motet"
    assert problem.message == "ingen definition heter 'est-motet'"


def test_surahammars_two_weekly_inventory_changes_only_surahammars_definition(
    tmp_path: Path,
) -> None:
    setup = packaged_copy(tmp_path)
    replace_in(
        setup / "organisation.yaml",
        SURAHAMMAR,
        surahammar_with(
            "est-inventering: {cadence: {every: P2W}, "
            "steps: {rapportering: {deadline: P3DT3H, reminders: [P2D]}}}"
        ),
    )
    changed = {(d.name, u.id): d for d, u in loads(setup).effective()}
    before = {(d.name, u.id): d for d, u in packaged().effective()}
    assert changed.keys() == before.keys()
    differ = sorted(key for key in before if changed[key] != before[key])
    assert differ == [("est-inventering", "surahammar")]
    surahammar, template = (
        changed[("est-inventering", "surahammar")],
        before[("est-inventering", "surahammar")],
    )
    assert surahammar.cadence.every == IsoDuration.parse("P2W")
    assert surahammar.cadence.anchor == template.cadence.anchor
    assert surahammar.step("rapportering").deadline == IsoDuration.parse("P3DT3H")
    assert surahammar.step("rapportering").reminders == (IsoDuration.parse("P2D"),)
    assert surahammar.step("sammanstallning") == template.step("sammanstallning")
    assert (
        surahammar.model_copy(update={"cadence": template.cadence, "steps": template.steps})
        == template
    )


def test_an_address_a_persons_replies_may_come_from_must_be_one(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    replace_in(
        setup / "organisation.yaml",
        "email: tove.lind@raddning.example.se,",
        "email: tove.lind@raddning.example.se, reply_from: [rtj@raddning.example.se, rtj sala],",
    )
    [found] = problems(setup)
    assert found.file.endswith("organisation.yaml") and "reply_from" in found.path
    assert found.message == "'rtj sala' är ingen e-postadress"
