"""Every use of SQLAlchemy's and psycopg's private attributes, in one place.

The fast path (`storage.fast_sql`, `storage.plans`, `storage.postgres_direct`) runs prebuilt
statements on the driver with what SQLAlchemy compiled and what psycopg would send; for that it
reads parts of both libraries that are not their public API. Each such read is a function here
with a comment on what it relies on, and `tests/storage/test_library_internals.py` checks each
assumption directly, naming the library and attribute when an upgrade changes it. Until such a
break is mended, `LOFTE_SQL_PATH=sqlalchemy` runs every statement through plain SQLAlchemy Core
(`storage.drivers`), which needs none of this.

The plans also read attributes of SQLAlchemy's `SQLCompiler` that carry no underscore but are
not documented either (`COMPILER_ATTRIBUTES`); the test checks that they are there.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

# SQLCompiler's undocumented attributes the plans read (storage.plans, storage.in_lists)
COMPILER_ATTRIBUTES = (
    "bind_names",  # BindParameter -> its name in the SQL
    "binds",  # name -> BindParameter
    "positiontup",  # a positional dialect's parameter names in order
    "post_compile_params",  # IN lists (expanding) and literal-execute parameters
    "literal_execute_params",
    "escaped_bind_names",
    "insert_prefetch",  # Python-side defaults computed at execution
    "update_prefetch",
    "effective_returning",
    "construct_expanded_state",  # SQLAlchemy's own expansion of IN lists
)


# --- SQLAlchemy ---------------------------------------------------------------------------


def bind_processors(compiled: SQLCompiler) -> Mapping[str, Any]:
    """`SQLCompiler._bind_processors`: parameter name -> its type's bind processor for the
    compiled dialect (a callable, or a tuple of them for a tuple type); parameters without
    one are absent. What SQLAlchemy itself applies in `construct_params`' caller."""
    return compiled._bind_processors


def result_columns(compiled: SQLCompiler) -> Iterator[tuple[str, Any]]:
    """`SQLCompiler._result_columns`: one entry per column of the rows the statement returns,
    in order, as (keyname, name, objects, type) tuples; we read the keyname (the row's key)
    and the type (whose result processor converts the driver's value)."""
    for column in compiled._result_columns:
        yield column[0], column[3]


def result_processor(type_: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    """`TypeEngine._cached_result_processor(dialect, coltype)`: the type's result processor
    for the dialect, made once per dialect and type (what a `CursorResult` uses); `coltype`
    None, as the driver's column type is not known before the statement runs."""
    return type_._cached_result_processor(dialect, None)  # type: ignore[no-any-return]


def has_values(statement: Any) -> bool:
    """`ValuesBase._values` / `_multi_values`: whether `.values()` was called on an INSERT.
    Without it, an INSERT inserts the columns its parameters name (as SQLAlchemy compiles it
    with `column_keys`), so its plan depends on those names."""
    return bool(getattr(statement, "_values", None) or getattr(statement, "_multi_values", None))


def insertmanyvalues(compiled: SQLCompiler) -> tuple[str, bool] | None:
    """`SQLCompiler._insertmanyvalues` of an INSERT compiled `for_executemany`: the text of its
    one VALUES group (`single_values_expr`, which "insertmanyvalues" repeats per row) and
    whether SQLAlchemy would batch it differently (`is_default_expr`: DEFAULT VALUES;
    `sentinel_columns`: rows matched back by a sentinel). None if it has none."""
    values = getattr(compiled, "_insertmanyvalues", None)
    if values is None:
        return None
    return values.single_values_expr, bool(values.is_default_expr or values.sentinel_columns)


def invalidate_pool(connection: Connection, pooled: Any, exc: BaseException) -> None:
    """`Pool._invalidate(connection, exception)`: what `Connection._handle_dbapi_exception`
    does on a disconnect, besides invalidating the connection itself: the pool's connections
    made before it are invalidated too (they are on the same lost server)."""
    connection.engine.pool._invalidate(pooled, exc)


def cursor_listeners(connection: Connection) -> tuple[Any, Any]:
    """`Connection.dispatch.before_cursor_execute` / `.after_cursor_execute`: the engine's and
    connection's listeners of those events, callable with the arguments SQLAlchemy passes
    (falsy if there are none), called by the plans around a statement on the driver."""
    dispatch = connection.dispatch
    return dispatch.before_cursor_execute, dispatch.after_cursor_execute


# --- psycopg (imported only for PostgreSQL) ---------------------------------------------------


class Psycopg:
    """psycopg's undocumented pieces `storage.postgres_direct` sends statements with."""

    def __init__(self) -> None:
        from psycopg import adapt, errors, generators

        # Generators over a `PGconn` that psycopg's own cursors drive: `execute` sends what
        # was queued and collects the results of one query; `send` flushes what a pipeline
        # queued; `fetch_many` collects the results up to the next sync or query end.
        self.execute_generator = generators.execute
        self.send_generator = generators.send
        self.fetch_many = generators.fetch_many
        # `Transformer(connection)`: the adapters a cursor of that connection uses; its
        # `dump_sequence(values, formats)` dumps parameters (setting `types` and `formats`),
        # `set_pgresult(result)` and `load_rows(first, last, make_row)` load rows.
        self.transformer: Callable[[Any], Any] = adapt.Transformer
        # `errors.error_from_result(result, encoding=...)`: the exception class a cursor
        # raises for a failed result (by its SQLSTATE), with its diagnostics.
        self.error_from_result: Callable[..., Exception] = errors.error_from_result

    @staticmethod
    def wait(driver: Any, generator: Any) -> Any:
        """`Connection.wait(generator)`: runs a generator to its end on the connection's
        socket, as psycopg does for a cursor's query (a Ctrl-C cancels the query)."""
        return driver.wait(generator)


@functools.cache
def psycopg_internals() -> Psycopg:
    return Psycopg()
