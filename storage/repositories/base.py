"""What every repository shares: the connection, its driver, insert-or-ignore."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Insert, Table

from lofte.storage.driver_errors import Failed
from lofte.storage.drivers import Driver


def insert_ignore(table: Table, driver: type[Driver], index_elements: Sequence[str]) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING, for this driver's database."""
    made: Insert = driver.insert(table).on_conflict_do_nothing(index_elements=list(index_elements))
    return made


class Repository:
    def __init__(self, connection: Connection, driver: Driver) -> None:
        self.connection = connection
        self.driver = driver
        self._execute = driver.execute
        self._write = driver.write

    def execute(self, statement: Any, parameters: Any = None) -> Any:
        """Run a statement: on the fast path a prebuilt one (`prepare_module`) on the driver,
        others through SQLAlchemy; on the SQLAlchemy path every one through SQLAlchemy."""
        return self._execute(self.connection, statement, parameters)

    def write(self, statement: Any, parameters: Any, failed: Failed = None) -> None:
        """Run a write whose result nothing reads (its rows, its count): on PostgreSQL's fast
        path it may go to the server with the transaction's next statement or COMMIT, and fail
        there (`fast_sql.write`); `failed` may turn its error into another."""
        self._write(self.connection, statement, parameters, failed)
