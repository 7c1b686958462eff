"""Stored definitions and the organisation, parsed once per process and looked up by version.

A `CatalogView` is what one engine pass sees: the latest version of every (definition, unit)
and the latest organisation. It is reloaded only when the stored generation changes (a
`lofte init` or an upload raises it), so a step costs no definition reads. Whether another
process raised it is looked up at most every `RECHECK` seconds of real (monotonic) time, not of
the engine's clock: it is a cache's freshness, and in virtual time the clock may jump hours
between two steps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.departures import NO_DEPARTURES, Departures
from lofte.definitions.directory import Directory
from lofte.definitions.loader import read_stored_definition, read_stored_organisation
from lofte.definitions.places import NO_DECISIONS, PlaceDecisions
from lofte.kernel.errors import NotFound, NotInitialised
from lofte.workflow.core.ports import UnitOfWork

DEFINITION = "definition"  # a unit's effective definition, canonical JSON
TEMPLATE = "template"  # a definition file as loaded, YAML
ORGANISATION = "organisation"  # the organisation file as loaded, YAML
PLACES = "places"  # a unit's coordinator decisions on places (`definitions.places`), JSON
DEPARTURES = "departures"  # the people who left (`definitions.departures`), JSON
DEPARTURES_NAME = "personer"
GENERATION = "catalog_generation"
DISABLED = "-"  # the hash of a version that switches a definition off for a unit
RECHECK = 10.0  # seconds (monotonic) between looks at the stored generation


class OpensUnitsOfWork(Protocol):
    def unit_of_work(self, *, read_only: bool = False) -> AbstractContextManager[UnitOfWork]: ...


@dataclass(frozen=True)
class CatalogView:
    generation: str
    latest: dict[tuple[str, str], tuple[int, str]]  # (definition, unit) -> (version, hash)
    organisation_hash: str
    directory: Directory
    places: dict[str, str] = field(default_factory=dict)  # unit -> its place decisions' hash
    departures_hash: str = ""  # the stored list of people who left ("": nobody has)
    by_unit: dict[str, list[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_unit: dict[str, list[str]] = {}
        for name, unit_id in sorted(self.latest):
            by_unit.setdefault(unit_id, []).append(name)
        object.__setattr__(self, "by_unit", by_unit)

    def pairs(self) -> list[tuple[str, str]]:
        return sorted(self.latest)

    def names_for(self, unit: str) -> list[str]:
        """The definitions that apply to `unit`."""
        return self.by_unit.get(unit, [])


class Catalog:
    """Thread-safe caches of parsed definitions (by content hash) and the current view."""

    def __init__(
        self,
        database_label: str = "databasen",
        monotonic: Callable[[], float] = time.monotonic,
        definition_class: type[CycleDefinition] = CycleDefinition,
    ) -> None:
        self._definition_class = definition_class  # the step kinds stored definitions may use
        self._definitions: dict[str, CycleDefinition] = {}
        self._directories: dict[str, Directory] = {}
        self._place_decisions: dict[str, PlaceDecisions] = {}
        self._version_hashes: dict[tuple[str, str, int], str] = {}
        self._view: CatalogView | None = None
        self._checked_at: float | None = None
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self.database_label = database_label

    def view(self, uow: UnitOfWork) -> CatalogView:
        """The current view. A setup loaded by another process is noticed within `RECHECK`
        seconds (one small read); this process's own loads at once."""
        checked = self._monotonic()
        fresh = self.fresh(checked)
        if fresh is not None:
            return fresh
        generation = uow.settings.get(GENERATION) or ""
        with self._lock:
            if self._view is not None and self._view.generation == generation:
                self._checked_at = checked
                return self._view
        latest = {
            pair: found
            for pair, found in uow.catalog.latest_versions(DEFINITION).items()
            if found[1] != DISABLED
        }
        organisations = uow.catalog.latest_versions(ORGANISATION)
        if not organisations:
            raise NotInitialised(self.database_label)
        _, org_hash = organisations[(ORGANISATION, "")]
        places = {unit: h for (_, unit), (_, h) in uow.catalog.latest_versions(PLACES).items()}
        departed = uow.catalog.latest_versions(DEPARTURES).get((DEPARTURES_NAME, ""))
        departures_hash = "" if departed is None else departed[1]
        directory = self._directory(uow, org_hash, departures_hash)
        view = CatalogView(generation, latest, org_hash, directory, places, departures_hash)
        with self._lock:
            self._view = view
            self._checked_at = checked
        return view

    def current(self, store: OpensUnitsOfWork) -> CatalogView:
        """The current view: the one looked up just now, with no transaction at all; else
        read in a read-only unit of work of `store`."""
        fresh = self.fresh()
        if fresh is not None:
            return fresh
        with store.unit_of_work(read_only=True) as uow:
            return self.view(uow)

    def fresh(self, checked: float | None = None) -> CatalogView | None:
        """The view, if its generation was looked up less than `RECHECK` seconds ago."""
        checked = self._monotonic() if checked is None else checked
        with self._lock:
            if (
                self._view is not None
                and self._checked_at is not None
                and 0 <= checked - self._checked_at < RECHECK
            ):
                return self._view
        return None

    def forget_view(self) -> None:
        with self._lock:
            self._view = None
            self._checked_at = None

    def definition(self, uow: UnitOfWork, name: str, unit: str, version: int) -> CycleDefinition:
        """The effective definition a cycle runs under."""
        key = (name, unit, version)
        with self._lock:
            content_hash = self._version_hashes.get(key)
        if content_hash is None:
            content_hash = uow.catalog.version_hash(DEFINITION, name, unit, version)
            if content_hash is None:
                raise NotFound("definition", f"{name} för {unit} version {version}")
            with self._lock:
                self._version_hashes[key] = content_hash
        return self.by_hash(uow, content_hash, f"{name} ({unit}) v{version}")

    def cached(self, name: str, unit: str, version: int) -> CycleDefinition | None:
        """The definition if this process has parsed it already (no storage read)."""
        with self._lock:
            content_hash = self._version_hashes.get((name, unit, version))
            return None if content_hash is None else self._definitions.get(content_hash)

    def by_hash(self, uow: UnitOfWork, content_hash: str, label: str) -> CycleDefinition:
        with self._lock:
            found = self._definitions.get(content_hash)
        if found is None:
            text = uow.catalog.document(content_hash)
            if text is None:
                raise NotFound("definitionsdokument", content_hash[:12])
            found = read_stored_definition(text, label, self._definition_class)
            with self._lock:
                self._definitions[content_hash] = found
        return found

    def latest(
        self, uow: UnitOfWork, view: CatalogView, name: str, unit: str
    ) -> tuple[CycleDefinition, int] | None:
        """The latest effective definition of `name` for `unit`, or None if it has none."""
        found = view.latest.get((name, unit))
        if found is None:
            return None
        version, content_hash = found
        with self._lock:
            self._version_hashes[(name, unit, version)] = content_hash
        return self.by_hash(uow, content_hash, f"{name} ({unit}) v{version}"), version

    def place_decisions(self, uow: UnitOfWork, view: CatalogView, unit: str) -> PlaceDecisions:
        """What the unit's coordinator decided about places (nothing yet: NO_DECISIONS)."""
        content_hash = view.places.get(unit)
        if content_hash is None:
            return NO_DECISIONS
        with self._lock:
            found = self._place_decisions.get(content_hash)
        if found is None:
            text = uow.catalog.document(content_hash)
            if text is None:
                raise NotFound("platsbeslut", content_hash[:12])
            found = PlaceDecisions.model_validate_json(text)
            with self._lock:
                self._place_decisions[content_hash] = found
        return found

    def departures(self, uow: UnitOfWork, view: CatalogView) -> Departures:
        """The people who left, as the view's stored list says."""
        if not view.departures_hash:
            return NO_DEPARTURES
        text = uow.catalog.document(view.departures_hash)
        if text is None:
            raise NotFound("personförteckning", view.departures_hash[:12])
        return Departures.model_validate_json(text)

    def remember_directory(self, content_hash: str, directory: Directory) -> None:
        """The organisation this process loaded and stored (`content_hash` is its text's): the
        catalog uses it instead of reading the stored text into a second copy."""
        with self._lock:
            self._directories.setdefault(f"{content_hash}+", directory)

    def _directory(self, uow: UnitOfWork, content_hash: str, departures_hash: str) -> Directory:
        key = f"{content_hash}+{departures_hash}"
        with self._lock:
            found = self._directories.get(key)
        if found is None and departures_hash:
            text = uow.catalog.document(departures_hash)
            if text is None:
                raise NotFound("personförteckning", departures_hash[:12])
            names = Departures.model_validate_json(text).names()
            found = self._directory(uow, content_hash, "").with_departed(names)
            with self._lock:
                self._directories[key] = found
        if found is None:
            text = uow.catalog.document(content_hash)
            if text is None:
                raise NotFound("organisationsdokument", content_hash[:12])
            found = read_stored_organisation(text, "organisation")
            with self._lock:
                self._directories[key] = found
        return found
