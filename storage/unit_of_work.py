"""The store: one database transaction per unit of work, with a repository per aggregate."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from storage.database import READ_ONLY
from storage.repositories.actions import SqlActions
from storage.repositories.audit import AuditHead, SqlAuditLog
from storage.repositories.catalog import (
    SqlCatalogStore,
    SqlSettings,
    SqlStepContexts,
)
from storage.repositories.cycles import SqlCycles
from storage.repositories.meetings import SqlMeetings
from storage.repositories.outbox import SqlOutbox
from storage.repositories.requests import SqlRequests, SqlSensitiveValues
from storage.repositories.timers import SqlTimers
from storage.sensitive_keys import SensitiveCipher

log = logging.getLogger("lofte.storage")


class SqlUnitOfWork:
    """Everything written through it commits together or not at all."""

    def __init__(self, connection: Connection, cipher: SensitiveCipher, head: AuditHead) -> None:
        dialect = connection.dialect.name
        self.connection = connection
        self.cycles = SqlCycles(connection, dialect)
        self.requests = SqlRequests(connection, dialect)
        self.sensitive = SqlSensitiveValues(connection, dialect, cipher)
        self.timers = SqlTimers(connection, dialect)
        self.outbox = SqlOutbox(connection, dialect)
        self.audit = SqlAuditLog(connection, dialect, head)
        self.meetings = SqlMeetings(connection, dialect)
        self.actions = SqlActions(connection, dialect)
        self.contexts = SqlStepContexts(connection, dialect)
        self.catalog = SqlCatalogStore(connection, dialect)
        self.settings = SqlSettings(connection, dialect)


class SqlStore:
    """Opens one transaction per unit of work on SQLite or PostgreSQL.

    Each thread keeps a connection between its units of work (checking one out of the pool,
    and returning it, cost more than a short transaction itself); a unit of work begun while
    the thread's connection is in use, or after it failed, gets a connection of its own.
    `close()` closes the kept connections and the pool.
    """

    retryable: tuple[type[Exception], ...] = (OperationalError,)

    def __init__(self, engine: Engine, cipher: SensitiveCipher) -> None:
        self.engine = engine
        self.cipher = cipher
        self.audit_head = AuditHead()
        self._local = threading.local()
        self._kept: list[Connection] = []
        self._kept_lock = threading.Lock()

    @contextmanager
    def unit_of_work(self, *, read_only: bool = False) -> Iterator[SqlUnitOfWork]:
        """A transaction; `read_only` ones take no write lock on SQLite."""
        kept = self._kept_connection()
        if kept is None:  # the thread's connection is in an enclosing unit of work
            with self.engine.connect() as own, self._transaction(own, read_only) as work:
                yield work
        else:
            with self._transaction(kept, read_only) as work:
                yield work

    @contextmanager
    def _transaction(self, connection: Connection, read_only: bool) -> Iterator[SqlUnitOfWork]:
        """BEGIN and COMMIT on the driver (SQLAlchemy's transaction objects cost more than a
        short transaction itself). A statement that goes through SQLAlchemy meanwhile makes
        it begin its own transaction object on the same driver transaction (the SQLite
        `begin` hook sees one is open); then it commits or rolls back through SQLAlchemy."""
        connection.execution_options(**{READ_ONLY: read_only})  # in place, for this one
        work = SqlUnitOfWork(connection, self.cipher, self.audit_head)
        driver = connection.connection.driver_connection
        try:
            if connection.dialect.name == "sqlite":  # PostgreSQL begins with the first statement
                self._on_driver(driver, "BEGIN" if read_only else "BEGIN IMMEDIATE")
            yield work
            self._end(connection, driver, commit=True)
        except BaseException as exc:
            self.audit_head.set(None)
            self._end(connection, driver, commit=False)
            if isinstance(exc, DBAPIError):
                self._drop(connection, exc)
            raise
        if work.audit.written is not None:
            self.audit_head.set(work.audit.written)

    def _end(self, connection: Connection, driver: Any, *, commit: bool) -> None:
        if connection.in_transaction():  # SQLAlchemy began one over ours
            (connection.commit if commit else connection.rollback)()
        elif commit:
            self._on_driver(driver, None)
        else:
            try:
                driver.rollback()
            except Exception:  # the connection is gone: there is nothing to roll back
                log.debug("rollback failed", exc_info=True)

    def _on_driver(self, driver: Any, statement: str | None) -> None:
        """Run a transaction statement (None: commit) as SQLAlchemy would: a driver error is
        raised as SQLAlchemy's (OperationalError for a lock held too long, say)."""
        error = self.engine.dialect.loaded_dbapi.Error
        try:
            if statement is None:
                driver.commit()
            else:
                driver.execute(statement)
        except error as exc:
            raise DBAPIError.instance(statement or "COMMIT", None, exc, error) from exc

    def _kept_connection(self) -> Connection | None:
        kept: Connection | None = getattr(self._local, "connection", None)
        if kept is None or kept.closed or kept.invalidated:
            return self._keep()
        return None if kept.in_transaction() else kept

    def _drop(self, connection: Connection, exc: DBAPIError) -> None:
        """A database error may have broken the connection: the thread's next one is new."""
        if getattr(self._local, "connection", None) is not connection:
            return
        self._local.connection = None
        with self._kept_lock:
            self._kept.remove(connection)
        if exc.connection_invalidated:
            connection.invalidate()
        else:
            connection.close()

    def _keep(self) -> Connection:
        connection = self.engine.connect()
        self._local.connection = connection
        with self._kept_lock:
            self._kept.append(connection)
        return connection

    def close(self) -> None:
        """Close every thread's kept connection and the pool (the store is done)."""
        with self._kept_lock:
            kept, self._kept = self._kept, []
        for connection in kept:
            connection.close()
        self._local = threading.local()
        self.engine.dispose()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for read-only views (status, reports, pages)."""
        with self.engine.connect() as connection:
            yield connection.execution_options(**{READ_ONLY: True})
