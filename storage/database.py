"""Database engines and migrations. SQLite (WAL) is the embedded default; PostgreSQL for
production and for several engine processes.

SQLite runs with `synchronous=NORMAL` in WAL mode by default: a committed transaction survives
a crash of Löfte, but the last transactions before a power failure or OS crash may be lost
(the database stays consistent). `LOFTE_SQLITE_SYNCHRONOUS=FULL` syncs every commit.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from lofte.kernel.errors import ConfigError
from lofte.storage.audit_guard import ensure_audit_triggers
from lofte.storage.drivers import (
    READ_ONLY,
    driver_for,
    driver_of_url,
    serve,
    sql_path_from_env,
    sqlite_synchronous,
)

__all__ = ["READ_ONLY", "make_engine", "migrate", "sqlite_synchronous"]

DEFAULT_URL = "sqlite:///lofte.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(explicit: str | None = None) -> str:
    """The URL to use: an explicit one, else LOFTE_DATABASE_URL, else ./lofte.db."""
    return explicit or os.environ.get("LOFTE_DATABASE_URL") or DEFAULT_URL


def make_engine(
    url: str, *, durable: bool = True, throw_away: bool = False, sql_path: str | None = None
) -> Engine:
    """An engine for `url`, served by its database's driver (`storage.drivers`), on the SQL path
    given or LOFTE_SQL_PATH's. `durable=False` trades crash safety for speed (SQLite commits
    are not synced). `throw_away=True` (implies `durable=False`) is for a SQLite database that
    only this process opens and that is deleted afterwards (`lofte simulate` without
    `--database`): its rollback journal is kept in memory instead of a write-ahead log, so each
    changed page is written once at commit (a WAL writes it with a checksum and copies it again
    at every checkpoint: about a tenth of the engine's time in a simulated year). A crash
    leaves such a database unusable, and no other process may read it while it is written."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"databasadressen {url[:200]!r} är inte giltig; exempel: sqlite:///lofte.db eller "
            "postgresql://user@host:5432/db"
        ) from None
    kind = driver_of_url(parsed)
    if kind is None:
        raise ConfigError(f"databasadressen {url[:200]!r}: bara sqlite:/// och postgresql:// stöds")
    driver = kind(sql_path or sql_path_from_env())
    return serve(driver.make_engine(parsed, durable=durable, throw_away=throw_away), driver)


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    if "alembic_version" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as connection:
        value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


def migrate(engine: Engine) -> list[str]:
    """Bring the schema to the newest migration and make sure the audit log's protecting
    triggers are in place. Returns what had to be restored (for the administrator)."""
    revision = current_revision(engine)
    if revision is not None and revision not in known_revisions():
        raise ConfigError(
            f"databasen har schemaversion {revision!r}, som denna version av Löfte inte känner "
            "till (från Löfte 0.1 eller en nyare version); skapa en ny databas med `lofte init`"
        )
    config = _config()
    try:
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
    except OperationalError as exc:
        raise ConfigError(f"databasen går inte att öppna: {exc.orig}") from exc
    restored = ensure_audit_triggers(engine)
    analyze(engine)
    return restored if revision is not None else []  # a new database: nothing was missing


def analyze(engine: Engine) -> None:
    """Give the planner statistics now (after migrating, after a setup is loaded) rather than
    when PostgreSQL's auto-analyze gets round to a new database (`Driver.analyze`)."""
    with engine.connect() as connection:
        quote = connection.dialect.identifier_preparer.quote
        names = [quote(t) for t in inspect(connection).get_table_names()]
        statement = driver_for(engine).analyze(names)
        if statement is not None:
            connection.exec_driver_sql(statement)
            connection.commit()


def sqlite_file_missing(url: str) -> bool:
    """True for a SQLite URL whose file does not exist (opening it would create it)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return False
    database = parsed.database
    return (
        parsed.drivername.startswith("sqlite")
        and bool(database)
        and database != ":memory:"
        and not Path(str(database)).expanduser().exists()
    )


def is_migrated(engine: Engine) -> bool:
    revision = current_revision(engine)
    return revision is not None and revision in known_revisions()


def is_behind(engine: Engine) -> bool:
    """True for a database of this Löfte whose schema is older than the newest migration."""
    revision = current_revision(engine)
    head = ScriptDirectory.from_config(_config()).get_current_head()
    return revision is not None and revision != head
