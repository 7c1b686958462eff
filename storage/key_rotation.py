"""Rotating the data key: a new key encrypts, every stored sensitive value is re-encrypted
with it in one transaction, and the old key stays listed until nothing uses it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update

from lofte.storage.audit_keys import rotate_audit_key
from lofte.storage.rows import table
from lofte.storage.sensitive_keys import SensitiveCipher, key_file, load_cipher, new_key, write_keys
from lofte.storage.tables import SensitiveRow
from lofte.workflow.core.records import AuditEvent

S = table(SensitiveRow)
_LIVE = select(S.c.id, S.c.payload).where(S.c.erased_at.is_(None))
_SAVE = (
    update(S)
    .where(S.c.id == bindparam("b_id"))
    .values(payload=bindparam("payload"), key_id=bindparam("key_id"))
)


def rotate_keys(wired: Any, database_url: str) -> tuple[int, str]:
    """With a key file: add a new key first and re-encrypt. With LOFTE_DATA_KEY: re-encrypt
    with the first key listed there (put the new key first, keep the old after it)."""
    path = key_file(database_url)
    current = load_cipher(database_url, create=False)
    cipher = current if path is None else SensitiveCipher((new_key(), *current.keys), str(path))
    store = wired.store
    with store.unit_of_work() as uow:
        rows = uow.connection.execute(_LIVE).all()
        for row_id, payload in rows:
            uow.connection.execute(
                _SAVE, {"b_id": row_id, "payload": cipher.rotate(payload), "key_id": cipher.key_id}
            )
        uow.audit.append(
            [
                AuditEvent(
                    at=wired.clock.now(),
                    event="keys_rotated",
                    actor="administrator",
                    detail={"values": len(rows), "key": cipher.key_id},
                )
            ]
        )
        if path is not None:  # before COMMIT, and with the old keys: whether or not the
            write_keys(path, cipher.keys)  # change commits, every value stays readable
    store.cipher = cipher
    return len(rows), str(path) if path is not None else "LOFTE_DATA_KEY"


def rotate_audit_keys(wired: Any, database_url: str) -> tuple[str, str]:
    """A new audit key first in the key file (the old ones stay: they verify the events they
    signed), and an event signed with it that names both. Returns (new id, where)."""
    store = wired.store
    old = store.audit_keys.current
    keys = rotate_audit_key(database_url)  # on disk before any event uses the new key
    store.audit_keys = store.audit_head.keys = keys
    with store.unit_of_work() as uow:
        uow.audit.append(
            [
                AuditEvent(
                    at=wired.clock.now(),
                    event="audit_key_rotated",
                    actor="administrator",
                    detail={"key": keys.current.key_id, "previous": old.key_id},
                )
            ]
        )
    return keys.current.key_id, keys.source
