"""The audit log (implements `AuditLog`): append-only, each event chained to the previous
one by an HMAC-SHA256 with the audit key over the previous hash and the event's canonical text
(`workflow.core.audit_chain`)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from lofte.kernel.errors import ConcurrentUpdate
from lofte.storage.drivers import Driver, per_driver
from lofte.storage.fast_sql import prepare_module
from lofte.storage.repositories.base import Repository
from lofte.storage.rows import table
from lofte.storage.tables import AuditRow
from lofte.workflow.core.audit_chain import GENESIS, AuditKeys, chained_rows
from lofte.workflow.core.records import AuditEvent

A = table(AuditRow)
_HEAD = select(A.c.seq, A.c.hash).order_by(A.c.seq.desc()).limit(1)
_ADD = insert(A)
CHAIN_LOCK = 7400001
SHARED_AFTER = 2  # collisions after which the head is read under the lock (`AuditHead`)
# Where writers are not serialised already (PostgreSQL), the chain's appenders take a lock held
# until their transaction ends; None where they are (SQLite's BEGIN IMMEDIATE).
_LOCK = per_driver(lambda driver: driver.advisory_lock(CHAIN_LOCK))


def _add_locking(lock: Any) -> Any:
    """The head known: the insert takes the lock itself, one round trip instead of two."""
    if lock is None:
        return None
    return insert(A).from_select(
        [c.name for c in A.c],
        select(*[bindparam(c.name, type_=c.type) for c in A.c]).select_from(
            lock.subquery("chain_lock")
        ),
    )


_ADD_LOCKING = {name: _add_locking(lock) for name, lock in _LOCK.items()}


class AuditHead:
    """The chain's head as this process last wrote it, so an append needs no read. Another
    writer's append makes the cached head stale; the insert then collides on the sequence
    number and the whole unit of work is retried with a fresh head. (On SQLite writers are
    serialised by BEGIN IMMEDIATE; on PostgreSQL by an advisory lock.)"""

    def __init__(self, keys: AuditKeys) -> None:
        self.keys = keys  # the newest signs what is appended
        self._lock = threading.Lock()
        self._head: tuple[int, str] | None = None
        self._appending = 0  # units of work of this process appending now (PostgreSQL)
        # Collisions with another process's appends (PostgreSQL). From SHARED_AFTER on, the
        # head is read under the lock every time: with another engine appending, a cached
        # head is mostly stale and each collision costs a whole unit of work again (two
        # engines side by side: nearly every batch, twice). A head read under the lock that
        # is still the one cached (nobody else appended since) makes it one again: the next
        # collision brings the reading back.
        self.collisions = 0

    def shared(self) -> bool:
        """Whether another process appends often enough to read the head under the lock."""
        return self.collisions >= SHARED_AFTER

    def collided(self) -> None:
        with self._lock:
            self.collisions += 1

    def unchanged(self, cached: tuple[int, str] | None, read: tuple[int, str]) -> None:
        """The head read under the lock; `cached` what this process knew before."""
        if cached is not None and cached == read:
            with self._lock:
                self.collisions = min(self.collisions, SHARED_AFTER - 1)

    def get(self) -> tuple[int, str] | None:
        with self._lock:
            return self._head

    def set(self, head: tuple[int, str] | None) -> None:
        with self._lock:
            self._head = head

    def enter(self) -> bool:
        """Count a unit of work that appends, until it `leave`s; whether it is the only one."""
        with self._lock:
            self._appending += 1
            return self._appending == 1

    def leave(self) -> None:
        with self._lock:
            self._appending -= 1


class SqlAuditLog(Repository):
    def __init__(self, connection: Connection, driver: Driver, head: AuditHead) -> None:
        super().__init__(connection, driver)
        self.head = head
        self.lock = _LOCK[driver.name]
        self.written: tuple[int, str] | None = None  # the head after this unit of work
        self.entered = False  # counted in the head's appenders (the store makes it leave)

    def append(self, events: Sequence[AuditEvent]) -> None:
        if not events:
            return
        key = self.head.keys.current  # no key: refused before anything is written
        head = self.written
        add = _ADD
        if self.lock is not None and self.written is None:
            # Appenders queue at the lock until commit. With a head to go on and no other
            # appender in this process, the insert itself takes the lock (no round trip of
            # its own); the cached head is stale if another process appended since, and then
            # the insert collides and the retry reads the head afresh under the lock. With
            # another appender in this process, the lock comes first and the head is read
            # from the database after it: the cache could lag behind the other's commit,
            # which released the lock before that unit of work cached what it wrote.
            alone = False
            if not self.entered:  # counted once per unit of work (the store makes it leave)
                alone, self.entered = self.head.enter(), True
            cached = self.head.get()
            if alone and not self.head.shared() and (head := cached) is not None:
                add = _ADD_LOCKING[self.driver.name]
            else:
                self.execute(self.lock)
                head = self._read_head()  # under the lock
                self.head.unchanged(cached, head)
        elif head is None:
            head = self.head.get()
        if head is None:
            head = self._read_head()
        batch, written = chained_rows(events, head, key)
        self.write(add, batch, self._collided)
        self.written = written

    def _read_head(self) -> tuple[int, str]:
        row = self.execute(_HEAD).first()
        return (0, GENESIS) if row is None else (int(row.seq), str(row.hash))

    def _collided(self, error: Exception) -> Exception | None:
        """Someone else appended (the insert's seq is taken): the head is read afresh on
        the retry. Raised where the insert ran, which on PostgreSQL may be at COMMIT."""
        if not isinstance(error, IntegrityError):
            return None
        self.head.set(None)
        self.head.collided()
        return ConcurrentUpdate("granskningsloggen")


prepare_module(globals())  # the statements above run on the driver (storage.fast_sql)
