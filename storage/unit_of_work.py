"""The store: one database transaction per unit of work, with a repository per aggregate."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar, overload

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from lofte.storage.database import READ_ONLY
from lofte.storage.driver_errors import driver_error
from lofte.storage.repositories.actions import SqlActions
from lofte.storage.repositories.audit import AuditHead, SqlAuditLog
from lofte.storage.repositories.catalog import (
    SqlCatalogStore,
    SqlSettings,
    SqlStepContexts,
)
from lofte.storage.repositories.cycles import SqlCycles
from lofte.storage.repositories.meetings import SqlMeetings
from lofte.storage.repositories.outbox import SqlOutbox
from lofte.storage.repositories.requests import SqlRequests, SqlSensitiveValues
from lofte.storage.repositories.timers import SqlTimers
from lofte.storage.sensitive_keys import SensitiveCipher
from lofte.workflow.core.ports import Writes

log = logging.getLogger("lofte.storage")
NOTHING = Writes()
R = TypeVar("R")
KEPT = 4  # threads that keep a connection (the pool holds 5, and 10 more for a while)
KEPT_IDLE_S = 30.0  # a kept connection unused this long goes back to the pool's pre-ping


class _Kept:
    """A thread's kept connection; `busy` while a unit of work uses it."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.busy = False
        self.used = time.monotonic()

    def fresh(self) -> bool:
        connection = self.connection
        return (
            not connection.closed
            and not connection.invalidated
            and time.monotonic() - self.used < KEPT_IDLE_S
        )


class _Repository(Generic[R]):
    """A repository of a unit of work, made on first use from its connection and dialect
    (most units of work use two or three of them) and kept in the instance from then on."""

    def __init__(self, make: Callable[[SqlUnitOfWork], R]) -> None:
        self.make = make

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, work: None, owner: type) -> _Repository[R]: ...

    @overload
    def __get__(self, work: SqlUnitOfWork, owner: type) -> R: ...

    def __get__(self, work: SqlUnitOfWork | None, owner: type) -> R | _Repository[R]:
        if work is None:
            return self
        made = work.__dict__[self.name] = self.make(work)
        return made


class SqlUnitOfWork:
    """Everything written through it commits together or not at all."""

    connection: Connection
    dialect: str
    cipher: SensitiveCipher
    head: AuditHead
    cycles = _Repository(lambda w: SqlCycles(w.connection, w.dialect))
    requests = _Repository(lambda w: SqlRequests(w.connection, w.dialect))
    sensitive = _Repository(lambda w: SqlSensitiveValues(w.connection, w.dialect, w.cipher))
    timers = _Repository(lambda w: SqlTimers(w.connection, w.dialect))
    outbox = _Repository(lambda w: SqlOutbox(w.connection, w.dialect))
    audit = _Repository(lambda w: SqlAuditLog(w.connection, w.dialect, w.head))
    meetings = _Repository(lambda w: SqlMeetings(w.connection, w.dialect))
    actions = _Repository(lambda w: SqlActions(w.connection, w.dialect))
    contexts = _Repository(lambda w: SqlStepContexts(w.connection, w.dialect))
    catalog = _Repository(lambda w: SqlCatalogStore(w.connection, w.dialect))
    settings = _Repository(lambda w: SqlSettings(w.connection, w.dialect))

    def __init__(self, connection: Connection, cipher: SensitiveCipher, head: AuditHead) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        self.cipher = cipher
        self.head = head

    def writes(self) -> Writes:
        """What this unit of work wrote, as `Store.writes` counts it."""
        made = self.__dict__
        outbox, timers, requests = made.get("outbox"), made.get("timers"), made.get("requests")
        return Writes(
            0 if outbox is None else outbox.added,
            0 if timers is None else timers.writes,
            0 if requests is None else requests.added,
        )

    def audit_written(self) -> tuple[int, str] | None:
        """The audit head this unit of work wrote, if it wrote any (None: it wrote none)."""
        audit = self.__dict__.get("audit")
        return None if audit is None else audit.written

    def audit_entered(self) -> bool:
        """Whether this unit of work is counted among the audit head's appenders."""
        audit = self.__dict__.get("audit")
        return audit is not None and audit.entered


class SqlStore:
    """Opens one transaction per unit of work on SQLite or PostgreSQL.

    Up to `KEPT` threads keep a connection between their units of work (checking one out of
    the pool and returning it cost more than a short transaction itself): the engine's and the
    delivery job's, say; other threads, and a unit of work nested in another, check one out
    each time. A kept connection unused for `KEPT_IDLE_S` goes back to the pool, whose
    pre-ping then checks it; one that failed is dropped. The threads must be done before
    `close()`, which closes the kept connections and the pool.
    """

    retryable: tuple[type[Exception], ...] = (OperationalError,)

    def __init__(self, engine: Engine, cipher: SensitiveCipher) -> None:
        self.engine = engine
        self.cipher = cipher
        self.audit_head = AuditHead()
        self._writes = Writes()  # what committed units of work of this process wrote
        self._kept: dict[threading.Thread, _Kept] = {}
        self._kept_lock = threading.Lock()

    @contextmanager
    def unit_of_work(self, *, read_only: bool = False) -> Iterator[SqlUnitOfWork]:
        """A transaction; `read_only` ones take no write lock on SQLite."""
        kept = self._kept_connection()
        if kept is None:  # none to keep, or the thread's is in an enclosing unit of work
            with self.engine.connect() as own, self._transaction(own, read_only) as work:
                yield work
            return
        kept.busy = True
        try:
            with self._transaction(kept.connection, read_only) as work:
                yield work
        finally:
            kept.busy = False
            kept.used = time.monotonic()

    @contextmanager
    def _transaction(self, connection: Connection, read_only: bool) -> Iterator[SqlUnitOfWork]:
        """BEGIN and COMMIT on the driver (SQLAlchemy's transaction objects cost more than a
        short transaction itself). A statement that goes through SQLAlchemy meanwhile makes
        it begin its own transaction object on the same driver transaction (the SQLite
        `begin` hook sees one is open); then it commits or rolls back through SQLAlchemy."""
        if connection.get_execution_options().get(READ_ONLY, False) is not read_only:
            connection.execution_options(**{READ_ONLY: read_only})  # in place, for this one
        work = SqlUnitOfWork(connection, self.cipher, self.audit_head)
        began_on = connection.connection.dbapi_connection
        try:
            try:
                if connection.dialect.name == "sqlite":  # PostgreSQL begins with a statement
                    self._on_driver(connection, "BEGIN" if read_only else "BEGIN IMMEDIATE")
                yield work
                self._end(connection, commit=True, began_on=began_on)
            except BaseException as exc:
                self.audit_head.set(None)
                try:
                    self._end(connection, commit=False)
                except Exception:  # the connection is gone: `exc` is what went wrong
                    log.debug("rollback failed", exc_info=True)
                if isinstance(exc, DBAPIError):
                    self._drop(connection)
                raise
            written = work.audit_written()
            if written is not None:
                self.audit_head.set(written)
        finally:
            if work.audit_entered():  # after the head it wrote is known
                self.audit_head.leave()
        wrote = work.writes()
        if wrote != NOTHING:
            with self._kept_lock:
                self._writes += wrote

    def writes(self) -> Writes:
        """What this process's committed units of work wrote so far (`workflow.core.ports`)."""
        return self._writes

    def _end(self, connection: Connection, *, commit: bool, began_on: Any = None) -> None:
        lost = connection.invalidated or connection.closed  # the database rolled it back
        if commit and not lost and began_on is not None:
            # a statement's lost connection was caught, and the work went on on another
            lost = connection.connection.dbapi_connection is not began_on
        if lost:
            if commit:
                raise OperationalError(
                    "COMMIT", None, ConnectionError("the connection was lost before COMMIT")
                )
            return
        if connection.dialect.name == "postgresql" and self._postgres_end(connection, commit):
            return
        if connection.in_transaction():  # SQLAlchemy began one over ours
            (connection.commit if commit else connection.rollback)()
        elif commit:
            self._on_driver(connection, None)
        else:
            try:
                connection.connection.driver_connection.rollback()  # type: ignore[union-attr]
            except Exception:  # the connection is gone: there is nothing to roll back
                log.debug("rollback failed", exc_info=True)

    def _postgres_end(self, connection: Connection, commit: bool) -> bool:
        """PostgreSQL's deferred writes (`storage.postgres_direct`): sent before SQLAlchemy
        commits, or dropped. True if the connection was found closed (a pipeline broke off):
        it is invalidated, and a COMMIT raises the retryable OperationalError."""
        from lofte.storage import postgres_direct

        pooled = connection.connection
        if not commit:
            postgres_direct.discard(pooled.info)
        if pooled.driver_connection.closed:  # type: ignore[union-attr]
            connection.invalidate()
            if commit:
                raise OperationalError(
                    "COMMIT", None, ConnectionError("the connection was lost before COMMIT")
                )
            return True
        if commit and connection.in_transaction():
            try:
                postgres_direct.flush(pooled)
            except self.engine.dialect.loaded_dbapi.Error as exc:
                raise driver_error(connection, exc, "COMMIT", None) from exc
        return False

    def _on_driver(self, connection: Connection, statement: str | None) -> None:
        """Run a transaction statement (None: commit, on PostgreSQL with the deferred writes)
        on the driver; errors as SQLAlchemy raises them (OperationalError for a lock held
        too long, say)."""
        driver: Any = connection.connection.driver_connection
        try:
            if statement is None and connection.dialect.name == "postgresql":
                from lofte.storage import postgres_direct

                postgres_direct.commit(connection.connection)
            elif statement is None:
                driver.commit()
            else:
                driver.execute(statement)
        except self.engine.dialect.loaded_dbapi.Error as exc:
            raise driver_error(connection, exc, statement or "COMMIT", None) from exc

    def _kept_connection(self) -> _Kept | None:
        thread = threading.current_thread()
        kept = self._kept.get(thread)
        if kept is not None:
            if kept.busy:
                return None
            if not kept.fresh():
                self._release(thread)
                kept = None
        if kept is None:
            with self._kept_lock:
                for gone in [t for t in self._kept if not t.is_alive()]:
                    self._kept.pop(gone).connection.close()
                if len(self._kept) >= KEPT:
                    return None
                kept = self._kept[thread] = _Kept(self.engine.connect())
        return kept

    def _drop(self, connection: Connection) -> None:
        """A database error may have broken the connection: the thread's next one is new."""
        thread = threading.current_thread()
        kept = self._kept.get(thread)
        if kept is not None and kept.connection is connection:
            self._release(thread)

    def _release(self, thread: threading.Thread) -> None:
        with self._kept_lock:
            kept = self._kept.pop(thread, None)
        if kept is not None:
            try:
                kept.connection.close()  # back to the pool (an invalidated one is discarded)
            except Exception:
                log.debug("closing a kept connection failed", exc_info=True)

    def close(self) -> None:
        """Close the kept connections and the pool (every thread is done with the store)."""
        with self._kept_lock:
            kept, self._kept = self._kept, {}
        for entry in kept.values():
            entry.connection.close()
        self.engine.dispose()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for read-only views (status, reports, pages)."""
        with self.engine.connect() as connection:
            yield connection.execution_options(**{READ_ONLY: True})
