"""`records.evolve`, the engine's `dataclasses.replace`: the same copy, for every record."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from lofte.workflow.core import records
from lofte.workflow.core.records import CycleInstance, evolve

NOW = datetime(2027, 1, 4, 8, tzinfo=UTC)


def test_every_record_is_one_evolve_can_copy() -> None:
    kinds = [
        v for v in vars(records).values() if isinstance(v, type) and dataclasses.is_dataclass(v)
    ]
    assert len(kinds) > 10
    for kind in kinds:
        assert dataclasses.fields(kind), kind
        names = tuple(f.name for f in dataclasses.fields(kind))
        assert kind.__slots__ == names, kind  # slotted: evolve copies every field
        assert not hasattr(kind, "__post_init__"), kind  # nothing evolve would skip
        assert all(f.init for f in dataclasses.fields(kind)), kind


def test_evolve_is_replace() -> None:
    cycle = CycleInstance("k", "d", "m0", 1, "2027-W01", "v 1", NOW, NOW, NOW, NOW, "underlag")
    changed = evolve(cycle, state="beslut", version=2)
    assert changed == dataclasses.replace(cycle, state="beslut", version=2)
    assert cycle.state == "underlag" and changed.id is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        changed.state = "x"  # type: ignore[misc]
    with pytest.raises(TypeError, match="no field stat"):
        evolve(cycle, stat="x")
