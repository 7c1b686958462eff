"""The examples in docs/definitions.md are valid: the organisation parses, and Surahammar's
overrides load into the packaged setup and change only Surahammar's cycles."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from lofte.definitions.loader import parse_organisation
from lofte.kernel.durations import IsoDuration
from tests.definitions.support import loads, packaged, packaged_copy, replace_in

DOC = Path(__file__).resolve().parents[2] / "docs" / "definitions.md"
SURAHAMMAR = (
    "      - {id: surahammar, name: Surahammars kommun, location: Kommunhuset Surahammar, "
    "website: https://www.surahammar.example.se}"
)


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_organisation_example_is_a_valid_organisation() -> None:
    block = next(b for b in yaml_blocks() if b.startswith("format: 1\nname: Medborg"))
    spec = parse_organisation(block, "docs/definitions.md").spec
    assert [m.id for m in spec.police_areas[0].municipalities] == ["sala", "surahammar"]


def test_the_surahammar_override_example_loads_and_changes_only_surahammar(tmp_path: Path) -> None:
    block = next(b for b in yaml_blocks() if "- id: surahammar" in b and "overrides:" in b)
    assert yaml.safe_load(block)[0]["overrides"]["est-inventering"]["cadence"] == {"every": "P2W"}
    setup = packaged_copy(tmp_path)
    replace_in(setup / "organisation.yaml", SURAHAMMAR, block.rstrip("\n"))
    pairs = {(d.name, u.id): d for d, u in loads(setup).effective()}
    before = {(d.name, u.id): d for d, u in packaged().effective()}
    assert set(before) - set(pairs) == {("uppfoljning", "surahammar")}
    changed = sorted(key for key in pairs if pairs[key] != before[key])
    assert changed == [("est-inventering", "surahammar"), ("est-mote", "surahammar")]
    assert pairs[("est-inventering", "surahammar")].cadence.every == IsoDuration.parse("P2W")


def test_the_promise_example_is_valid_in_the_packaged_organisation() -> None:
    from lofte.definitions.loader import PACKAGED_DIR

    block = next(b for b in yaml_blocks() if b.startswith("promises:\n"))
    text = (PACKAGED_DIR / "organisation.yaml").read_text(encoding="utf-8")
    head = text.split("\npromises:\n")[0]
    spec = parse_organisation(head + "\n" + block, "docs/definitions.md").spec
    [sala] = spec.promises
    assert sala.unit == "sala" and sala.years == "2027–2028"
    assert list(sala.pledges) == ["polis", "kommun", "bostadsbolag"] and len(sala.revisions) == 2
