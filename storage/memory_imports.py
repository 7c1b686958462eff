"""The in-memory store's imported observations and indicators (implements `Imports`, as
`storage.repositories.imports` does on SQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from lofte.kernel.errors import ConcurrentUpdate
from lofte.storage.memory_tables import Journal, Table, fresh_all, replaced, utc
from lofte.workflow.core.records import ImportedObservation, Indicator


def imported_table() -> Table[ImportedObservation]:
    return Table(lambda o: (o.unit_id, o.key), unit=lambda o: o.unit_id)


def indicator_table() -> Table[Indicator]:
    return Table(
        lambda i: (i.unit_id, i.year, i.name, i.source, i.version), unit=lambda i: i.unit_id
    )


class MemoryImports:
    def __init__(
        self,
        observations: Table[ImportedObservation],
        indicators: Table[Indicator],
        journal: Journal,
    ) -> None:
        self.observations = observations
        self.indicator_rows = indicators
        self.journal = journal

    def add_observations(self, observations: Sequence[ImportedObservation]) -> int:
        added = 0
        for observation in observations:
            if (observation.unit_id, observation.key) not in self.observations.by_unique:
                self.observations.insert(self.journal, replaced(observation, id=None))
                added += 1
        return added

    def known_keys(self, unit_id: str, keys: Sequence[str]) -> set[str]:
        return {k for k in keys if (unit_id, k) in self.observations.by_unique}

    def observations_between(
        self, unit_id: str, start: datetime, end: datetime
    ) -> list[ImportedObservation]:
        low, high = utc(start), utc(end)
        found = [o for o in self.observations.group("unit", unit_id) if low <= o.observed_at < high]
        return fresh_all(sorted(found, key=lambda o: (o.observed_at, o.id or 0)))

    def indicators(self, unit_id: str) -> list[Indicator]:
        found = self.indicator_rows.group("unit", unit_id)
        return sorted(found, key=lambda i: (i.year, i.name, i.source, i.version))

    def add_indicators(self, indicators: Sequence[Indicator]) -> None:
        for indicator in indicators:
            key = (indicator.unit_id, indicator.year, indicator.name, indicator.source)
            if (*key, indicator.version) in self.indicator_rows.by_unique:
                raise ConcurrentUpdate(f"indikatorn {indicator.name} {indicator.year}")
            self.indicator_rows.insert(self.journal, replaced(indicator, id=None))
