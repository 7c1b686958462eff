"""SQLite: one writer at a time, taken at BEGIN IMMEDIATE; a WAL (or, for a database thrown away
afterwards, a rollback journal in memory); timestamps stored as SQLAlchemy's DateTime text."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import JSON, Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, Dialect

from lofte.kernel.errors import ConfigError
from lofte.storage import json_text
from lofte.storage.driver_errors import driver_error
from lofte.storage.driver_values import sqlite_utc_in, sqlite_utc_out
from lofte.storage.drivers.base import READ_ONLY, Driver, Processor
from lofte.storage.types import UtcDateTime

SYNCHRONOUS = ("OFF", "NORMAL", "FULL")


def sqlite_synchronous(durable: bool = True) -> str:
    if not durable:
        return "OFF"
    chosen = os.environ.get("LOFTE_SQLITE_SYNCHRONOUS", "NORMAL").strip().upper()
    if chosen not in SYNCHRONOUS:
        raise ConfigError(f"LOFTE_SQLITE_SYNCHRONOUS={chosen!r}: välj NORMAL (standard) eller FULL")
    return chosen


class SqliteDriver(Driver):
    name = "sqlite"
    file_backup = True
    rows_in_one_insert = True  # with a VALUES group per row, as "insertmanyvalues" sends them
    audit_triggers: ClassVar[dict[str, str]] = {
        "audit_events_no_update": (
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        ),
        "audit_events_no_delete": (
            "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        ),
    }
    triggers_query = (
        "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_events'"
    )
    trigger_shapes_query = (
        "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_events'"
    )

    def make_engine(self, url: URL, *, durable: bool, throw_away: bool) -> Engine:
        synchronous = sqlite_synchronous(durable and not throw_away)
        journal = "MEMORY" if throw_away else "WAL"
        database = url.database
        if database and database != ":memory:":
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                raise ConfigError(f"databasens mapp {folder} finns inte")
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            json_serializer=json_text.dumps,
            json_deserializer=json_text.loads,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA journal_mode={journal}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.close()

        event.listen(engine, "begin", self._on_begin)
        return engine

    def _on_begin(self, connection: Connection) -> None:
        """SQLAlchemy begins a transaction: take the write lock at the start, so two engine
        processes serialise instead of failing half-way with "database is locked"; read-only
        work takes no lock. On the fast path straight to the driver (SQLAlchemy's statement
        machinery would cost more than BEGIN), and not at all if a unit of work began one
        there; on the SQLAlchemy path as its documentation's recipe for pysqlite does."""
        statement = (
            "BEGIN" if connection.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
        )
        if not self.fast:
            connection.exec_driver_sql(statement)
            return
        driver: Any = connection.connection.driver_connection
        if driver.in_transaction:  # a unit of work began it on the driver
            return
        try:
            driver.execute(statement)
        except sqlite3.Error as exc:  # locked past the busy timeout: retryable, as SQLAlchemy
            raise driver_error(connection, exc, statement, None) from exc  # would raise it

    def _begin_on_driver(self, connection: Connection, read_only: bool) -> None:
        self.on_driver(connection, "BEGIN" if read_only else "BEGIN IMMEDIATE")

    @staticmethod
    def insert(table: Table) -> Any:
        return sqlite_insert(table)

    # plans: UTC timestamps as the text SQLAlchemy's SQLite DateTime stores, through a memo;
    # JSON read as SQLAlchemy's SQLite JSON reads it (text, through the engine's loader)
    @classmethod
    def bind_processor(cls, type_: Any, processor: Any) -> Any:
        return sqlite_utc_in if isinstance(type_, UtcDateTime) else processor

    @classmethod
    def result_processor(cls, type_: Any, dialect: Dialect) -> Processor:
        if isinstance(type_, UtcDateTime):
            return sqlite_utc_out
        if isinstance(type_, JSON):
            return json_text.loads
        return super().result_processor(type_, dialect)
