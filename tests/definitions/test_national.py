"""The fictional national example loads at every size, groups municipalities into police areas
of one to six, is the same for the same seed, and is written without overwriting anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from lofte.definitions.checks.bounds import valid_id
from lofte.definitions.loader import PACKAGED_DIR, load_bundle
from lofte.definitions.national import MAX_MUNICIPALITIES, national_example, write_example
from lofte.kernel.errors import ConfigError

PACKAGED_DEFINITIONS = sorted(
    p.name for p in PACKAGED_DIR.glob("*.yaml") if p.stem != "organisation"
)


def read_yaml(text: str) -> Any:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@pytest.mark.parametrize("n", [1, 10, 290])
def test_the_example_loads_with_every_municipality_staffed(n: int, tmp_path: Path) -> None:
    write_example(tmp_path, national_example(n))
    bundle = load_bundle([tmp_path])  # how long: bench/bench_national.py prints it
    municipalities = bundle.directory.units_of_kind("municipality")
    areas = bundle.directory.units_of_kind("police_area")
    assert len(municipalities) == n
    assert len(bundle.effective()) == 4 * n + len(areas)
    for area in areas:
        assert 1 <= len(area.children) <= 6
        assert len(bundle.directory.holders("gruppchef", area.id)) == 2
    for municipality in municipalities:
        holders = bundle.directory.holders("est-rapportor", municipality.id)
        assert {p.party for p in holders} >= {"kommun", "polis", "bostadsbolag", "raddningstjanst"}


def test_the_example_uses_the_packaged_definitions_unchanged() -> None:
    files = national_example(3)
    assert sorted(files) == sorted([*PACKAGED_DEFINITIONS, "organisation.yaml"])
    for name in PACKAGED_DEFINITIONS:
        assert files[name] == (PACKAGED_DIR / name).read_text(encoding="utf-8")
    packaged = read_yaml((PACKAGED_DIR / "organisation.yaml").read_text(encoding="utf-8"))
    generated = read_yaml(files["organisation.yaml"])
    assert generated["format"] == 1
    assert generated["roles"] == packaged["roles"]
    assert generated["parties"] == packaged["parties"]


def test_ids_are_unique_across_units_and_people_and_addresses_are_fictional() -> None:
    spec = read_yaml(national_example(MAX_MUNICIPALITIES)["organisation.yaml"])
    units = [a["id"] for a in spec["police_areas"]]
    units += [m["id"] for a in spec["police_areas"] for m in a["municipalities"]]
    people = [p["id"] for p in spec["people"]]
    assert len(set(units)) == len(units)
    assert len(set(people)) == len(people)
    assert all(valid_id(i) for i in units + people)
    emails = [p["email"] for p in spec["people"]]
    assert len(set(emails)) == len(emails)
    assert all(e.endswith(".example.se") for e in emails)
    assert all(
        m["website"].endswith(".example.se")
        for a in spec["police_areas"]
        for m in a["municipalities"]
    )
    names = {m["name"] for a in spec["police_areas"] for m in a["municipalities"]}
    assert not names & {"Sala kommun", "Surahammars kommun", "Eksjö kommun", "Sävsjö kommun"}
    roles = {(u, r) for p in spec["people"] for u, rs in p["roles"].items() for r in rs}
    assert ("deployment", "revisor") in roles and ("deployment", "administrator") in roles


def test_the_same_seed_gives_the_same_text_and_another_seed_another() -> None:
    assert national_example(50, seed=7) == national_example(50, seed=7)
    assert national_example(50, seed=7) != national_example(50, seed=8)


@pytest.mark.parametrize("n", [0, 291, -3])
def test_a_number_of_municipalities_out_of_range_is_refused(n: int) -> None:
    with pytest.raises(ValueError, match="antalet kommuner ska vara mellan 1 och 290"):
        national_example(n)


def test_write_example_refuses_to_overwrite_unless_told(tmp_path: Path) -> None:
    files = national_example(2)
    written = write_example(tmp_path / "ny", files)
    assert sorted(p.name for p in written) == sorted(files)
    (tmp_path / "ny" / "est-mote.yaml").write_text("# mine\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"innehåller redan .*ingenting skrevs"):
        write_example(tmp_path / "ny", national_example(3))
    assert (tmp_path / "ny" / "est-mote.yaml").read_text(encoding="utf-8") == "# mine\n"
    assert (tmp_path / "ny" / "organisation.yaml").read_text(encoding="utf-8") == files[
        "organisation.yaml"
    ]
    write_example(tmp_path / "ny", files, overwrite=True)
    assert (tmp_path / "ny" / "est-mote.yaml").read_text(encoding="utf-8") == files["est-mote.yaml"]


@pytest.mark.parametrize("name", ["../ut.yaml", "sub/x.yaml", "notes.txt"])
def test_write_example_writes_only_plain_yaml_names(name: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="inget filnamn"):
        write_example(tmp_path, {name: "format: 1\n"})
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("n", [10, 290])
def test_a_units_members_are_who_hold_a_role_there_or_in_its_parent_or_children(
    n: int, tmp_path: Path
) -> None:
    """Looked up from people by unit, not by scanning everyone for each unit (that made the
    first answer of every cycle O(units × people)): the same people, in name order."""
    write_example(tmp_path, national_example(n))
    directory = load_bundle([tmp_path]).directory
    for unit in directory.units.values():
        keys = {unit.id, *unit.children} | ({unit.parent} if unit.parent else set())
        everyone = [p for p in directory.people.values() if keys & set(p.roles)]
        expected = sorted(everyone, key=lambda p: p.name)
        assert directory.members(unit) == tuple(expected), unit.id
        assert directory.members(unit) and directory.members(unit) is directory.members(unit)
