"""The in-memory store's audit log, meetings, actions, step contexts, stored definitions and
settings (implement the rest of `workflow.core.ports`, as `storage.repositories` does on SQL)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from lofte.kernel.errors import NotFound
from lofte.storage.memory_tables import (
    Journal,
    Table,
    copied,
    fresh,
    fresh_all,
    replaced,
    stored_json,
    utc,
)
from lofte.workflow.core.audit_chain import GENESIS, AuditKeys, chained_rows
from lofte.workflow.core.ports import StoredDocument, StoredVersion
from lofte.workflow.core.records import (
    CLOSED_ACTION,
    Action,
    ActionEvent,
    ActionStatus,
    AuditEvent,
    Meeting,
)


class MemoryAuditLog:
    """The hash chain as the SQL store writes it (`storage.repositories.audit`): the same
    values hashed, so `lofte audit`'s check reads either alike. Units of work run one at a
    time, so the head is always the last event."""

    def __init__(self, events: dict[int, AuditEvent], keys: AuditKeys, journal: Journal) -> None:
        self.events = events
        self.keys = keys
        self.journal = journal

    def append(self, events: Sequence[AuditEvent]) -> None:
        seq = len(self.events)
        head = (seq, self.events[seq].hash if seq else GENESIS)
        rows, _ = chained_rows(events, head, self.keys.current)
        for event, row in zip(events, rows, strict=True):
            stored = replaced(
                event,
                at=utc(event.at),
                actor=row["actor"],
                detail=json.loads(row["detail"]),
                seq=row["seq"],
                prev_hash=row["prev_hash"],
                hash=row["hash"],
                chain_version=row["chain_version"],
                key_id=row["key_id"],
            )
            self.journal.put(self.events, row["seq"], stored)


def audit_copy(event: AuditEvent) -> AuditEvent:
    return replaced(event, detail=copied(event.detail))


class MemoryMeetings:
    def __init__(self, table: Table[Meeting], journal: Journal) -> None:
        self.table = table
        self.journal = journal

    def add_many(self, meetings: Sequence[Meeting]) -> None:
        for meeting in meetings:
            if (meeting.instance_id, meeting.step_id) in self.table.by_unique:
                raise ValueError(f"mötet för {meeting.step_id} finns redan")
            self.table.insert(self.journal, meeting)

    def get(self, instance_id: int, step_id: str, *, lock: bool = False) -> Meeting | None:
        found = self.table.find((instance_id, step_id))
        return None if found is None else fresh(found)

    def save(self, meeting: Meeting) -> None:
        stored = self.table.get(meeting.id)
        if stored is not None:
            changed = replaced(
                stored,
                starts_at=meeting.starts_at,
                ends_at=meeting.ends_at,
                location=meeting.location,
                sequence=meeting.sequence,
                cancelled=meeting.cancelled,
            )
            self.table.replace(self.journal, changed)


class MemoryActions:
    def __init__(self, table: Table[Action], events: Table[ActionEvent], journal: Journal) -> None:
        self.table = table
        self.action_events = events
        self.journal = journal

    def add_many(self, actions: Sequence[Action]) -> list[Action]:
        added = []
        for action in actions:
            if action.key not in self.table.by_unique:
                stored = self.table.insert(self.journal, replaced(action, id=None))
                added.append(replaced(action, id=stored.id))
        return added

    def open_in(self, units: Sequence[str], kinds: Iterable[str]) -> list[Action]:
        wanted = set(kinds)
        found = [
            a
            for unit in set(units)
            for a in self.table.group("unit", unit)
            if a.kind in wanted and a.status not in CLOSED_ACTION
        ]
        return fresh_all(sorted(found, key=lambda a: (a.created_at, a.id or 0)))

    def get(self, action_id: int, *, lock: bool = False) -> Action:
        found = self.table.get(action_id)
        if found is None:
            raise NotFound("åtgärd", action_id)
        return fresh(found)

    def follow_up(
        self,
        action_id: int,
        status: ActionStatus,
        note: str,
        effect: str,
        at: datetime,
        closes: bool,
    ) -> Action:
        found = self.table.get(action_id)
        if found is None:
            raise NotFound("åtgärd", action_id)
        changed = replaced(
            found,
            status=ActionStatus(status),
            note=note or found.note,
            effect=effect or found.effect,
            updated_at=at,
            closed_at=at if closes else found.closed_at,
            version=found.version + 1,
        )
        self.table.replace(self.journal, changed)
        return fresh(self.table.rows[action_id])

    def add_event(self, event: ActionEvent) -> None:
        self.action_events.insert(self.journal, replaced(event, id=None))


class MemoryStepContexts:
    def __init__(self, contexts: dict[tuple[int, str], Any], journal: Journal) -> None:
        self.contexts = contexts
        self.journal = journal

    def put(self, instance_id: int, step_id: str, context: dict[str, Any]) -> None:
        self.journal.put(self.contexts, (instance_id, step_id), stored_json(context))

    def get(self, instance_id: int, step_id: str) -> dict[str, Any] | None:
        found = self.contexts.get((instance_id, step_id))
        return None if found is None else dict(copied(found))


VersionKey = tuple[str, str, str, int]  # kind, name, unit, version


class MemoryCatalogStore:
    def __init__(
        self,
        documents: dict[str, StoredDocument],
        versions: dict[VersionKey, StoredVersion],
        journal: Journal,
    ) -> None:
        self.documents = documents
        self.versions = versions
        self.journal = journal

    def latest_versions(self, kind: str) -> dict[tuple[str, str], tuple[int, str]]:
        found: dict[tuple[str, str], tuple[int, str]] = {}
        for (of_kind, name, unit, version), stored in self.versions.items():
            if of_kind == kind and version > found.get((name, unit), (0, ""))[0]:
                found[(name, unit)] = (version, stored.content_hash)
        return found

    def version_hash(self, kind: str, name: str, unit: str, version: int) -> str | None:
        found = self.versions.get((kind, name, unit, version))
        return None if found is None else found.content_hash

    def document(self, content_hash: str) -> str | None:
        found = self.documents.get(content_hash)
        return None if found is None else found.text

    def add_documents(self, documents: Sequence[StoredDocument]) -> None:
        for document in documents:
            if document.content_hash not in self.documents:
                self.journal.put(self.documents, document.content_hash, document)

    def add_versions(self, versions: Sequence[StoredVersion]) -> None:
        for v in versions:
            key = (v.kind, v.name, v.unit, v.version)
            if key in self.versions:
                raise ValueError(f"version {v.version} av {v.name} finns redan")
            registered = dataclasses.replace(v, registered_at=utc(v.registered_at))
            self.journal.put(self.versions, key, registered)


class MemorySettings:
    def __init__(self, values: dict[str, str], journal: Journal) -> None:
        self.values = values
        self.journal = journal

    def get(self, key: str, *, lock: bool = False) -> str | None:
        return self.values.get(key)

    def get_or_add(self, key: str, default: str) -> str:
        if key not in self.values:
            self.journal.put(self.values, key, default)
        return self.values[key]

    def put(self, key: str, value: str) -> None:
        self.journal.put(self.values, key, value)
