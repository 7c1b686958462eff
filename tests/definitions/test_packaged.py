"""The packaged setup: five definitions and one police area of five municipalities."""

from __future__ import annotations

from collections import Counter

import pytest
from pydantic import ValidationError

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.loader import read_stored_definition, stored_text
from tests.definitions.support import packaged


def test_the_packaged_setup_loads_with_21_effective_pairs() -> None:
    bundle = packaged()
    pairs = bundle.effective()
    assert len(pairs) == 21
    per_definition = Counter(definition.name for definition, _ in pairs)
    assert per_definition == {
        "est-inventering": 5,
        "est-mote": 5,
        "inriktningsbeslut": 5,
        "uppfoljning": 5,
        "operativ-inriktning": 1,
    }
    kinds = {definition.name: unit.kind for definition, unit in pairs}
    assert kinds["operativ-inriktning"] == "police_area"
    assert {unit.id for _, unit in pairs} == {
        "lpo-norra-vastmanland",
        "sala",
        "surahammar",
        "norberg",
        "fagersta",
        "skinnskatteberg",
    }


def test_every_packaged_definition_is_format_1_and_frozen() -> None:
    bundle = packaged()
    assert all(source.definition.format == 1 for source in bundle.definitions)
    assert bundle.organisation.spec.format == 1
    definition = bundle.definition("est-mote")
    with pytest.raises(ValidationError):
        definition.name = "changed"  # type: ignore[misc]


@pytest.mark.parametrize("index", range(21))
def test_each_effective_definition_round_trips_through_its_stored_form(index: int) -> None:
    definition, unit = packaged().effective()[index]
    text = stored_text(definition)
    back = read_stored_definition(text, f"{definition.name}@{unit.id}")
    assert isinstance(back, CycleDefinition)
    assert back == definition
    assert stored_text(back) == text


def test_without_overrides_the_effective_definition_is_the_template() -> None:
    bundle = packaged()
    for definition, unit in bundle.effective():
        template = bundle.definition(definition.name)
        if definition.name not in unit.overrides:
            assert definition == template
            continue
        # The packaged overrides move meetings only (each steering group's day, EST hours).
        moved = [s for s in definition.steps if s != template.step(s.id)]
        assert moved and all(s.meeting != template.step(s.id).meeting for s in moved)
        assert all(
            s.model_copy(update={"meeting": template.step(s.id).meeting}) == template.step(s.id)
            for s in moved
        )
