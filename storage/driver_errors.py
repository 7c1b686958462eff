"""A driver's error raised as SQLAlchemy raises it, for statements run on the driver
(`storage.fast_sql`, `storage.postgres_direct`, the transaction statements of
`storage.unit_of_work`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from lofte.storage.library_internals import invalidate_pool

# What a deferred write's caller makes of its error: another error to raise instead, or None.
Failed = Callable[[DBAPIError], Exception | None] | None


def driver_error(
    connection: Connection, exc: Exception, sql: str, parameters: Any, cursor: Any = None
) -> Exception:
    """`exc` as SQLAlchemy would raise it; if the connection is lost, it is invalidated (and
    the pool's other connections made before it with it), as SQLAlchemy does. The error of a
    statement sent in a pipeline (`storage.postgres_direct`) names that statement, and a
    deferred write's error is what its `failed` makes of it (unless the connection is lost)."""
    dialect = connection.dialect
    pooled = connection.connection
    lost = dialect.is_disconnect(cast(Any, exc), pooled.dbapi_connection, cursor)
    sql, parameters = getattr(exc, "lofte_statement", (sql, parameters))
    wrapped = DBAPIError.instance(
        sql, parameters, exc, dialect.loaded_dbapi.Error, connection_invalidated=lost
    )
    if lost:  # as Connection._handle_dbapi_exception does
        invalidate_pool(connection, pooled, exc)
        connection.invalidate(exc)
        return wrapped
    failed = getattr(exc, "lofte_failed", None)
    return (failed(cast(DBAPIError, wrapped)) or wrapped) if failed is not None else wrapped
