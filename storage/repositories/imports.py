"""Observations and indicators brought in from other tools (implements `Imports`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select

from lofte.kernel.errors import ConcurrentUpdate
from lofte.storage import rows
from lofte.storage.drivers import per_driver
from lofte.storage.fast_sql import prepare_module
from lofte.storage.repositories.base import Repository, insert_ignore
from lofte.workflow.core.records import ImportedObservation, Indicator

OBS = rows.IMPORTED_OBSERVATIONS
IND = rows.INDICATORS
CHUNK = 500  # keys per IN list and rows per INSERT (SQLite's limit on bound values)
_ADD = per_driver(lambda driver: insert_ignore(OBS, driver, ["unit_id", "key"]).returning(OBS.c.id))
_KNOWN = select(OBS.c.key).where(
    OBS.c.unit_id == bindparam("unit"), OBS.c.key.in_(bindparam("keys", expanding=True))
)
_BETWEEN = (
    select(OBS)
    .where(
        OBS.c.unit_id == bindparam("unit"),
        OBS.c.observed_at >= bindparam("start"),
        OBS.c.observed_at < bindparam("end"),
    )
    .order_by(OBS.c.observed_at, OBS.c.id)
)
_INDICATORS = (
    select(IND)
    .where(IND.c.unit_id == bindparam("unit"))
    .order_by(IND.c.year, IND.c.name, IND.c.source, IND.c.version)
)
_ADD_INDICATOR = per_driver(
    lambda driver: insert_ignore(
        IND, driver, ["unit_id", "year", "name", "source", "version"]
    ).returning(IND.c.id)
)


class SqlImports(Repository):
    def add_observations(self, observations: Sequence[ImportedObservation]) -> int:
        added = 0
        statement = _ADD[self.driver.name]
        for first in range(0, len(observations), CHUNK):
            chunk = [rows.imported_values(o) for o in observations[first : first + CHUNK]]
            added += len(self.execute(statement, chunk).all())
        return added

    def known_keys(self, unit_id: str, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for first in range(0, len(keys), CHUNK):
            chunk = list(keys[first : first + CHUNK])
            found.update(k for (k,) in self.execute(_KNOWN, {"unit": unit_id, "keys": chunk}))
        return found

    def observations_between(
        self, unit_id: str, start: datetime, end: datetime
    ) -> list[ImportedObservation]:
        found = self.execute(_BETWEEN, {"unit": unit_id, "start": start, "end": end})
        return [rows.imported(row) for row in found.mappings()]

    def indicators(self, unit_id: str) -> list[Indicator]:
        found = self.execute(_INDICATORS, {"unit": unit_id}).mappings()
        return [rows.indicator(row) for row in found]

    def add_indicators(self, indicators: Sequence[Indicator]) -> None:
        if not indicators:
            return
        values = [rows.indicator_values(i) for i in indicators]
        if len(self.execute(_ADD_INDICATOR[self.driver.name], values).all()) < len(values):
            raise ConcurrentUpdate("indikatorerna")  # another import stored a version first


prepare_module(globals())  # the statements above run on the driver (storage.fast_sql)
