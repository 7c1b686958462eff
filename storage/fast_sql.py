"""Prebuilt statements run straight on the driver's cursor.

A repository's statements are built once, at import. SQLAlchemy compiles each once too (its
compiled cache), but every execution still pays its execution context, events and result
objects: about 45 us for a one-row SELECT on SQLite against 3 us on the driver, which made
SQLAlchemy the largest single cost of a step. `prepare_module` registers a module's prebuilt
statements; `Repository.execute` runs a registered one with a `Plan` made once per dialect from
SQLAlchemy's own compilation (its SQL text, the order of its parameters, the bind and result
processors of its column types), so the SQL and the stored values are exactly those SQLAlchemy
would have used; IN lists are expanded by SQLAlchemy (`construct_expanded_state`) for each
execution and then run on the driver too; many rows with RETURNING go in one INSERT with a
VALUES group per row on SQLite, as SQLAlchemy's "insertmanyvalues" sends them, and as
psycopg's `executemany(returning=True)` on PostgreSQL (a statement per row, pipelined). On
PostgreSQL one row's statement goes on libpq instead, prepared (`storage.postgres_direct`), and
a write nothing reads (`write`) waits for the transaction's next statement or COMMIT. How
values go to the driver and come back (parameters and rows without a call per column, SQLite's
UTC text) is in `storage.driver_values`; the result is a `storage.fast_result.FastResult`.
What a plan does not cover (statements built at run time, Python-side defaults, Numeric
results) runs through SQLAlchemy.
`before_cursor_execute` and `after_cursor_execute` listeners see each statement (a deferred
write only the first, when it is written, without a cursor); errors are raised as SQLAlchemy
raises them (`storage.driver_errors`); `handle_error` listeners are not called.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Connection, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler

from lofte.storage import json_text
from lofte.storage.driver_errors import Failed, driver_error
from lofte.storage.driver_values import (
    Bind,
    Processor,
    binds_of,
    make_binder,
    make_row_maker,
    sqlite_utc_in,
    sqlite_utc_out,
    values_group,
)
from lofte.storage.fast_result import FastResult
from lofte.storage.in_lists import MAX_LAYOUTS, InListLayout
from lofte.storage.types import UtcDateTime

if TYPE_CHECKING:
    from lofte.storage.postgres_direct import DirectStatement

# id -> the statement (kept alive, so ids stay unique) and whether it is an INSERT without
# `.values()`, which inserts the columns its parameters name.
_REGISTERED: dict[int, tuple[Executable, bool]] = {}
_PLANS: dict[tuple[int, str, tuple[str, ...], bool], Plan | None] = {}
_LOCK = threading.Lock()
ROWS_PER_INSERT = 500  # rows in one INSERT of many: well within SQLite's 32,766 parameters


def prepare_module(namespace: Mapping[str, Any]) -> None:
    """Register the statements a module built at import (also inside dicts by dialect)."""
    for value in list(namespace.values()):
        for candidate in value.values() if isinstance(value, dict) else (value,):
            if isinstance(candidate, Executable):
                named_by_parameters = bool(
                    getattr(candidate, "is_insert", False)
                    and not getattr(candidate, "_values", None)
                    and not getattr(candidate, "_multi_values", None)
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


_KEPT_CURSOR = "lofte_kept_cursor"  # in a pooled connection's info: lives as long as it


class Plan:
    """How to run one statement on one dialect's driver."""

    def __init__(
        self,
        compiled: SQLCompiler,
        dialect: Dialect,
        binds: list[Bind] | None,
        keys: list[str] | None,
        outputs: list[Processor] | None,
    ) -> None:
        self.compiled = compiled
        self.sql = compiled.string
        self.positional = dialect.positional
        self.binds = binds  # None: IN lists, expanded for each execution (`expanded`)
        # Every parameter's processor, for expanded statements: SQLAlchemy's, with the same
        # UtcDateTime text on SQLite as `binds_of` uses.
        self.processors: dict[str, Any] = dict(compiled._bind_processors)
        if dialect.name == "sqlite":
            for bind, name in compiled.bind_names.items():
                if isinstance(bind.type, UtcDateTime):
                    self.processors[name] = sqlite_utc_in
        # The IN lists' parameter names, and an expansion per lengths of those lists.
        self.expanding = tuple(
            compiled.bind_names[bind] for bind in compiled.post_compile_params if bind.expanding
        )
        self.optional = tuple(
            name
            for bind, name in compiled.bind_names.items()
            if not bind.required and not bind.expanding
        )
        self._layouts: dict[tuple[int | bool, ...], InListLayout] = {}
        # A parameter computed at execution must be computed each time: expand each time.
        self.layouts_kept = not any(b.callable is not None for b in compiled.binds.values())
        self.keys = keys
        self.returns_rows = keys is not None
        # Rows read by position, by name (row.seq) or as mappings, like SQLAlchemy's Row.
        self.row_type: Any = namedtuple("Row", keys or (), rename=True)  # type: ignore[misc]
        self.driver_error: type[Exception] = dialect.loaded_dbapi.Error
        self.keep_cursor = dialect.name == "postgresql"
        self.many = not compiled.effective_returning and binds is not None
        self._bind = make_binder(binds, self.positional, self._bind_slowly) if binds else None
        self.values_group: str | None = None  # many rows with RETURNING: see `run_rows`
        self._sql_for_rows: dict[int, str] = {}
        self.max_parameters: int = getattr(dialect, "insertmanyvalues_max_parameters", 32_700)
        self._rows = make_row_maker(self.row_type, outputs or [])
        # PostgreSQL: one row's statement prepared and run on libpq (`storage.postgres_direct`)
        self.direct: DirectStatement | None = None
        if binds is not None and self.keep_cursor:
            from lofte.storage.postgres_direct import DirectStatement  # psycopg: import when needed

            self.direct = DirectStatement.made(self.sql, binds)

    @classmethod
    def make(
        cls, statement: Any, dialect: Dialect, columns: tuple[str, ...], *, many: bool = False
    ) -> Plan | None:
        compiled = statement.compile(
            dialect=dialect, column_keys=list(columns) or None, for_executemany=many
        )
        if not isinstance(compiled, SQLCompiler):
            return None
        if (
            compiled.insert_prefetch
            or compiled.update_prefetch  # Python-side defaults, computed at execution
            or compiled.literal_execute_params
            or compiled.escaped_bind_names
        ):
            return None
        # No binds: IN lists (or a value computed at execution) are expanded each time.
        binds = None if compiled.post_compile_params else binds_of(compiled, dialect)
        if not compiled._result_columns:
            if statement.is_select or compiled.effective_returning or statement.is_text:
                return None  # rows of columns only SQLAlchemy knows
            return cls(compiled, dialect, binds, None, None)
        sqlite = dialect.name == "sqlite"
        keys: list[str] = []
        outputs: list[Processor] = []
        for column in compiled._result_columns:
            keyname, kind = column[0], column[3]
            keys.append(keyname)
            if isinstance(kind, Numeric):
                return None  # its result processor needs the driver's column type
            if sqlite and isinstance(kind, UtcDateTime):
                outputs.append(sqlite_utc_out)
            elif sqlite and isinstance(kind, JSON):
                outputs.append(json_text.loads)  # text, as SQLAlchemy's SQLite JSON reads it
            else:
                outputs.append(kind._cached_result_processor(dialect, None))
        plan = cls(compiled, dialect, binds, keys, outputs)
        plan.values_group = values_group(statement, compiled, dialect, columns, binds)
        return plan

    def parameters(self, given: Mapping[str, Any] | None) -> Any:
        if self.binds is None:
            return None
        if self._bind is None:  # a statement without parameters
            return () if self.positional else {}
        return self._bind(given or {})

    def _bind_slowly(self, given: Mapping[str, Any]) -> Any:
        """Parameters named otherwise than by key, or left to their defaults."""
        assert self.binds is not None
        if self.positional:
            return tuple([b.value(given) for b in self.binds])
        return {b.name: b.value(given) for b in self.binds}

    def expanded(self, given: Mapping[str, Any] | None) -> tuple[str, Any]:
        """The SQL and parameters with IN lists expanded, as SQLAlchemy expands them. The
        expanded SQL and where each parameter comes from depend only on the lists' lengths:
        SQLAlchemy expands once per lengths (`storage.in_lists.InListLayout`), later
        executions just bind."""
        given = given or {}
        for name in self.expanding:  # a set or other iterable, as SQLAlchemy would take it
            if name in given and not isinstance(given[name], list | tuple):
                given = {**given, name: list(given[name])}
        # The lengths of the given lists (an IN list written into the statement, of
        # constants, is not given: it never varies) and which parameters with a default were
        # given (one left out takes its default, which the layout then holds).
        shape = (
            *(len(given[name]) if name in given else -1 for name in self.expanding),
            *(name in given for name in self.optional),
        )
        layout = self._layouts.get(shape)
        if layout is None:
            layout = InListLayout.made(self, given)
            if self.layouts_kept and len(self._layouts) < MAX_LAYOUTS:
                self._layouts[shape] = layout
        return layout.sql, layout.bind(given)

    def run(self, connection: Connection, given: Any) -> FastResult:
        """Execute with `given` (a dict, or a list of dicts for many rows without RETURNING).
        Errors are raised as SQLAlchemy raises them: a driver error as its DBAPIError
        (IntegrityError, OperationalError; a lost connection is invalidated, so the next unit
        of work gets a new one), a value that cannot be bound as StatementError."""
        many = isinstance(given, list)
        if many and len(given) == 1 and self.direct is not None:
            given, many = given[0], False  # one row of many: one statement
        sql = self.sql
        direct = self.direct is not None and not many
        parameters: Any
        try:
            if direct:
                parameters = self.direct.bind(given or {})  # type: ignore[union-attr]
            elif many:
                parameters = [self.parameters(g) for g in given]
            elif self.binds is None:
                sql, parameters = self.expanded(given)
            else:
                parameters = self.parameters(given)
        except Exception as exc:  # a bind processor refused a value (a naive datetime, say)
            raise StatementError(str(exc), sql, given, exc) from exc
        found, count = self._on_cursor(connection, sql, parameters, many, direct=direct)
        return FastResult(self.keys, self._rows(found) if found else [], count)

    def defer(self, connection: Connection, given: Any, failed: Failed) -> None:
        """PostgreSQL: defer this write (`write`), a row or each of a list of rows."""
        assert self.direct is not None
        try:
            values = [self.direct.bind(g) for g in (given if isinstance(given, list) else [given])]
        except Exception as exc:  # a bind processor refused a value
            raise StatementError(str(exc), self.sql, given, exc) from exc
        if not values:  # no rows
            return
        try:  # dumped now: a value psycopg cannot adapt fails here, and nothing is deferred
            self.direct.defer_on(connection.connection, values, failed)
        except self.driver_error as exc:
            raise driver_error(connection, exc, self.sql, given) from exc
        before = connection.dispatch.before_cursor_execute  # seen when deferred, not sent
        if before:  # (many rows as one executemany)
            many = isinstance(given, list) and len(values) > 1
            before(connection, None, self.sql, values if many else values[0], None, many)

    def run_rows(self, connection: Connection, given: list[Mapping[str, Any]]) -> FastResult:
        """Insert many rows with RETURNING: one INSERT with a VALUES group per row (at most
        what SQLite's parameter limit allows, and `ROWS_PER_INSERT`), as SQLAlchemy's
        "insertmanyvalues" does. Every row's parameters are made before the first INSERT."""
        assert self.values_group is not None
        try:
            each = [self.parameters(g) for g in given]
        except Exception as exc:  # a bind processor refused a value
            raise StatementError(str(exc), self.sql, given, exc) from exc
        if not each:
            return FastResult(self.keys, [], 0)
        per_insert = max(1, min(ROWS_PER_INSERT, self.max_parameters // max(1, len(each[0]))))
        found: list[Sequence[Any]] = []
        count = 0
        for first in range(0, len(each), per_insert):
            part = each[first : first + per_insert]
            sql = self._sql_for_rows.get(len(part))
            if sql is None:
                groups = ", ".join([self.values_group] * len(part))
                sql = self.sql.replace(self.values_group, groups, 1)
                self._sql_for_rows[len(part)] = sql
            parameters = tuple(value for row in part for value in row)
            rows, counted = self._on_cursor(connection, sql, parameters, False)
            found.extend(rows)
            count += counted
        return FastResult(self.keys, self._rows(found) if found else [], count)

    def run_each(self, connection: Connection, given: list[Mapping[str, Any]]) -> FastResult:
        """PostgreSQL: many rows with RETURNING, as psycopg runs them (the statement once per
        row, in one pipeline); the rows returned come in the order given."""
        if len(given) == 1 and self.direct is not None:
            return self.run(connection, given[0])
        try:
            each = [self.parameters(g) for g in given]
        except Exception as exc:  # a bind processor refused a value
            raise StatementError(str(exc), self.sql, given, exc) from exc
        found, count = self._on_cursor(connection, self.sql, each, True, returning=True)
        return FastResult(self.keys, self._rows(found) if found else [], count)

    def _on_cursor(
        self,
        connection: Connection,
        sql: str,
        parameters: Any,
        many: bool,
        *,
        returning: bool = False,
        direct: bool = False,
    ) -> tuple[list[Sequence[Any]], int]:
        if self.keep_cursor and (many or returning) and len(parameters) == 1:
            # psycopg runs many rows in a pipeline of its own; one row goes as one statement
            parameters, many, returning = parameters[0], False, False
        pooled = connection.connection
        # Only listeners of these two events are called (the engine's connect and begin
        # listeners made every statement go through the event machinery).
        dispatch = connection.dispatch
        before, after = dispatch.before_cursor_execute, dispatch.after_cursor_execute
        cursor = None
        kept = None
        try:
            if self.keep_cursor:  # psycopg: a cursor is costly to make; one per connection
                kept = cursor = pooled.info.get(_KEPT_CURSOR)
                if cursor is None or cursor.closed:
                    kept = cursor = pooled.info[_KEPT_CURSOR] = pooled.driver_connection.cursor()  # type: ignore[union-attr]
            else:
                cursor = pooled.driver_connection.cursor()  # type: ignore[union-attr]
            if before:
                before(connection, cursor, sql, parameters, None, many)
            if direct:  # PostgreSQL, on libpq (storage.postgres_direct)
                found, count = self.direct.run_on(pooled, parameters, self.returns_rows)  # type: ignore[union-attr]
            else:
                found, count = self._on_driver_cursor(
                    pooled, cursor, sql, parameters, many, returning
                )
            if after:
                after(connection, cursor, sql, parameters, None, many)
        except self.driver_error as exc:
            kept = None  # its state after an error is not to be trusted: the next is new
            pooled.info.pop(_KEPT_CURSOR, None)
            raise driver_error(connection, exc, sql, parameters, cursor) from exc
        finally:
            if cursor is not None and cursor is not kept:
                cursor.close()
        return found, count

    def _on_driver_cursor(
        self, pooled: Any, cursor: Any, sql: str, parameters: Any, many: bool, returning: bool
    ) -> tuple[list[Sequence[Any]], int]:
        if self.keep_cursor:  # PostgreSQL: the transaction's deferred writes go first
            from lofte.storage.postgres_direct import flush

            flush(pooled)
        found: list[Sequence[Any]] = []
        if returning:  # psycopg: a result per row
            cursor.executemany(sql, parameters, returning=True)
            while True:
                found.extend(cursor.fetchall())
                if not cursor.nextset():
                    break
            return found, len(found)
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
            if self.returns_rows:
                found = cursor.fetchall()
        return found, cursor.rowcount
