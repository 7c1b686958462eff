"""Loading a setup (definitions and organisation) into storage as new versions.

Each unit's effective definition is stored as a version of its own: changing Surahammar's EST
inventory to every two weeks makes a new version for Surahammar only, whose next opening is
rescheduled; running cycles keep the version they opened with. A new version takes effect from
the first period that has not opened yet (`workflow.core.opening_rule`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from lofte.definitions.loader import Bundle, read_stored_organisation, sha256, stored_text
from lofte.workflow.core.catalog import DEFINITION, DISABLED, GENERATION, ORGANISATION, TEMPLATE
from lofte.workflow.core.ports import StoredDocument, StoredVersion, UnitOfWork
from lofte.workflow.core.records import AuditEvent

Latest = dict[tuple[str, str], tuple[int, str]]

ORGANISATION_NAME = "organisation"


@dataclass
class StoredSetup:
    """What a load stored: one line per change (Swedish, for the administrator), and for each
    (definition, unit) with a new version in force, the moment it takes effect from: the
    change, or the pending opening it cancelled if that was due earlier (the engine was
    behind), so that period opens under the new version instead of being lost."""

    changes: list[str] = field(default_factory=list)
    takes_effect: dict[tuple[str, str], datetime] = field(default_factory=dict)


@dataclass
class _NewVersions:
    """The documents and versions a load writes, gathered before they are written at once."""

    now: datetime
    stored: StoredSetup = field(default_factory=StoredSetup)
    documents: list[StoredDocument] = field(default_factory=list)
    versions: list[StoredVersion] = field(default_factory=list)
    hashes: set[str] = field(default_factory=set)  # of `documents`

    def add(self, kind: str, name: str, unit: str, text: str, fmt: int, latest: Latest) -> bool:
        """A new version of (name, unit) unless its content is the latest one's."""
        content_hash = sha256(text) if text != DISABLED else DISABLED
        current = latest.get((name, unit))
        if current is not None and current[1] == content_hash:
            return False
        if text != DISABLED and content_hash not in self.hashes:  # units that share a text
            self.hashes.add(content_hash)
            self.documents.append(StoredDocument(content_hash, kind, fmt, text))
        version = 1 if current is None else current[0] + 1
        self.versions.append(StoredVersion(kind, name, unit, version, content_hash, self.now))
        return True


def store_setup(uow: UnitOfWork, bundle: Bundle, now: datetime, actor: str) -> StoredSetup:
    """Store what changed, and cancel the pending openings of what changed."""
    new = _NewVersions(now)
    _store_templates(uow, bundle, new)
    _store_definitions(uow, bundle, new)
    uow.catalog.add_documents(new.documents)
    uow.catalog.add_versions(new.versions)
    changes = new.stored.changes
    if changes:
        uow.settings.put(GENERATION, secrets.token_hex(8))
        uow.audit.append(
            [AuditEvent(at=now, event="setup_loaded", actor=actor, detail={"changes": changes})]
        )
    return new.stored


def _store_templates(uow: UnitOfWork, bundle: Bundle, new: _NewVersions) -> None:
    """The organisation and the templates as loaded; a template left out is marked as gone."""
    changes = new.stored.changes
    org = bundle.organisation
    organisations = uow.catalog.latest_versions(ORGANISATION)
    if new.add(ORGANISATION, ORGANISATION_NAME, "", org.text, org.spec.format, organisations):
        changes.append("organisationen: ny version")
    templates = uow.catalog.latest_versions(TEMPLATE)
    for source in bundle.definitions:
        definition = source.definition
        if new.add(TEMPLATE, definition.name, "", source.text, definition.format, templates):
            changes.append(f"{definition.name}: ny mall")
    names = {source.definition.name for source in bundle.definitions}
    for name, _ in sorted(templates):
        if name not in names and new.add(TEMPLATE, name, "", DISABLED, 0, templates):
            changes.append(f"{name}: mallen ingår inte längre i uppsättningen")


def _store_definitions(uow: UnitOfWork, bundle: Bundle, new: _NewVersions) -> None:
    """Each unit's effective definition where it changed (its pending opening is cancelled so
    the engine reschedules it), and those no unit has any more switched off."""
    stored, changes = new.stored, new.stored.changes
    effective = uow.catalog.latest_versions(DEFINITION)
    active: set[tuple[str, str]] = set()
    texts: dict[int, str] = {}  # by the definition object: units without overrides share one
    for definition, unit in bundle.effective():
        active.add((definition.name, unit.id))
        text = texts.get(id(definition))
        if text is None:
            text = texts[id(definition)] = stored_text(definition)
        if new.add(DEFINITION, definition.name, unit.id, text, definition.format, effective):
            due = uow.timers.cancel_openings(definition.name, unit.id)
            stored.takes_effect[(definition.name, unit.id)] = (
                new.now if due is None else min(new.now, due)
            )
            version = new.versions[-1].version
            changes.append(
                f"{definition.name} för {unit.name}: version {version}"
                + (" (nästa öppning räknas om)" if due is not None else "")
            )
    for (name, unit_id), (_, content_hash) in sorted(effective.items()):
        if (name, unit_id) not in active and content_hash != DISABLED:
            new.add(DEFINITION, name, unit_id, DISABLED, 0, effective)
            uow.timers.cancel_openings(name, unit_id)
            changes.append(f"{name} för {unit_id}: avstängd")


def has_setup(uow: UnitOfWork) -> bool:
    return bool(uow.catalog.latest_versions(ORGANISATION))


def current_setup(uow: UnitOfWork) -> tuple[str, dict[str, str]]:
    """The setup in force as it was loaded: the organisation's text and each definition
    template's text by name. A template is left out when it was taken out of the setup: marked
    so (since this mark exists) or, in a setup loaded before, when every unit's version of it
    is switched off and the organisation does not mention it either."""
    organisation = uow.catalog.latest_versions(ORGANISATION).get((ORGANISATION_NAME, ""))
    if organisation is None:
        return "", {}
    org_text = uow.catalog.document(organisation[1]) or ""
    effective = uow.catalog.latest_versions(DEFINITION)
    enabled = {name for (name, _), (_, found) in effective.items() if found != DISABLED}
    ever = {name for name, _ in effective}
    latest = uow.catalog.latest_versions(TEMPLATE)
    if any(name in ever and name not in enabled for name, _ in latest):
        directory = read_stored_organisation(org_text, ORGANISATION_NAME)
        enabled |= {name for unit in directory.units.values() for name in unit.overrides}
    templates: dict[str, str] = {}
    for (name, _), (_, content_hash) in sorted(latest.items()):
        if content_hash == DISABLED or (name in ever and name not in enabled):
            continue  # taken out of the setup (by a load before the mark existed)
        text = uow.catalog.document(content_hash)
        if text is not None:
            templates[name] = text
    return org_text, templates
