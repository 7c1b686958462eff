"""A plan: how one prebuilt statement runs on one dialect's driver (see `storage.fast_sql`).

A plan is made once per dialect (and per set of columns an INSERT names, and for one row or
many) from SQLAlchemy's own compilation: its SQL text, the order of its parameters, the bind
and result processors of its column types, so the SQL and the stored values are exactly those
SQLAlchemy would have used. What differs between the databases (value conversions, a kept
cursor, statements past the cursor, many rows in one INSERT) is asked of the dialect's driver
class (`storage.drivers`); what the plan reads of SQLAlchemy's private attributes goes through
`storage.library_internals`.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import StatementError
from sqlalchemy.sql.compiler import SQLCompiler

from lofte.storage.driver_errors import Failed, driver_error
from lofte.storage.driver_values import (
    Bind,
    Processor,
    binds_of,
    make_binder,
    make_row_maker,
    values_group,
)
from lofte.storage.drivers import driver_class
from lofte.storage.fast_result import FastResult
from lofte.storage.in_lists import MAX_LAYOUTS, InListLayout
from lofte.storage.library_internals import bind_processors, cursor_listeners, result_columns

if TYPE_CHECKING:
    from lofte.storage.postgres_direct import DirectStatement

ROWS_PER_INSERT = 500  # rows in one INSERT of many: well within SQLite's 32,766 parameters


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
        driver = self.driver = driver_class(dialect.name)
        self.compiled = compiled
        self.sql = compiled.string
        self.positional = dialect.positional
        self.binds = binds  # None: IN lists, expanded for each execution (`expanded`)
        # Every parameter's processor, for expanded statements: SQLAlchemy's, or the driver's
        # instead, as `binds_of` gives them.
        processors = bind_processors(compiled)
        self.processors: dict[str, Any] = {
            name: driver.bind_processor(bind.type, processors.get(name))
            for bind, name in compiled.bind_names.items()
        }
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
        self.keep_cursor = driver.keeps_cursor
        self.many = not compiled.effective_returning and binds is not None
        self._bind = make_binder(binds, self.positional, self._bind_slowly) if binds else None
        self.values_group: str | None = None  # many rows with RETURNING: see `run_rows`
        self._sql_for_rows: dict[int, str] = {}
        self.max_parameters: int = getattr(dialect, "insertmanyvalues_max_parameters", 32_700)
        self._rows = make_row_maker(self.row_type, outputs or [])
        # PostgreSQL: one row's statement prepared and run on libpq (`storage.postgres_direct`)
        self.direct: DirectStatement | None = None
        if binds is not None:
            self.direct = driver.direct_statement(self.sql, binds)

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
        driver = driver_class(dialect.name)
        binds = None if compiled.post_compile_params else binds_of(compiled, dialect, driver)
        returned = list(result_columns(compiled))
        if not returned:
            if statement.is_select or compiled.effective_returning or statement.is_text:
                return None  # rows of columns only SQLAlchemy knows
            return cls(compiled, dialect, binds, None, None)
        keys: list[str] = []
        outputs: list[Processor] = []
        for keyname, kind in returned:
            keys.append(keyname)
            if isinstance(kind, Numeric):
                return None  # its result processor needs the driver's column type
            outputs.append(driver.result_processor(kind, dialect))
        plan = cls(compiled, dialect, binds, keys, outputs)
        if driver.rows_in_one_insert:
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
        before = cursor_listeners(connection)[0]  # seen when deferred, not sent
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
        before, after = cursor_listeners(connection)
        cursor = None
        kept = None
        try:
            cursor, kept = self.driver.cursor(pooled)  # kept: the connection's own
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
            self.driver.forget_cursor(pooled)
            raise driver_error(connection, exc, sql, parameters, cursor) from exc
        finally:
            if cursor is not None and cursor is not kept:
                cursor.close()
        return found, count

    def _on_driver_cursor(
        self, pooled: Any, cursor: Any, sql: str, parameters: Any, many: bool, returning: bool
    ) -> tuple[list[Sequence[Any]], int]:
        self.driver.before_statement(pooled)  # PostgreSQL: the deferred writes go first
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
