"""The store: one database transaction per unit of work, with a repository per aggregate."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

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
    """Opens one transaction per unit of work on SQLite or PostgreSQL."""

    retryable: tuple[type[Exception], ...] = (OperationalError,)

    def __init__(self, engine: Engine, cipher: SensitiveCipher) -> None:
        self.engine = engine
        self.cipher = cipher
        self.audit_head = AuditHead()

    @contextmanager
    def unit_of_work(self, *, read_only: bool = False) -> Iterator[SqlUnitOfWork]:
        """A transaction; `read_only` ones take no write lock on SQLite."""
        with self.engine.connect() as connection:
            if read_only:
                connection = connection.execution_options(**{READ_ONLY: True})
            work = SqlUnitOfWork(connection, self.cipher, self.audit_head)
            try:
                with connection.begin():
                    yield work
            except BaseException:
                self.audit_head.set(None)
                raise
            if work.audit.written is not None:
                self.audit_head.set(work.audit.written)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for read-only views (status, reports, pages)."""
        with self.engine.connect() as connection:
            yield connection.execution_options(**{READ_ONLY: True})
