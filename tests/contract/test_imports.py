"""The `Imports` port on the memory store, SQLite and PostgreSQL: an imported observation is
added once per (unit, key), comes back in the order of its time with its JSON as written, and
an indicator's versions come back in order with their values as floats; a version stored
twice is a concurrent update, and nothing of a failed unit of work stays."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lofte.kernel.errors import ConcurrentUpdate
from lofte.workflow.core.records import ImportedObservation, Indicator
from tests.contract.conftest import T0, Store


def seen(key: str, hours: int, unit: str = "sala") -> ImportedObservation:
    observation = {"v": 2, "category": "klotter", "place": "Torget", "quantity": 2, "lat": 59.9}
    return ImportedObservation(
        key, unit, T0 + timedelta(hours=hours), observation, "export.csv", T0, "lars-berg"
    )


def figure(year: int, value: float, version: int = 1) -> Indicator:
    return Indicator("sala", year, "Anmälda brott", "Brå", value, "antal", version, T0, "admin")


def test_observations_are_added_once_per_unit_and_key_and_read_by_their_time(
    store: Store,
) -> None:
    with store.unit_of_work() as uow:
        assert uow.imports.add_observations([seen("b", 5), seen("a", 1), seen("a", 1)]) == 2
        assert uow.imports.add_observations([seen("a", 1), seen("a", 1, "fagersta")]) == 1
    with store.unit_of_work(read_only=True) as uow:
        assert uow.imports.known_keys("sala", ["a", "c", "b"]) == {"a", "b"}
        found = uow.imports.observations_between("sala", T0, T0 + timedelta(hours=5))
        assert [o.key for o in found] == ["a"]  # [start, end)
        found = uow.imports.observations_between("sala", T0, T0 + timedelta(days=1))
        assert [o.key for o in found] == ["a", "b"]
        assert found[0].observation == seen("a", 1).observation
        assert found[0].observed_at == T0 + timedelta(hours=1) and found[0].id is not None
        many = [f"k{i}" for i in range(1200)]  # more than one IN list's worth
        assert uow.imports.known_keys("sala", many) == set()


def test_indicator_versions_come_back_in_order_and_a_version_is_stored_once(
    store: Store,
) -> None:
    with store.unit_of_work() as uow:
        uow.imports.add_indicators([figure(2026, 380.0), figure(2025, 412.5)])
        uow.imports.add_indicators([figure(2026, 385.0, 2)])
    with store.unit_of_work(read_only=True) as uow:
        found = uow.imports.indicators("sala")
        assert [(i.year, i.version, i.value) for i in found] == [
            (2025, 1, 412.5),
            (2026, 1, 380.0),
            (2026, 2, 385.0),
        ]
        assert all(isinstance(i.value, float) for i in found)
        assert uow.imports.indicators("fagersta") == []
    with pytest.raises(ConcurrentUpdate), store.unit_of_work() as uow:
        uow.imports.add_observations([seen("z", 2)])
        uow.imports.add_indicators([figure(2026, 390.0, 2)])
    with store.unit_of_work(read_only=True) as uow:
        assert uow.imports.known_keys("sala", ["z"]) == set()  # rolled back with the rest
        assert len(uow.imports.indicators("sala")) == 3
