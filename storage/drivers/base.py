"""What every database driver does, and the switch between the two ways statements run.

A `Driver` is made once per engine (`storage.drivers.driver_for`). It holds what differs
between SQLite and PostgreSQL, so that nothing else in Löfte asks which database it is on: how
the engine is made, how a unit of work's transaction begins and ends, how writers are
serialised, which INSERT has ON CONFLICT, and, for the fast path (`storage.plans`), how values
are converted and where a statement runs on the driver.

`LOFTE_SQL_PATH` chooses how statements run: `fast` (the default) runs the repositories'
prebuilt statements on the driver and begins and ends transactions there; `sqlalchemy` runs
every statement through plain `connection.execute(statement, parameters)` and every transaction
through SQLAlchemy's `Connection.begin`, `commit` and `rollback` (the way back when a library
upgrade breaks what `storage.library_internals` relies on).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any, ClassVar

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.engine import URL, Dialect
from sqlalchemy.exc import DBAPIError, OperationalError

from lofte.kernel.errors import ConfigError
from lofte.storage.driver_errors import Failed, driver_error

log = logging.getLogger("lofte.storage")
SQL_PATHS = ("fast", "sqlalchemy")
READ_ONLY = "lofte_read_only"  # execution option: a transaction that only reads
Processor = Callable[[Any], Any] | None


def sql_path_from_env() -> str:
    """LOFTE_SQL_PATH: `fast` (default) or `sqlalchemy`."""
    chosen = os.environ.get("LOFTE_SQL_PATH", "fast").strip().lower() or "fast"
    if chosen not in SQL_PATHS:
        raise ConfigError(
            f"LOFTE_SQL_PATH={chosen[:40]!r}: välj fast (standard) eller sqlalchemy "
            "(varje SQL-sats genom SQLAlchemy Core)"
        )
    return chosen


def plain_execute(connection: Connection, statement: Any, parameters: Any = None) -> Any:
    """A statement through SQLAlchemy Core."""
    if parameters is None:
        return connection.execute(statement)
    return connection.execute(statement, parameters)


def plain_write(
    connection: Connection, statement: Any, parameters: Any, failed: Failed = None
) -> None:
    """A write whose result nothing reads, through SQLAlchemy Core, now; `failed` may turn
    its error into another."""
    try:
        plain_execute(connection, statement, parameters)
    except DBAPIError as exc:
        instead = failed(exc) if failed is not None else None
        if instead is None:
            raise
        raise instead from None


class Driver:
    """One database's ways. Class attributes and class methods serve the statements built at
    import (`per_driver`) and the plans made once per dialect; an instance serves one engine."""

    name: ClassVar[str]  # SQLAlchemy's dialect name
    file_backup: ClassVar[bool] = False  # `lofte backup` copies the live database file
    keeps_cursor: ClassVar[bool] = False  # a connection keeps one driver cursor
    rows_in_one_insert: ClassVar[bool] = False  # many rows with RETURNING: one INSERT
    audit_triggers: ClassVar[dict[str, str]] = {}  # name -> CREATE TRIGGER
    triggers_query: ClassVar[str] = ""  # the audit table's enabled triggers, by name
    # (name, what it does) of each enabled trigger, compared with `audit_trigger_shapes`
    # (default: the CREATE statements), case and spacing left out
    trigger_shapes_query: ClassVar[str] = ""
    audit_trigger_shapes: ClassVar[dict[str, str]] = {}
    trigger_setup: ClassVar[tuple[str, ...]] = ()  # run before the triggers are created
    # a read of several figures that must describe one moment (None: a read transaction does)
    snapshot_isolation: ClassVar[str | None] = None

    def __init__(self, sql_path: str = "fast") -> None:
        if sql_path not in SQL_PATHS:
            raise ConfigError(f"LOFTE_SQL_PATH={sql_path[:40]!r}: välj fast eller sqlalchemy")
        self.sql_path = sql_path
        self.fast = sql_path == "fast"
        self.dbapi_error: type[Exception] = Exception  # the driver's, once it serves an engine
        # How a repository's statement runs: `execute(connection, statement, parameters)`
        # and `write(connection, statement, parameters, failed)`.
        self.execute: Callable[..., Any] = plain_execute
        self.write: Callable[..., None] = plain_write
        if self.fast:
            from lofte.storage import fast_sql

            self.execute, self.write = fast_sql.execute, fast_sql.write

    # --- the engine -------------------------------------------------------------------------
    def make_engine(self, url: URL, *, durable: bool, throw_away: bool) -> Engine:
        """A new engine for `url`, served by this driver (`storage.database.make_engine`)."""
        raise NotImplementedError

    def serve(self, engine: Engine) -> None:
        """Serve `engine` (its errors are its dialect's driver's)."""
        self.dbapi_error = engine.dialect.loaded_dbapi.Error

    # --- statements built at import ---------------------------------------------------------
    @staticmethod
    def insert(table: Table) -> Any:
        """The database's INSERT (`sqlalchemy.dialects.*.insert`), with ON CONFLICT."""
        raise NotImplementedError

    @classmethod
    def advisory_lock(cls, key: int) -> Any:
        """A statement that serialises the transactions that run it (until they end); None
        where writers are serialised already (SQLite's BEGIN IMMEDIATE)."""
        return None

    @classmethod
    def drop_trigger(cls, name: str) -> str:
        return f"DROP TRIGGER IF EXISTS {name}"

    @classmethod
    def analyze(cls, tables: list[str]) -> str | None:
        """The statement that gives the planner statistics of `tables` now (after migrating,
        after a setup is loaded); None where plans come from the indexes alone (SQLite)."""
        return None

    # --- transactions -----------------------------------------------------------------------
    def begin(self, connection: Connection, read_only: bool) -> None:
        """Begin a unit of work's transaction (read-only ones take no write lock)."""
        if self.fast:
            self._begin_on_driver(connection, read_only)
        else:
            connection.begin()

    def end(self, connection: Connection, *, commit: bool, began_on: Any = None) -> None:
        """COMMIT or roll back the unit of work's transaction. A connection lost meanwhile
        (the database rolled it back), or one that is not the connection the transaction
        began on (a caller caught a lost connection and went on), fails a COMMIT with the
        retryable OperationalError."""
        lost = connection.invalidated or connection.closed
        if commit and not lost and began_on is not None:
            lost = connection.connection.dbapi_connection is not began_on
        if lost or (self.fast and self._lost_on_driver(connection, commit)):
            if commit:
                raise OperationalError(
                    "COMMIT", None, ConnectionError("the connection was lost before COMMIT")
                )
            return
        if connection.in_transaction():  # SQLAlchemy's, or one it began over ours
            if commit and self.fast:
                self._before_sqlalchemy_commit(connection)
            (connection.commit if commit else connection.rollback)()
        elif commit:
            self.on_driver(connection, None)
        else:
            try:
                connection.connection.driver_connection.rollback()  # type: ignore[union-attr]
            except Exception:  # the connection is gone: there is nothing to roll back
                log.debug("rollback failed", exc_info=True)

    def on_driver(self, connection: Connection, statement: str | None) -> None:
        """Run a transaction statement (None: COMMIT) on the driver; errors as SQLAlchemy
        raises them (OperationalError for a lock held too long, say)."""
        try:
            if statement is None:
                self._commit_on_driver(connection)
            else:
                driver: Any = connection.connection.driver_connection
                driver.execute(statement)
        except self.dbapi_error as exc:
            raise driver_error(connection, exc, statement or "COMMIT", None) from exc

    def _begin_on_driver(self, connection: Connection, read_only: bool) -> None:
        """The fast path's BEGIN (nothing where the driver begins with the first statement)."""

    def _lost_on_driver(self, connection: Connection, commit: bool) -> bool:
        """Fast path: whether the connection was found lost at the end (and invalidated)."""
        return False

    def _before_sqlalchemy_commit(self, connection: Connection) -> None:
        """Fast path: what must reach the server before SQLAlchemy commits."""

    def _commit_on_driver(self, connection: Connection) -> None:
        connection.connection.driver_connection.commit()  # type: ignore[union-attr]

    # --- plans (the fast path, `storage.plans`) ---------------------------------------------
    @classmethod
    def bind_processor(cls, type_: Any, processor: Any) -> Any:
        """The processor a plan gives a parameter of `type_` (SQLAlchemy's: `processor`)."""
        return processor

    @classmethod
    def result_processor(cls, type_: Any, dialect: Dialect) -> Processor:
        """The processor a plan gives a result column of `type_`: SQLAlchemy's."""
        from lofte.storage.library_internals import result_processor

        return result_processor(type_, dialect)

    @classmethod
    def direct_statement(cls, sql: str, binds: list[Any]) -> Any:
        """A one-row statement run past the driver's cursor (`storage.postgres_direct`)."""
        return None

    @classmethod
    def cursor(cls, pooled: Any) -> tuple[Any, Any]:
        """A driver cursor for one statement, and the same if the connection keeps it."""
        return pooled.driver_connection.cursor(), None

    @classmethod
    def forget_cursor(cls, pooled: Any) -> None:
        """After a driver error: the kept cursor's state is not to be trusted."""

    @classmethod
    def before_statement(cls, pooled: Any) -> None:
        """Before a statement on the driver's cursor (PostgreSQL: the deferred writes)."""
