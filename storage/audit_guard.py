"""Database triggers that keep the audit log append-only: UPDATE and DELETE are refused on
SQLite and PostgreSQL, TRUNCATE too on PostgreSQL. A database owner can still drop them; the
hash chain (`lofte audit verify`) shows what was done then, and `lofte init` puts them back.
Each database's triggers are its driver's (`storage.drivers`)."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from lofte.storage.drivers import driver_class


def present_triggers(engine: Engine) -> set[str]:
    query = driver_class(engine.dialect.name).triggers_query
    with engine.connect() as connection:
        return {str(name) for (name,) in connection.execute(text(query))}


def ensure_audit_triggers(engine: Engine) -> list[str]:
    """Create the protecting triggers that are missing (or disabled); returns their names."""
    if "audit_events" not in inspect(engine).get_table_names():
        return []
    driver = driver_class(engine.dialect.name)
    wanted = driver.audit_triggers
    missing = sorted(set(wanted) - present_triggers(engine))
    if not missing:
        return []
    with engine.begin() as connection:
        for setup in driver.trigger_setup:
            connection.execute(text(setup))
        for name in missing:
            connection.execute(text(driver.drop_trigger(name)))
            connection.execute(text(wanted[name]))
    return missing
