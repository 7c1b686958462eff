"""PostgreSQL: READ COMMITTED, writers of the audit chain serialised by an advisory lock, and on
the fast path one-row statements prepared on libpq and writes nothing reads deferred to the
transaction's next round trip (`storage.postgres_direct`)."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    create_engine,
    event,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import URL

from lofte.storage import json_text
from lofte.storage.driver_errors import driver_error
from lofte.storage.drivers.base import Driver

_KEPT_CURSOR = "lofte_kept_cursor"  # in a pooled connection's info: lives as long as it


class PostgresDriver(Driver):
    name = "postgresql"
    keeps_cursor = True  # psycopg: a cursor is costly to make; one per connection
    snapshot_isolation: ClassVar[str | None] = "REPEATABLE READ"  # READ COMMITTED is per statement
    audit_triggers: ClassVar[dict[str, str]] = {
        "audit_events_no_update": (
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION lofte_audit_append_only()"
        ),
        "audit_events_no_truncate": (
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION lofte_audit_append_only()"
        ),
    }
    triggers_query = (
        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass "
        "AND NOT tgisinternal AND tgenabled IN ('O', 'A')"
    )
    # what fires (tgtype: 1 row, 2 before, 8 delete, 16 update, 32 truncate) and what it runs
    trigger_shapes_query = (
        "SELECT t.tgname, t.tgtype::int || ':' || p.proname || ':' || p.prosrc "
        "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE t.tgrelid = 'audit_events'::regclass AND NOT t.tgisinternal "
        "AND t.tgenabled IN ('O', 'A')"
    )
    trigger_setup = (
        """
CREATE OR REPLACE FUNCTION lofte_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql
""",
    )
    _BODY = "BEGIN RAISE EXCEPTION 'audit_events is append-only'; END;"
    audit_trigger_shapes: ClassVar[dict[str, str]] = {
        "audit_events_no_update": f"27:lofte_audit_append_only:{_BODY}",
        "audit_events_no_truncate": f"34:lofte_audit_append_only:{_BODY}",
    }

    def make_engine(self, url: URL, *, durable: bool, throw_away: bool) -> Engine:
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        engine = create_engine(
            url,
            # psycopg prepares nothing itself: on ROLLBACK it would DEALLOCATE ALL, also the
            # statements storage.postgres_direct prepared.
            connect_args={"connect_timeout": 10, "prepare_threshold": None},
            pool_pre_ping=True,
            pool_size=5,
            # What the audit chain's lock and the claims rely on (a statement sees what
            # committed before it began), whatever the server's or the role's default.
            isolation_level="READ COMMITTED",
            json_serializer=json_text.dumps,
            json_deserializer=json_text.loads,  # psycopg's loader for json columns
        )
        if self.fast:
            event.listen(engine, "before_cursor_execute", _deferred_first)
            event.listen(engine, "reset", _deferred_dropped)
        return engine

    @staticmethod
    def insert(table: Table) -> Any:
        return pg_insert(table)

    @classmethod
    def advisory_lock(cls, key: int) -> Any:
        # (a Core statement, not text, so that it runs on the driver: storage.fast_sql)
        return select(func.pg_advisory_xact_lock(literal_column(str(int(key)))))

    @classmethod
    def drop_trigger(cls, name: str) -> str:
        return f"DROP TRIGGER IF EXISTS {name} ON audit_events"

    @classmethod
    def analyze(cls, tables: list[str]) -> str | None:
        # Löfte's own tables (as the search path finds them), not every table of a database
        # it may share; auto-analyze would get round to a new database only later.
        return f"ANALYZE {', '.join(tables)}" if tables else None

    # --- transactions (fast path): BEGIN goes with the first statement ------------------------
    def _lost_on_driver(self, connection: Connection, commit: bool) -> bool:
        """Deferred writes are dropped with a rollback; a connection found closed (a pipeline
        broke off) is invalidated."""
        from lofte.storage import postgres_direct

        pooled = connection.connection
        if not commit:
            postgres_direct.discard(pooled.info)
        if pooled.driver_connection.closed:  # type: ignore[union-attr]
            connection.invalidate()
            return True
        return False

    def _before_sqlalchemy_commit(self, connection: Connection) -> None:
        from lofte.storage import postgres_direct

        try:
            postgres_direct.flush(connection.connection)
        except self.dbapi_error as exc:
            raise driver_error(connection, exc, "COMMIT", None) from exc

    def _commit_on_driver(self, connection: Connection) -> None:
        from lofte.storage import postgres_direct

        postgres_direct.commit(connection.connection)  # with the deferred writes

    # --- plans --------------------------------------------------------------------------------
    @classmethod
    def direct_statement(cls, sql: str, binds: list[Any]) -> Any:
        from lofte.storage.postgres_direct import DirectStatement  # psycopg: when needed

        return DirectStatement.made(sql, binds)

    @classmethod
    def cursor(cls, pooled: Any) -> tuple[Any, Any]:
        cursor = pooled.info.get(_KEPT_CURSOR)
        if cursor is None or cursor.closed:
            cursor = pooled.info[_KEPT_CURSOR] = pooled.driver_connection.cursor()
        return cursor, cursor

    @classmethod
    def forget_cursor(cls, pooled: Any) -> None:
        pooled.info.pop(_KEPT_CURSOR, None)

    @classmethod
    def before_statement(cls, pooled: Any) -> None:
        from lofte.storage.postgres_direct import flush

        flush(pooled)


def _deferred_first(connection: Any, _cursor: Any, *args: Any) -> None:
    """A unit of work's deferred writes go before a statement SQLAlchemy runs; SQLAlchemy's
    statements come with an execution context, the prebuilt ones (storage.fast_sql) without."""
    if args[2] is not None:
        from lofte.storage.postgres_direct import flush_for

        flush_for(connection)


def _deferred_dropped(_dbapi_connection: Any, connection_record: Any, _reset_state: Any) -> None:
    """Back to the pool: writes deferred outside a unit of work are never another's."""
    from lofte.storage.postgres_direct import discard

    discard(connection_record.info)
