"""The audit log's hash chain: each event's hash is SHA-256 over the previous event's hash
and the event's canonical text, so deleting, altering or inserting an event breaks the chain
from that point on."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from lofte.kernel.untrusted import canonical_json
from lofte.workflow.core.records import AuditEvent

GENESIS = "0" * 64
ACTOR_LENGTH = 120  # the stored column's width


def hashed_values(event: AuditEvent) -> dict[str, Any]:
    """The stored fields of `event` that its hash covers, as they are stored (the appender
    writes these, the verifier recomputes from them)."""
    return {
        "at": event.at,
        "unit_id": event.unit_id,
        "instance_id": event.instance_id,
        "definition_name": event.definition_name,
        "definition_version": event.definition_version,
        "event": event.event,
        "actor": event.actor[:ACTOR_LENGTH],
        "from_state": event.from_state,
        "to_state": event.to_state,
        "detail": canonical_json(event.detail),
    }


def event_text(seq: int, values: dict[str, Any]) -> str:
    """The canonical text a hash covers: every stored field but the hashes themselves."""
    at = values["at"]
    return canonical_json(
        {
            "seq": seq,
            "at": at.isoformat() if isinstance(at, datetime) else str(at),
            "unit": values["unit_id"],
            "instance": values["instance_id"],
            "definition": values["definition_name"],
            "version": values["definition_version"],
            "event": values["event"],
            "actor": values["actor"],
            "from": values["from_state"],
            "to": values["to_state"],
            "detail": values["detail"],
        }
    )


def chain_hash(prev_hash: str, seq: int, values: dict[str, Any]) -> str:
    return hashlib.sha256(f"{prev_hash}\n{event_text(seq, values)}".encode()).hexdigest()
