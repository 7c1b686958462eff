"""The audit log's hash chain: each event's hash covers the previous event's hash and the
event's canonical text, so deleting, altering or inserting an event breaks the chain from that
point on.

Two versions of the chain, recorded on every event (`chain_version`):

1. SHA-256 without a key (events written before Löfte had an audit key). Anyone who can write
   to the database can compute such a hash, so these events prove order, not origin.
2. HMAC-SHA256 with a secret audit key kept outside the database (`storage.audit_keys`); the
   event records the key's id, and its text covers that id and the version. Without the key
   nobody can append or rewrite an event that verifies. A version 1 event after a version 2
   event is refused by the verifier (no downgrade).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lofte.kernel.errors import ConfigError
from lofte.kernel.untrusted import canonical_json
from lofte.workflow.core.records import AuditEvent

GENESIS = "0" * 64
ACTOR_LENGTH = 120  # the stored column's width
PLAIN = 1  # chain version: SHA-256, no key
KEYED = 2  # chain version: HMAC-SHA256 with the audit key named by the event
CHAIN_VERSION = KEYED  # what appenders write


@dataclass(frozen=True)
class AuditKey:
    """A secret for the chain's HMAC and its public id (a digest prefix, safe to store)."""

    secret: bytes = b""

    @property
    def key_id(self) -> str:
        return hashlib.sha256(b"lofte-audit-key\n" + self.secret).hexdigest()[:12]

    def __repr__(self) -> str:  # never the secret in a log or a traceback
        return f"AuditKey({self.key_id})"


@dataclass(frozen=True)
class AuditKeys:
    """The audit keys known to this process, newest first: the first signs new events, every
    one listed verifies the events that name it. `missing` explains an empty list."""

    keys: tuple[AuditKey, ...]
    source: str
    missing: str = ""

    @property
    def current(self) -> AuditKey:
        if not self.keys:
            raise ConfigError(self.missing or f"{self.source}: ingen granskningsnyckel")
        return self.keys[0]

    def find(self, key_id: str) -> AuditKey | None:
        return next((k for k in self.keys if k.key_id == key_id), None)

    @property
    def ids(self) -> list[str]:
        return [k.key_id for k in self.keys]


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


def event_text(seq: int, values: dict[str, Any], key_id: str | None = None) -> str:
    """The canonical text a hash covers: every stored field but the hashes themselves (and,
    from version 2, the chain's version and the key's id)."""
    at = values["at"]
    fields: dict[str, Any] = {
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
    if key_id is not None:
        fields |= {"chain": KEYED, "key": key_id}
    return canonical_json(fields)


def chain_hash(prev_hash: str, seq: int, values: dict[str, Any], key: AuditKey | None) -> str:
    """Version 2 (HMAC with `key`), or version 1 (plain SHA-256) when `key` is None."""
    if key is None:
        return hashlib.sha256(f"{prev_hash}\n{event_text(seq, values)}".encode()).hexdigest()
    text = f"{prev_hash}\n{event_text(seq, values, key.key_id)}"
    return hmac.new(key.secret, text.encode(), hashlib.sha256).hexdigest()


def chained_rows(
    events: Any, head: tuple[int, str], key: AuditKey
) -> tuple[list[dict[str, Any]], tuple[int, str]]:
    """The stored rows of `events` appended after `head`, and the new head."""
    seq, prev = head
    rows = []
    for event in events:
        seq += 1
        values = hashed_values(event)
        digest = chain_hash(prev, seq, values, key)
        rows.append(
            values
            | {
                "seq": seq,
                "prev_hash": prev,
                "hash": digest,
                "chain_version": KEYED,
                "key_id": key.key_id,
            }
        )
        prev = digest
    return rows, (seq, prev)


def head_mac(key: AuditKey, seq: int, digest: str) -> str:
    """The signature of a head kept outside the database (`storage.audit_head_file`)."""
    return hmac.new(key.secret, f"lofte-audit-head\n{seq}:{digest}".encode(), "sha256").hexdigest()


@dataclass(frozen=True)
class OutsideHead:
    """The head as last written outside the database, or why it cannot be used."""

    seq: int
    hash: str
    source: str
    problem: str = ""
    missing: bool = False  # no file where one is configured
