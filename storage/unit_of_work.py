"""The store: one database transaction per unit of work, with a repository per aggregate."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar, overload

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from lofte.storage.audit_head_file import HeadFile
from lofte.storage.audit_keys import throwaway_audit_keys
from lofte.storage.drivers import READ_ONLY, Driver, driver_for
from lofte.storage.kept_connections import KEPT, KeptConnections
from lofte.storage.repositories.actions import SqlActions
from lofte.storage.repositories.audit import AuditHead, SqlAuditLog
from lofte.storage.repositories.catalog import (
    SqlCatalogStore,
    SqlSettings,
    SqlStepContexts,
)
from lofte.storage.repositories.cycles import SqlCycles
from lofte.storage.repositories.imports import SqlImports
from lofte.storage.repositories.inbound import SqlInboundMails
from lofte.storage.repositories.meetings import SqlMeetings
from lofte.storage.repositories.outbox import SqlOutbox
from lofte.storage.repositories.people import SqlPersonalRecords
from lofte.storage.repositories.requests import SqlRequests, SqlSensitiveValues
from lofte.storage.repositories.timers import SqlTimers
from lofte.storage.sensitive_keys import SensitiveCipher
from lofte.workflow.core.audit_chain import AuditKeys
from lofte.workflow.core.ports import Writes

log = logging.getLogger("lofte.storage")
__all__ = ["KEPT", "SqlStore", "SqlUnitOfWork"]
NOTHING = Writes()
R = TypeVar("R")


class _Repository(Generic[R]):
    """A repository of a unit of work, made on first use from its connection and driver
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
    driver: Driver
    cipher: SensitiveCipher
    head: AuditHead
    cycles = _Repository(lambda w: SqlCycles(w.connection, w.driver))
    requests = _Repository(lambda w: SqlRequests(w.connection, w.driver))
    sensitive = _Repository(lambda w: SqlSensitiveValues(w.connection, w.driver, w.cipher))
    timers = _Repository(lambda w: SqlTimers(w.connection, w.driver))
    outbox = _Repository(lambda w: SqlOutbox(w.connection, w.driver))
    audit = _Repository(lambda w: SqlAuditLog(w.connection, w.driver, w.head))
    meetings = _Repository(lambda w: SqlMeetings(w.connection, w.driver))
    actions = _Repository(lambda w: SqlActions(w.connection, w.driver))
    contexts = _Repository(lambda w: SqlStepContexts(w.connection, w.driver))
    catalog = _Repository(lambda w: SqlCatalogStore(w.connection, w.driver))
    settings = _Repository(lambda w: SqlSettings(w.connection, w.driver))
    imports = _Repository(lambda w: SqlImports(w.connection, w.driver))
    inbound = _Repository(lambda w: SqlInboundMails(w.connection, w.driver))
    people = _Repository(lambda w: SqlPersonalRecords(w.connection, w.driver))

    def __init__(
        self, connection: Connection, driver: Driver, cipher: SensitiveCipher, head: AuditHead
    ) -> None:
        self.connection = connection
        self.driver = driver
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
    """Opens one transaction per unit of work on SQLite or PostgreSQL (as its driver does).

    Up to `KEPT` threads keep a connection between their units of work
    (`storage.kept_connections`). The threads must be done before `close()`, which closes the
    kept connections and the pool.
    """

    retryable: tuple[type[Exception], ...] = (OperationalError,)

    def __init__(
        self,
        engine: Engine,
        cipher: SensitiveCipher,
        audit_keys: AuditKeys | None = None,
        head_file: HeadFile | None = None,
    ) -> None:
        """`audit_keys`: the chain's keys (a throw-away one if None: tests, benchmarks);
        `head_file`: where the head is written after each commit that appended (none if None)."""
        self.engine = engine
        self.driver = driver_for(engine)  # its database's ways, and the SQL path
        self.cipher = cipher
        self.audit_keys = audit_keys or throwaway_audit_keys()
        self.audit_head = AuditHead(self.audit_keys)
        self.head_file = head_file
        self._writes = Writes()  # what committed units of work of this process wrote
        self._kept = KeptConnections(engine)
        self._writes_lock = threading.Lock()

    @contextmanager
    def unit_of_work(self, *, read_only: bool = False) -> Iterator[SqlUnitOfWork]:
        """A transaction; `read_only` ones take no write lock on SQLite."""
        kept = self._kept.take()
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
        """BEGIN and COMMIT as the driver does them (`storage.drivers`): on the fast path on
        the database's driver (SQLAlchemy's transaction objects cost more than a short
        transaction itself; a statement that goes through SQLAlchemy meanwhile makes it begin
        its own transaction object on the same driver transaction, which then commits or
        rolls back through SQLAlchemy), on the SQLAlchemy path through SQLAlchemy."""
        if connection.get_execution_options().get(READ_ONLY, False) is not read_only:
            connection.execution_options(**{READ_ONLY: read_only})  # in place, for this one
        driver = self.driver
        work = SqlUnitOfWork(connection, driver, self.cipher, self.audit_head)
        began_on = connection.connection.dbapi_connection
        try:
            try:
                driver.begin(connection, read_only)
                yield work
                driver.end(connection, commit=True, began_on=began_on)
            except BaseException as exc:
                self.audit_head.set(None)
                try:
                    driver.end(connection, commit=False)
                except Exception:  # the connection is gone: `exc` is what went wrong
                    log.debug("rollback failed", exc_info=True)
                if isinstance(exc, DBAPIError):
                    self._kept.drop(connection)
                raise
            written = work.audit_written()
            if written is not None:
                self.audit_head.set(written)
                if self.head_file is not None:  # committed: the file may only follow
                    self.head_file.advance(*written, self.audit_keys.current)
        finally:
            if work.audit_entered():  # after the head it wrote is known
                self.audit_head.leave()
        wrote = work.writes()
        if wrote != NOTHING:
            with self._writes_lock:
                self._writes += wrote

    def writes(self) -> Writes:
        """What this process's committed units of work wrote so far (`workflow.core.ports`)."""
        return self._writes

    def close(self) -> None:
        """Write a head the head file still owes (a busy process spaces its writes), then close
        the kept connections and the pool (every thread is done with the store)."""
        if self.head_file is not None:
            self.head_file.flush()
        self._kept.close()
        self.engine.dispose()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for read-only views (status, reports, pages)."""
        with self.engine.connect() as connection:
            yield connection.execution_options(**{READ_ONLY: True})
