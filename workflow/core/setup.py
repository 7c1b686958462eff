"""Loading a setup (definitions and organisation) into storage as new versions.

Each unit's effective definition is stored as a version of its own: changing Heby's EST
inventory to every two weeks makes a new version for Heby only, whose next opening is
rescheduled; running cycles keep the version they opened with.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from definitions.loader import Bundle, sha256, stored_text
from workflow.core.catalog import DEFINITION, DISABLED, GENERATION, ORGANISATION, TEMPLATE
from workflow.core.ports import StoredDocument, StoredVersion, UnitOfWork
from workflow.core.records import AuditEvent

Latest = dict[tuple[str, str], tuple[int, str]]

ORGANISATION_NAME = "organisation"


def store_setup(uow: UnitOfWork, bundle: Bundle, now: datetime, actor: str) -> list[str]:
    """Store what changed; returns one line per change (Swedish, for the administrator)."""
    changes: list[str] = []
    documents: list[StoredDocument] = []
    versions: list[StoredVersion] = []

    def add(kind: str, name: str, unit: str, text: str, fmt: int, latest: Latest) -> bool:
        content_hash = sha256(text) if text != DISABLED else DISABLED
        current = latest.get((name, unit))
        if current is not None and current[1] == content_hash:
            return False
        if text != DISABLED:
            documents.append(StoredDocument(content_hash, kind, fmt, text))
        version = 1 if current is None else current[0] + 1
        versions.append(StoredVersion(kind, name, unit, version, content_hash, now))
        return True

    org = bundle.organisation
    organisations = uow.catalog.latest_versions(ORGANISATION)
    if add(ORGANISATION, ORGANISATION_NAME, "", org.text, org.spec.format, organisations):
        changes.append("organisationen: ny version")
    templates = uow.catalog.latest_versions(TEMPLATE)
    for source in bundle.definitions:
        if add(
            TEMPLATE, source.definition.name, "", source.text, source.definition.format, templates
        ):
            changes.append(f"{source.definition.name}: ny mall")
    effective = uow.catalog.latest_versions(DEFINITION)
    active: set[tuple[str, str]] = set()
    for definition, unit in bundle.effective():
        active.add((definition.name, unit.id))
        text = stored_text(definition)
        if add(DEFINITION, definition.name, unit.id, text, definition.format, effective):
            rescheduled = uow.timers.cancel_openings(definition.name, unit.id)
            version = versions[-1].version
            changes.append(
                f"{definition.name} för {unit.name}: version {version}"
                + (" (nästa öppning räknas om)" if rescheduled else "")
            )
    for (name, unit_id), (_, content_hash) in sorted(effective.items()):
        if (name, unit_id) not in active and content_hash != DISABLED:
            add(DEFINITION, name, unit_id, DISABLED, 0, effective)
            uow.timers.cancel_openings(name, unit_id)
            changes.append(f"{name} för {unit_id}: avstängd")
    uow.catalog.add_documents(documents)
    uow.catalog.add_versions(versions)
    if changes:
        uow.settings.put(GENERATION, secrets.token_hex(8))
        uow.audit.append(
            [AuditEvent(at=now, event="setup_loaded", actor=actor, detail={"changes": changes})]
        )
    return changes


def has_setup(uow: UnitOfWork) -> bool:
    return bool(uow.catalog.latest_versions(ORGANISATION))
