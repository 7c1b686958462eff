"""Prebuilt statements run straight on the driver's cursor.

A repository's statements are built once, at import. SQLAlchemy compiles each once too (its
compiled cache), but every execution still pays its execution context, events and result
objects: about 45 us for a one-row SELECT on SQLite against 3 us on the driver, which made
SQLAlchemy the largest single cost of a step. `prepare_module` registers a module's prebuilt
statements; `Repository.execute` runs a registered one with a `Plan` made once per dialect from
SQLAlchemy's own compilation (its SQL text, the order of its parameters, the bind and result
processors of its column types), so the SQL and the stored values are exactly those SQLAlchemy
would have used. What a plan does not cover (IN lists expanded at execution, many rows with
RETURNING) runs through SQLAlchemy as before. Event listeners still see each statement.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler

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


def _sqlite_utc_in(value: datetime | None) -> str | None:
    # What SQLAlchemy's SQLite DateTime stores ("2027-01-04 07:00:00.000000"), in UTC.
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"refusing to store naive datetime {value.isoformat()}")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_utc_out(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


class Plan:
    """How to run one statement on one dialect's driver."""

    def __init__(
        self,
        compiled: SQLCompiler,
        dialect: Dialect,
        binds: list[tuple[str, Processor]],
        keys: list[str] | None,
        outputs: list[Processor] | None,
    ) -> None:
        self.compiled = compiled
        self.sql = compiled.string
        self.positional = dialect.positional
        self.binds = binds
        self.keys = keys
        self.outputs = outputs if outputs and any(outputs) else None
        self.returns_rows = keys is not None
        # Rows read by position, by name (row.seq) or as mappings, like SQLAlchemy's Row.
        self.row_type: Any = namedtuple("Row", keys or (), rename=True)  # type: ignore[misc]
        self.driver_error: type[Exception] = dialect.loaded_dbapi.Error
        self.many = not compiled.effective_returning

    @classmethod
    def make(cls, statement: Any, dialect: Dialect, columns: tuple[str, ...]) -> Plan | None:
        compiled = statement.compile(dialect=dialect, column_keys=list(columns) or None)
        if not isinstance(compiled, SQLCompiler):
            return None
        if (
            compiled.insert_prefetch
            or compiled.update_prefetch  # Python-side defaults, computed at execution
            or compiled.literal_execute_params
            or compiled.post_compile_params
            or compiled.escaped_bind_names
        ):
            return None  # expanded or renamed at execution (IN lists)
        sqlite = dialect.name == "sqlite"
        processors = compiled._bind_processors
        types = {name: bind.type for bind, name in compiled.bind_names.items()}
        names = list(compiled.positiontup or []) if dialect.positional else list(types)
        binds: list[tuple[str, Processor]] = []
        for name in names:
            kind = types[name]
            if sqlite and isinstance(kind, UtcDateTime):
                binds.append((name, _sqlite_utc_in))
            else:
                processor = processors.get(name)
                if processor is not None and not callable(processor):
                    return None  # a tuple type's processors
                binds.append((name, processor))
        if not compiled._result_columns:
            if statement.is_select or compiled.effective_returning or statement.is_text:
                return None  # rows of columns only SQLAlchemy knows
            return cls(compiled, dialect, binds, None, None)
        keys: list[str] = []
        outputs: list[Processor] = []
        for column in compiled._result_columns:
            keyname, kind = column[0], column[3]
            keys.append(keyname)
            if sqlite and isinstance(kind, UtcDateTime):
                outputs.append(_sqlite_utc_out)
            else:
                outputs.append(kind._cached_result_processor(dialect, None))
        return cls(compiled, dialect, binds, keys, outputs)

    def parameters(self, given: Mapping[str, Any] | None) -> Any:
        values = self.compiled.construct_params(given or {}, _check=True)
        if self.positional:
            return tuple(
                value if processor is None else processor(value)
                for name, processor in self.binds
                for value in (values[name],)
            )
        return {
            name: values[name] if processor is None else processor(values[name])
            for name, processor in self.binds
        }

    def run(self, connection: Connection, given: Any) -> FastResult:
        """Execute with `given` (a dict, or a list of dicts for many rows without RETURNING).
        A driver error is raised as SQLAlchemy would raise it (IntegrityError, say)."""
        many = isinstance(given, list)
        parameters = [self.parameters(g) for g in given] if many else self.parameters(given)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        if connection._has_events or connection.engine._has_events:
            connection.dispatch.before_cursor_execute(
                connection, cursor, self.sql, parameters, None, many
            )
        try:
            rows: list[Sequence[Any]] = []
            if many:
                cursor.executemany(self.sql, parameters)
            else:
                cursor.execute(self.sql, parameters)
                if self.returns_rows:
                    rows = cursor.fetchall()
            count = cursor.rowcount
        except self.driver_error as exc:
            raise DBAPIError.instance(self.sql, parameters, exc, self.driver_error) from exc
        finally:
            cursor.close()
        make = self.row_type._make
        if self.outputs is not None:
            outputs = self.outputs
            rows = [
                make(v if p is None else p(v) for v, p in zip(row, outputs, strict=True))
                for row in rows
            ]
        else:
            rows = [make(row) for row in rows]
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
