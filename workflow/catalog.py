"""Parsed definitions and organisation, by stored version, parsed once per process."""

from __future__ import annotations

import threading

from definitions.loader import parse_definition, parse_organisation
from definitions.schema import CycleDefinition, Organisation
from workflow.errors import NotFound
from workflow.ports import Transaction
from workflow.records import DefinitionVersion


class Catalog:
    def __init__(self) -> None:
        self._definitions: dict[tuple[str, int], CycleDefinition] = {}
        self._organisations: dict[int, Organisation] = {}
        self._lock = threading.Lock()

    def definition(self, tx: Transaction, name: str, version: int) -> CycleDefinition:
        with self._lock:
            found = self._definitions.get((name, version))
        if found is None:
            found = self._parse(tx.definition(name, version))
        return found

    def latest(self, tx: Transaction, name: str) -> tuple[CycleDefinition, int]:
        stored = tx.latest_definition(name)
        if stored is None:
            raise NotFound("definition", name)
        return self.definition(tx, name, stored.version), stored.version

    def organisation(self, tx: Transaction) -> tuple[Organisation, int]:
        stored = tx.latest_organisation()
        if stored is None:
            raise NotFound("organisation", "(run `lofte init`)")
        with self._lock:
            found = self._organisations.get(stored.version)
        if found is None:
            found = parse_organisation(stored.text, f"organisation v{stored.version}")
            with self._lock:
                self._organisations[stored.version] = found
        return found, stored.version

    def _parse(self, stored: DefinitionVersion) -> CycleDefinition:
        definition = parse_definition(stored.text, f"{stored.name} v{stored.version}")
        with self._lock:
            self._definitions[(stored.name, stored.version)] = definition
        return definition
