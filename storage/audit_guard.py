"""Database triggers that keep the audit log append-only: UPDATE and DELETE are refused on
SQLite and PostgreSQL, TRUNCATE too on PostgreSQL. A database owner can still drop them; the
hash chain (`lofte audit verify`) shows what was done then, and `lofte init` puts them back."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

SQLITE_TRIGGERS = {
    "audit_events_no_update": (
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
    ),
    "audit_events_no_delete": (
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
    ),
}
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION lofte_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql
"""
PG_TRIGGERS = {
    "audit_events_no_update": (
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION lofte_audit_append_only()"
    ),
    "audit_events_no_truncate": (
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION lofte_audit_append_only()"
    ),
}


def present_triggers(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            found = connection.execute(
                text(
                    "SELECT name FROM sqlite_master "
                    "WHERE type='trigger' AND tbl_name='audit_events'"
                )
            )
        else:
            found = connection.execute(
                text(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass "
                    "AND NOT tgisinternal AND tgenabled <> 'D'"
                )
            )
        return {str(name) for (name,) in found}


def ensure_audit_triggers(engine: Engine) -> list[str]:
    """Create the protecting triggers that are missing (or disabled); returns their names."""
    if "audit_events" not in inspect(engine).get_table_names():
        return []
    wanted = SQLITE_TRIGGERS if engine.dialect.name == "sqlite" else PG_TRIGGERS
    missing = sorted(set(wanted) - present_triggers(engine))
    if not missing:
        return []
    with engine.begin() as connection:
        if engine.dialect.name != "sqlite":
            connection.execute(text(PG_FUNCTION))
        for name in missing:
            connection.execute(
                text(f"DROP TRIGGER IF EXISTS {name} ON audit_events")
                if engine.dialect.name != "sqlite"
                else text(f"DROP TRIGGER IF EXISTS {name}")
            )
            connection.execute(text(wanted[name]))
    return missing
