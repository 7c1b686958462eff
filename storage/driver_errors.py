"""A driver's error raised as SQLAlchemy raises it, for statements run on the driver
(`storage.fast_sql`, `storage.postgres_direct`, the transaction statements of
`storage.unit_of_work`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

# What a deferred write's caller makes of its error: another error to raise instead, or None.
Failed = Callable[[DBAPIError], Exception | None] | None


def driver_error(
    connection: Connection, exc: Exception, sql: str, parameters: Any, cursor: Any = None
) -> Exception:
    """`exc` as SQLAlchemy would raise it; if the connection is lost, it is invalidated (and
    the pool's other connections made before it with it), as SQLAlchemy does. A deferred
    write's error is what its `failed` makes of it (`write`)."""
    dialect = connection.dialect
    raw = connection.connection.dbapi_connection
    lost = dialect.is_disconnect(cast(Any, exc), raw, cursor)
    wrapped = DBAPIError.instance(
        sql, parameters, exc, dialect.loaded_dbapi.Error, connection_invalidated=lost
    )
    if lost:  # as Connection._handle_dbapi_exception does
        connection.engine.pool._invalidate(connection.connection, exc)
        connection.invalidate(exc)
    if dialect.name == "postgresql":
        from storage.postgres_direct import instead_of

        return instead_of(connection.connection, cast(DBAPIError, wrapped))
    return cast(DBAPIError, wrapped)
