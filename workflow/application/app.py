"""The application layer's entry: what the CLI and the web pages call. It wraps the engine
(writes) and the read model (views) and applies the visibility rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Directory, Unit
from lofte.kernel.errors import NotFound
from lofte.workflow.application.reads import ReadModel
from lofte.workflow.application.visibility import Viewer, viewer_for
from lofte.workflow.core.catalog import CatalogView
from lofte.workflow.core.engine import Engine
from lofte.workflow.core.records import CycleInstance


@dataclass
class Application:
    engine: Engine
    reads: ReadModel
    configured_secret: str | None = None  # LOFTE_SECRET_KEY, if set

    @property
    def now(self) -> datetime:
        return self.engine.clock.now()

    def view(self) -> CatalogView:
        return self.engine.catalog.current(self.engine.store)

    def directory(self) -> Directory:
        return self.view().directory

    def viewer(self, person_id: str | None) -> Viewer:
        return viewer_for(self.directory(), person_id)

    def definition_of(self, instance: CycleInstance) -> CycleDefinition:
        return self.definition(
            instance.definition_name, instance.unit_id, instance.definition_version
        )

    def definition(self, name: str, unit_id: str, version: int) -> CycleDefinition:
        """A stored version of a unit's effective definition."""
        cached = self.engine.catalog.cached(name, unit_id, version)
        if cached is not None:
            return cached
        with self.engine.store.unit_of_work(read_only=True) as uow:
            return self.engine.catalog.definition(uow, name, unit_id, version)

    def latest_definition(self, name: str, unit_id: str) -> tuple[CycleDefinition, int] | None:
        with self.engine.store.unit_of_work(read_only=True) as uow:
            view = self.engine.catalog.view(uow)
            return self.engine.catalog.latest(uow, view, name, unit_id)

    def unit(self, unit_id: str, directory: Directory | None = None) -> Unit:
        """The unit; a stand-in for a unit that has left the organisation (its cycles stay)."""
        found = (directory or self.directory()).unit(unit_id)
        return found if found is not None else Unit(unit_id, "municipality", unit_id, "")

    def require_unit(self, unit_id: str) -> Unit:
        found = self.directory().unit(unit_id)
        if found is None:
            known = ", ".join(sorted(self.directory().units))
            raise NotFound("enhet", f"{unit_id!r} (finns: {known})")
        return found

    def cycle(self, instance_id: int) -> CycleInstance:
        found = self.reads.cycle(instance_id)
        if found is None:
            raise NotFound("cykel", instance_id)
        return found
