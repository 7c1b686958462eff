"""One driver per database (`SqliteDriver`, `PostgresDriver`), chosen once from an engine's URL.

Nothing outside this package asks which database it is on: it asks the driver
(`driver_for(engine)`, or a unit of work's `driver`), and statements that differ are built once
per driver at import (`per_driver`). See `storage.drivers.base` for the switch between the fast
path and plain SQLAlchemy (`LOFTE_SQL_PATH`).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import URL, Dialect

from lofte.kernel.errors import ConfigError
from lofte.storage.drivers.base import READ_ONLY, SQL_PATHS, Driver, sql_path_from_env
from lofte.storage.drivers.postgres import PostgresDriver
from lofte.storage.drivers.sqlite import SqliteDriver, sqlite_synchronous

__all__ = [
    "DRIVERS",
    "READ_ONLY",
    "SQL_PATHS",
    "Driver",
    "PostgresDriver",
    "SqliteDriver",
    "driver_class",
    "driver_for",
    "driver_of_url",
    "per_driver",
    "serve",
    "sql_path_from_env",
    "sqlite_synchronous",
]

DRIVERS: dict[str, type[Driver]] = {
    SqliteDriver.name: SqliteDriver,
    PostgresDriver.name: PostgresDriver,
}
# engine's dialect -> its driver (an engine's copies made by `execution_options` share both)
_BACKENDS = {**DRIVERS, "postgres": PostgresDriver}  # a URL's database (before any `+driver`)
_SERVING: weakref.WeakKeyDictionary[Dialect, Driver] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def driver_class(dialect_name: str) -> type[Driver]:
    try:
        return DRIVERS[dialect_name]
    except KeyError:
        raise ConfigError(f"databasen {dialect_name!r}: bara SQLite och PostgreSQL stöds") from None


def driver_of_url(url: URL) -> type[Driver] | None:
    """The driver for a URL (`sqlite://...`, `postgresql://...`, `postgresql+psycopg://...`,
    `postgres://...`); None for any other database."""
    return _BACKENDS.get(url.drivername.split("+")[0])


def serve(engine: Engine, driver: Driver) -> Engine:
    driver.serve(engine)
    with _LOCK:
        _SERVING[engine.dialect] = driver
    return engine


def driver_for(engine: Engine) -> Driver:
    """The driver serving `engine`: the one that made it (`storage.database.make_engine`), or
    for an engine made otherwise, one made now for its dialect and LOFTE_SQL_PATH."""
    found = _SERVING.get(engine.dialect)
    if found is None:
        found = driver_class(engine.dialect.name)(sql_path_from_env())
        serve(engine, found)
    return found


def per_driver(make: Callable[[type[Driver]], Any]) -> dict[str, Any]:
    """A statement built at import for each driver, by its name (`Driver.name`)."""
    return {name: make(driver) for name, driver in DRIVERS.items()}
