"""What every repository shares: the connection, the dialect, insert-or-ignore."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Insert, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lofte.storage import fast_sql
from lofte.storage.driver_errors import Failed


def insert_ignore(table: Table, dialect: str, index_elements: Sequence[str]) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING, for this dialect."""
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    return make(table).on_conflict_do_nothing(index_elements=list(index_elements))


class Repository:
    def __init__(self, connection: Connection, dialect: str) -> None:
        self.connection = connection
        self.dialect = dialect
        self.postgres = dialect == "postgresql"

    def execute(self, statement: Any, parameters: Any = None) -> Any:
        """Run a statement: a prebuilt one (`prepare_module`) on the driver, others through
        SQLAlchemy."""
        return fast_sql.execute(self.connection, statement, parameters)

    def write(self, statement: Any, parameters: Any, failed: Failed = None) -> None:
        """Run a write whose result nothing reads (its rows, its count): on PostgreSQL it may
        go to the server with the transaction's next statement or COMMIT, and fail there
        (`fast_sql.write`); `failed` may turn its error into another."""
        fast_sql.write(self.connection, statement, parameters, failed)
