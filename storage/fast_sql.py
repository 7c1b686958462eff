"""Prebuilt statements run straight on the driver's cursor (the fast path; with
`LOFTE_SQL_PATH=sqlalchemy` they go through SQLAlchemy instead: `storage.drivers`).

A repository's statements are built once, at import. SQLAlchemy compiles each once too (its
compiled cache), but every execution still pays its execution context, events and result
objects: about 45 us for a one-row SELECT on SQLite against 3 us on the driver, which made
SQLAlchemy the largest single cost of a step. `prepare_module` registers a module's prebuilt
statements; `execute` runs a registered one with a `Plan` (`storage.plans`) made once per
dialect from SQLAlchemy's own compilation, so the SQL and the stored values are exactly those
SQLAlchemy would have used; IN lists are expanded by SQLAlchemy (`construct_expanded_state`)
and then run on the driver too; many rows with RETURNING go in one INSERT with a VALUES group
per row on SQLite, as SQLAlchemy's "insertmanyvalues" sends them, and as psycopg's
`executemany(returning=True)` on PostgreSQL (a statement per row, pipelined). On PostgreSQL one
row's statement goes on libpq instead, prepared (`storage.postgres_direct`), and a write nothing
reads (`write`) waits for the transaction's next statement or COMMIT. How values go to the
driver and come back is in `storage.driver_values`; the result is a
`storage.fast_result.FastResult`. What a plan does not cover (statements built at run time,
Python-side defaults, Numeric results) runs through SQLAlchemy.
`before_cursor_execute` and `after_cursor_execute` listeners see each statement (a deferred
write only the first, when it is written, without a cursor); errors are raised as SQLAlchemy
raises them (`storage.driver_errors`); `handle_error` listeners are not called.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.base import Executable

from lofte.storage.driver_errors import Failed
from lofte.storage.library_internals import has_values
from lofte.storage.plans import ROWS_PER_INSERT, Plan

__all__ = ["ROWS_PER_INSERT", "Plan", "execute", "plan_for", "prepare_module", "write"]

# id -> the statement (kept alive, so ids stay unique) and whether it is an INSERT without
# `.values()`, which inserts the columns its parameters name.
_REGISTERED: dict[int, tuple[Executable, bool]] = {}
_PLANS: dict[tuple[int, str, tuple[str, ...], bool], Plan | None] = {}
_LOCK = threading.Lock()


def prepare_module(namespace: Mapping[str, Any]) -> None:
    """Register the statements a module built at import (also inside dicts by dialect)."""
    for value in list(namespace.values()):
        for candidate in value.values() if isinstance(value, dict) else (value,):
            if isinstance(candidate, Executable):
                named_by_parameters = bool(
                    getattr(candidate, "is_insert", False) and not has_values(candidate)
                )
                _REGISTERED[id(candidate)] = (candidate, named_by_parameters)


def plan_for(statement: Any, dialect: Dialect, parameters: Any) -> Plan | None:
    """The plan of a registered statement for `dialect`; None: run it through SQLAlchemy.
    An INSERT without `.values()` inserts the columns its parameters name, as in SQLAlchemy.
    Many rows (a list) get a plan of their own, compiled as SQLAlchemy compiles for many rows
    (on PostgreSQL a one-row INSERT returns its new id, which many rows do not)."""
    registered = _REGISTERED.get(id(statement))
    if registered is None or registered[0] is not statement:
        return None
    many = isinstance(parameters, list)
    columns: tuple[str, ...] = ()
    if registered[1]:
        first = parameters[0] if many and parameters else parameters
        columns = tuple(first or ())
    key = (id(statement), dialect.name, columns, many)
    try:
        return _PLANS[key]
    except KeyError:
        pass
    with _LOCK:
        if key not in _PLANS:
            _PLANS[key] = Plan.make(statement, dialect, columns, many=many)
        return _PLANS[key]


def execute(
    connection: Connection, statement: Any, parameters: Any = None, plan: Plan | None = None
) -> Any:
    """Run a statement: a registered one on the driver (its `plan`, if known), any other
    through SQLAlchemy."""
    plan = plan or plan_for(statement, connection.dialect, parameters)
    if plan is not None:
        if plan.many or not isinstance(parameters, list):
            return plan.run(connection, parameters)
        if plan.values_group is not None and parameters:
            return plan.run_rows(connection, parameters)
        if plan.keep_cursor and plan.returns_rows and plan.binds is not None and parameters:
            return plan.run_each(connection, parameters)
    if parameters is None:
        return connection.execute(statement)
    return connection.execute(statement, parameters)


def write(connection: Connection, statement: Any, parameters: Any, failed: Failed = None) -> None:
    """Run a write whose result nothing reads. On PostgreSQL a prebuilt one is deferred, to go
    with the transaction's next statement or its COMMIT (`storage.postgres_direct`); then its
    error, if any, is raised there. `failed` is given the error as SQLAlchemy raises it and
    may return another to raise instead."""
    plan = plan_for(statement, connection.dialect, parameters)
    if plan is not None and plan.direct is not None and not connection.in_nested_transaction():
        plan.defer(connection, parameters, failed)  # (in a savepoint: now, to fail there)
        return
    try:
        execute(connection, statement, parameters, plan)
    except DBAPIError as exc:
        instead = failed(exc) if failed is not None else None
        if instead is None:
            raise
        raise instead from None
