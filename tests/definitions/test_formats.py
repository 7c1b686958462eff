"""Formats: Löfte 0.1's files (format 0) go through the upgrade chain into format 1; a newer
format is refused; a stored definition is read back even if it breaks a rule added later."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from lofte.definitions.formats import FormatError, format_of, upgrade
from lofte.definitions.loader import (
    PACKAGED_DIR,
    parse_definition,
    parse_organisation,
    read_stored_definition,
    read_stored_organisation,
    stored_text,
)
from lofte.kernel.durations import IsoDuration
from lofte.kernel.errors import DefinitionError
from tests.definitions.support import (
    FORMAT0,
    FORMAT0_ONE_MUNICIPALITY,
    loads,
    packaged,
)

FORMAT0_DEFINITIONS = sorted(p for p in FORMAT0.glob("*.yaml") if p.stem != "organisation")
KINDS = {
    "est-inventering": ("municipality", ("inputs", "decision")),
    "est-mote": ("municipality", ("follow_up", "decision")),
    "inriktningsbeslut": ("municipality", ("inputs", "decision")),
    "operativ-inriktning": ("police_area", ("inputs", "decision")),
    "uppfoljning": ("municipality", ("follow_up", "decision")),
}


def test_the_format0_folder_holds_five_definitions_and_an_organisation() -> None:
    assert [p.stem for p in FORMAT0_DEFINITIONS] == sorted(KINDS)
    assert (FORMAT0 / "organisation.yaml").is_file()
    for path in FORMAT0.glob("*.yaml"):
        assert "format" not in yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", FORMAT0_DEFINITIONS, ids=lambda p: p.stem)
def test_each_format0_definition_upgrades_into_a_valid_format1_definition(path: Path) -> None:
    definition = parse_definition(path.read_text(encoding="utf-8"), str(path)).definition
    applies_to, kinds = KINDS[definition.name]
    assert definition.format == 1
    assert definition.applies_to == applies_to
    assert tuple(step.kind for step in definition.steps) == kinds


def test_format0_follow_ups_become_actions_with_statuses() -> None:
    definitions = {
        p.stem: parse_definition(p.read_text(encoding="utf-8"), str(p)).definition
        for p in FORMAT0_DEFINITIONS
    }
    mote = definitions["est-mote"]
    assert mote.step("uppfoljning_insatser").kind == "follow_up"
    status = mote.step("uppfoljning_insatser").fields[0]
    assert [(o.value, o.label.sv) for o in status.options] == [  # type: ignore[union-attr]
        ("genomford", "genomförd enligt plan"),
        ("andrad", "ändrad"),
        ("avbruten", "ej genomförd"),
    ]
    (source,) = mote.step("mote").creates_actions
    assert (source.field, source.kind, source.what, source.owner, source.due) == (
        "insatser",
        "insats",
        "insats",
        "ansvarig",
        "klart_senast",
    )
    context = definitions["operativ-inriktning"].steps[0].context
    assert [c.kind for c in context] == ["decision_in_force"]


def test_the_format0_organisation_upgrades_into_units_and_roles_per_unit() -> None:
    path = FORMAT0 / "organisation.yaml"
    spec = parse_organisation(path.read_text(encoding="utf-8"), str(path)).spec
    assert spec.format == 1
    (area,) = spec.police_areas
    assert (area.id, area.name) == ("lpo-norra-vastmanland", "LPO Norra Västmanland")
    assert [m.id for m in area.municipalities] == [
        "sala",
        "heby",
        "norberg",
        "fagersta",
        "skinnskatteberg",
    ]
    people = {p.id: p.roles for p in spec.people}
    assert people["lars-berg"] == {"sala": ("samordnare", "est-rapportor", "styrgrupp")}
    assert people["peter-nord"] == {"lpo-norra-vastmanland": ("lpo-chef",)}
    assert people["lena-dahl"] == {"heby": ("kommunpolis",)}


def test_a_format0_setup_of_one_municipality_loads_as_a_whole() -> None:
    bundle = loads(*FORMAT0_DEFINITIONS, FORMAT0_ONE_MUNICIPALITY / "organisation.yaml")
    pairs = sorted((d.name, u.id) for d, u in bundle.effective())
    assert pairs == [
        ("est-inventering", "heby"),
        ("est-mote", "heby"),
        ("inriktningsbeslut", "heby"),
        ("operativ-inriktning", "lpo-heby"),
        ("uppfoljning", "heby"),
    ]
    assert all(d.format == 1 for d, _ in bundle.effective())


def test_a_format0_police_area_of_five_runs_the_promise_of_its_home_municipality() -> None:
    """0.1 ran the municipality's cycles for its home municipality only; the upgrade switches
    them off for the area's other municipalities, which an administrator can then staff."""
    bundle = loads(FORMAT0)
    pairs = sorted((d.name, u.id) for d, u in bundle.effective())
    assert pairs == [
        ("est-inventering", "sala"),
        ("est-mote", "sala"),
        ("inriktningsbeslut", "sala"),
        ("operativ-inriktning", "lpo-norra-vastmanland"),
        ("uppfoljning", "sala"),
    ]
    heby = bundle.directory.unit("heby")
    assert heby is not None and heby.overrides["est-mote"].enabled is False


def test_a_newer_format_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "organisation.yaml"
    path.write_text("format: 99\nname: x\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        parse_organisation(path.read_text(encoding="utf-8"), str(path))
    (problem,) = caught.value.problems
    assert (problem.path, problem.line) == ("format", 1)
    assert "format 99 är nyare än denna version av Löfte förstår (högst 1)" in problem.message


def test_a_stored_definition_that_breaks_a_later_bound_is_still_read() -> None:
    definition = packaged().definition("est-inventering")
    text = stored_text(definition)
    assert '"deadline":"P2DT3H"' in text
    broken = text.replace('"deadline":"P2DT3H"', '"deadline":"P2Y"')
    back = read_stored_definition(broken, "est-inventering v1")
    assert back.step("rapportering").deadline == IsoDuration.parse("P2Y")
    with pytest.raises(DefinitionError):  # the same text as a file is refused
        parse_definition(yaml.safe_dump(json.loads(broken)), "est-inventering.yaml")


def test_a_stored_organisation_is_read_even_if_the_loader_would_refuse_it() -> None:
    text = (PACKAGED_DIR / "organisation.yaml").read_text(encoding="utf-8")
    twice = text.replace("format: 1\n", "format: 1\nname: Ett äldre namn\n")  # a key twice
    with pytest.raises(DefinitionError, match="fältet finns två gånger"):
        parse_organisation(twice, "organisation.yaml")
    directory = read_stored_organisation(twice, "lagrad organisation")
    assert directory.name == "Medborgarlöften i LPO Norra Västmanland"


def test_a_stored_format0_definition_is_upgraded_when_read() -> None:
    data = yaml.safe_load((FORMAT0 / "est-mote.yaml").read_text(encoding="utf-8"))
    definition = read_stored_definition(json.dumps(data), "est-mote v0")
    assert definition.format == 1
    assert definition.step("uppfoljning_insatser").kind == "follow_up"


@pytest.mark.parametrize("text", ['{"format": 99}', "[1, 2]", "not json", '{"format": "1"}'])
def test_an_unreadable_stored_definition_raises_a_definition_error(text: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        read_stored_definition(text, "lagrad")
    assert str(caught.value).startswith("lagrad: kan inte läsas: ")


def test_the_upgrade_chain_runs_one_step_at_a_time_until_current() -> None:
    def step(version: int) -> Any:
        return lambda data: {**data, "seen": [*data.get("seen", []), version]}

    chain = {0: step(0), 1: step(1), 2: step(2)}
    assert upgrade({}, chain, 3) == {"seen": [0, 1, 2], "format": 3}
    assert upgrade({"format": 2}, chain, 3) == {"format": 3, "seen": [2]}
    assert upgrade({"format": 3, "x": 1}, chain, 3) == {"format": 3, "x": 1}
    with pytest.raises(FormatError):
        upgrade({"format": -1}, chain, 3)
    with pytest.raises(FormatError):
        format_of({"format": True})
