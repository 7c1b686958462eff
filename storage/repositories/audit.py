"""The audit log (implements `AuditLog`): append-only, each event chained to the previous
one by SHA-256 over the previous hash and the event's canonical text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, text

from storage.repositories.base import Repository
from storage.rows import table
from storage.tables import AuditRow
from workflow.core.audit_chain import GENESIS, chain_hash
from workflow.core.records import AuditEvent
from workflow.kernel.untrusted import canonical_json

A = table(AuditRow)
_HEAD = select(A.c.seq, A.c.hash).order_by(A.c.seq.desc()).limit(1)
_ADD = insert(A)
# Appends are serialised on PostgreSQL (SQLite serialises every writer already), so the chain
# never forks; the lock is released at commit.
_PG_LOCK = text("SELECT pg_advisory_xact_lock(7400001)")


class SqlAuditLog(Repository):
    def append(self, events: Sequence[AuditEvent]) -> None:
        if not events:
            return
        if self.postgres:
            self.execute(_PG_LOCK)
        head = self.execute(_HEAD).first()
        seq, prev = (0, GENESIS) if head is None else (int(head.seq), str(head.hash))
        batch = []
        for event in events:
            seq += 1
            values: dict[str, Any] = {
                "at": event.at,
                "unit_id": event.unit_id,
                "instance_id": event.instance_id,
                "definition_name": event.definition_name,
                "definition_version": event.definition_version,
                "event": event.event,
                "actor": event.actor[:120],
                "from_state": event.from_state,
                "to_state": event.to_state,
                "detail": canonical_json(event.detail),
            }
            digest = chain_hash(prev, seq, values)
            batch.append(values | {"seq": seq, "prev_hash": prev, "hash": digest})
            prev = digest
        self.execute(_ADD, batch)
