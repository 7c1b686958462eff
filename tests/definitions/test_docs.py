"""The examples in docs/definitions.md are valid: the organisation parses, and Heby's overrides
load into the packaged setup and change only Heby's cycles."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from definitions.loader import parse_organisation
from tests.definitions.support import loads, packaged, packaged_copy, replace_in
from workflow.kernel.durations import IsoDuration

DOC = Path(__file__).resolve().parents[2] / "docs" / "definitions.md"
HEBY = (
    "      - {id: heby, name: Heby kommun, location: Kommunhuset Heby, "
    "website: https://www.heby.example.se}"
)


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_organisation_example_is_a_valid_organisation() -> None:
    block = next(b for b in yaml_blocks() if b.startswith("format: 1\nname: Medborg"))
    spec = parse_organisation(block, "docs/definitions.md").spec
    assert [m.id for m in spec.police_areas[0].municipalities] == ["sala", "heby"]


def test_the_heby_override_example_loads_and_changes_only_heby(tmp_path: Path) -> None:
    block = next(b for b in yaml_blocks() if "- id: heby" in b and "overrides:" in b)
    assert yaml.safe_load(block)[0]["overrides"]["est-inventering"]["cadence"] == {"every": "P2W"}
    setup = packaged_copy(tmp_path)
    replace_in(setup / "organisation.yaml", HEBY, block.rstrip("\n"))
    pairs = {(d.name, u.id): d for d, u in loads(setup).effective()}
    before = {(d.name, u.id): d for d, u in packaged().effective()}
    assert set(before) - set(pairs) == {("uppfoljning", "heby")}
    changed = sorted(key for key in pairs if pairs[key] != before[key])
    assert changed == [("est-inventering", "heby"), ("est-mote", "heby")]
    assert pairs[("est-inventering", "heby")].cadence.every == IsoDuration.parse("P2W")
