"""Prebuilt statements run straight on the driver's cursor.

A repository's statements are built once, at import. SQLAlchemy compiles each once too (its
compiled cache), but every execution still pays its execution context, events and result
objects: about 45 us for a one-row SELECT on SQLite against 3 us on the driver, which made
SQLAlchemy the largest single cost of a step. `prepare_module` registers a module's prebuilt
statements; `Repository.execute` runs a registered one with a `Plan` made once per dialect from
SQLAlchemy's own compilation (its SQL text, the order of its parameters, the bind and result
processors of its column types), so the SQL and the stored values are exactly those SQLAlchemy
would have used; IN lists are expanded by SQLAlchemy (`construct_expanded_state`) for each
execution and then run on the driver too. What a plan does not cover (statements built at run
time, many rows with RETURNING, Python-side defaults, Numeric results) runs through SQLAlchemy.
`before_cursor_execute` and `after_cursor_execute` listeners see each statement; errors are
raised as SQLAlchemy raises them (`driver_error`); `handle_error` listeners are not called.
"""

from __future__ import annotations

import json
import threading
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import JSON, Connection, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import (
    DBAPIError,
    InvalidRequestError,
    MultipleResultsFound,
    NoResultFound,
    StatementError,
)
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter

from storage.types import UtcDateTime

Processor = Callable[[Any], Any] | None

_REGISTERED: dict[int, Executable] = {}  # id -> the statement (kept alive, so ids stay unique)
_PLANS: dict[tuple[int, str, tuple[str, ...]], Plan | None] = {}
_LOCK = threading.Lock()


def prepare_module(namespace: Mapping[str, Any]) -> None:
    """Register the statements a module built at import (also inside dicts by dialect)."""
    for value in list(namespace.values()):
        for candidate in value.values() if isinstance(value, dict) else (value,):
            if isinstance(candidate, Executable):
                _REGISTERED[id(candidate)] = candidate


def plan_for(statement: Any, dialect: Dialect, parameters: Any) -> Plan | None:
    """The plan of a registered statement for `dialect`; None: run it through SQLAlchemy.
    An INSERT without `.values()` inserts the columns its parameters name, as in SQLAlchemy."""
    if id(statement) not in _REGISTERED:
        return None
    columns: tuple[str, ...] = ()
    if statement.is_insert and not statement._values and not statement._multi_values:
        first = parameters[0] if isinstance(parameters, list) and parameters else parameters
        columns = tuple(first or ())
    key = (id(statement), dialect.name, columns)
    try:
        return _PLANS[key]
    except KeyError:
        pass
    if _REGISTERED.get(id(statement)) is not statement:
        return None
    with _LOCK:
        if key not in _PLANS:
            _PLANS[key] = Plan.make(statement, dialect, columns)
        return _PLANS[key]


def execute(connection: Connection, statement: Any, parameters: Any = None) -> Any:
    """Run a statement: a registered one on the driver, any other through SQLAlchemy."""
    plan = plan_for(statement, connection.dialect, parameters)
    if plan is not None and (plan.many or not isinstance(parameters, list)):
        return plan.run(connection, parameters)
    if parameters is None:
        return connection.execute(statement)
    return connection.execute(statement, parameters)


def driver_error(
    connection: Connection, exc: Exception, sql: str, parameters: Any, cursor: Any = None
) -> DBAPIError:
    """`exc` as SQLAlchemy would raise it; if the connection is lost, it is invalidated (and
    the pool's other connections made before it with it), as SQLAlchemy does."""
    dialect = connection.dialect
    raw = connection.connection.dbapi_connection
    lost = dialect.is_disconnect(cast(Any, exc), raw, cursor)
    wrapped = DBAPIError.instance(
        sql, parameters, exc, dialect.loaded_dbapi.Error, connection_invalidated=lost
    )
    if lost:  # as Connection._handle_dbapi_exception does
        connection.engine.pool._invalidate(connection.connection, exc)
        connection.invalidate(exc)
    return cast(DBAPIError, wrapped)


def _sqlite_utc_in(value: datetime | None) -> str | None:
    # What SQLAlchemy's SQLite DateTime stores ("2027-01-04 07:00:00.000000"), in UTC.
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"refusing to store naive datetime {value.isoformat()}")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_utc_out(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


class _Bind:
    """One parameter of a compiled statement: where its value comes from and how it is
    processed (what `SQLCompiler.construct_params` and the bind processors would do)."""

    __slots__ = ("default", "key", "name", "processor", "required")

    def __init__(self, name: str, bind: BindParameter[Any], processor: Processor) -> None:
        self.name, self.key, self.required = name, bind.key, bind.required
        self.default = bind.effective_value if not bind.required else None
        self.processor = processor

    def value(self, given: Mapping[str, Any]) -> Any:
        if self.key in given:
            value = given[self.key]
        elif self.name in given:
            value = given[self.name]
        elif self.required:
            raise InvalidRequestError(f"A value is required for bind parameter {self.key!r}")
        else:
            value = self.default
        return value if self.processor is None else self.processor(value)


class Plan:
    """How to run one statement on one dialect's driver."""

    def __init__(
        self,
        compiled: SQLCompiler,
        dialect: Dialect,
        binds: list[_Bind] | None,
        keys: list[str] | None,
        outputs: list[Processor] | None,
    ) -> None:
        self.compiled = compiled
        self.sql = compiled.string
        self.positional = dialect.positional
        self.binds = binds  # None: IN lists, expanded by SQLAlchemy for each execution
        # Every parameter's processor, for expanded statements: SQLAlchemy's, with the same
        # UtcDateTime text on SQLite as `_binds` uses.
        self.processors: dict[str, Any] = dict(compiled._bind_processors)
        if dialect.name == "sqlite":
            for bind, name in compiled.bind_names.items():
                if isinstance(bind.type, UtcDateTime):
                    self.processors[name] = _sqlite_utc_in
        self.keys = keys
        self.converters = [(i, p) for i, p in enumerate(outputs or ()) if p is not None]
        self.returns_rows = keys is not None
        # Rows read by position, by name (row.seq) or as mappings, like SQLAlchemy's Row.
        self.row_type: Any = namedtuple("Row", keys or (), rename=True)  # type: ignore[misc]
        self.driver_error: type[Exception] = dialect.loaded_dbapi.Error
        self.many = not compiled.effective_returning and binds is not None

    @classmethod
    def make(cls, statement: Any, dialect: Dialect, columns: tuple[str, ...]) -> Plan | None:
        compiled = statement.compile(dialect=dialect, column_keys=list(columns) or None)
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
        binds = None if compiled.post_compile_params else cls._binds(compiled, dialect)
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
                outputs.append(_sqlite_utc_out)
            elif sqlite and isinstance(kind, JSON):
                outputs.append(json.loads)  # text, as SQLAlchemy's SQLite JSON reads it
            else:
                outputs.append(kind._cached_result_processor(dialect, None))
        return cls(compiled, dialect, binds, keys, outputs)

    @staticmethod
    def _binds(compiled: SQLCompiler, dialect: Dialect) -> list[_Bind] | None:
        sqlite = dialect.name == "sqlite"
        processors = compiled._bind_processors
        by_name = {name: bind for bind, name in compiled.bind_names.items()}
        names = list(compiled.positiontup or []) if dialect.positional else list(by_name)
        binds = []
        for name in names:
            bind = by_name[name]
            if bind.callable is not None:
                return None  # a value computed at execution: let SQLAlchemy call it
            processor = processors.get(name)
            if sqlite and isinstance(bind.type, UtcDateTime):
                processor = _sqlite_utc_in
            elif processor is not None and not callable(processor):
                return None  # a tuple type's processors
            binds.append(_Bind(name, bind, processor))
        return binds

    def parameters(self, given: Mapping[str, Any] | None) -> Any:
        given = given or {}
        if self.binds is None:
            return None
        if self.positional:
            return tuple([b.value(given) for b in self.binds])
        return {b.name: b.value(given) for b in self.binds}

    def expanded(self, given: Mapping[str, Any] | None) -> tuple[str, Any]:
        """The SQL and parameters with IN lists expanded, as SQLAlchemy expands them."""
        state = self.compiled.construct_expanded_state(given or {})
        processors = dict(self.processors)  # as SQLAlchemy merges them (engine/default.py)
        processors.update(state.processors or {})
        values = state.parameters

        def processed(name: str) -> Any:
            processor = processors.get(name)
            return values[name] if processor is None else processor(values[name])

        if self.positional:
            return state.statement, tuple([processed(n) for n in state.positiontup or ()])
        return state.statement, {name: processed(name) for name in values}

    def run(self, connection: Connection, given: Any) -> FastResult:
        """Execute with `given` (a dict, or a list of dicts for many rows without RETURNING).
        Errors are raised as SQLAlchemy raises them: a driver error as its DBAPIError
        (IntegrityError, OperationalError; a lost connection is invalidated, so the next unit
        of work gets a new one), a value that cannot be bound as StatementError."""
        many = isinstance(given, list)
        sql = self.sql
        try:
            if many:
                parameters: Any = [self.parameters(g) for g in given]
            elif self.binds is None:
                sql, parameters = self.expanded(given)
            else:
                parameters = self.parameters(given)
        except Exception as exc:  # a bind processor refused a value (a naive datetime, say)
            raise StatementError(str(exc), sql, given, exc) from exc
        driver = connection.connection.driver_connection
        events = connection._has_events or connection.engine._has_events
        cursor = None
        try:
            cursor = driver.cursor()  # type: ignore[union-attr]
            if events:
                connection.dispatch.before_cursor_execute(
                    connection, cursor, sql, parameters, None, many
                )
            found: list[Sequence[Any]] = []
            if many:
                cursor.executemany(sql, parameters)
            else:
                cursor.execute(sql, parameters)
                if self.returns_rows:
                    found = cursor.fetchall()
            count = cursor.rowcount
            if events:
                connection.dispatch.after_cursor_execute(
                    connection, cursor, sql, parameters, None, many
                )
        except self.driver_error as exc:
            raise driver_error(connection, exc, sql, parameters, cursor) from exc
        finally:
            if cursor is not None:
                cursor.close()
        make = self.row_type._make
        if not self.converters:
            return FastResult(self, [make(row) for row in found], count)
        rows = []
        for row in found:
            values = list(row)
            for i, convert in self.converters:
                value = values[i]
                if value is not None:
                    values[i] = convert(value)
            rows.append(make(values))
        return FastResult(self, rows, count)


class FastResult:
    """The part of SQLAlchemy's `Result` the repositories use, over rows already fetched."""

    def __init__(self, plan: Plan, rows: list[Sequence[Any]], rowcount: int) -> None:
        self.plan = plan
        self.rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Sequence[Any]]:
        return iter(self.rows)

    def all(self) -> list[Sequence[Any]]:
        return list(self.rows)

    def first(self) -> Sequence[Any] | None:
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None

    def one(self) -> Sequence[Any]:
        if len(self.rows) != 1:
            raise NoResultFound("ingen rad") if not self.rows else MultipleResultsFound("flera")
        return self.rows[0]

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalars(self) -> list[Any]:
        return [row[0] for row in self.rows]

    def mappings(self) -> FastMappings:
        return FastMappings(
            [dict(zip(self.plan.keys or (), row, strict=True)) for row in self.rows]
        )


class FastMappings:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def all(self) -> list[dict[str, Any]]:
        return list(self.rows)

    def first(self) -> dict[str, Any] | None:
        return self.rows[0] if self.rows else None
