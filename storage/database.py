"""Database engines and migrations. SQLite (WAL) is the embedded default; PostgreSQL for
production and for several engine processes.

SQLite runs with `synchronous=NORMAL` in WAL mode by default: a committed transaction survives
a crash of Löfte, but the last transactions before a power failure or OS crash may be lost
(the database stays consistent). `LOFTE_SQLITE_SYNCHRONOUS=FULL` syncs every commit.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from lofte.kernel.errors import ConfigError
from lofte.storage import json_text
from lofte.storage.audit_guard import ensure_audit_triggers
from lofte.storage.driver_errors import driver_error

DEFAULT_URL = "sqlite:///lofte.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SYNCHRONOUS = ("OFF", "NORMAL", "FULL")
READ_ONLY = "lofte_read_only"  # execution option: a transaction that only reads


def database_url(explicit: str | None = None) -> str:
    """The URL to use: an explicit one, else LOFTE_DATABASE_URL, else ./lofte.db."""
    return explicit or os.environ.get("LOFTE_DATABASE_URL") or DEFAULT_URL


def sqlite_synchronous(durable: bool = True) -> str:
    if not durable:
        return "OFF"
    chosen = os.environ.get("LOFTE_SQLITE_SYNCHRONOUS", "NORMAL").strip().upper()
    if chosen not in SYNCHRONOUS:
        raise ConfigError(f"LOFTE_SQLITE_SYNCHRONOUS={chosen!r}: välj NORMAL (standard) eller FULL")
    return chosen


def make_engine(url: str, *, durable: bool = True, throw_away: bool = False) -> Engine:
    """An engine for `url`. `durable=False` trades crash safety for speed (SQLite commits are
    not synced). `throw_away=True` (implies `durable=False`) is for a SQLite database that only
    this process opens and that is deleted afterwards (`lofte simulate` without `--database`):
    its rollback journal is kept in memory instead of a write-ahead log, so each changed page
    is written once at commit (a WAL writes it with a checksum and copies it again at every
    checkpoint: about a tenth of the engine's time in a simulated year). A crash leaves such a
    database unusable, and no other process may read it while it is written."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"databasadressen {url[:200]!r} är inte giltig; exempel: sqlite:///lofte.db eller "
            "postgresql://user@host:5432/db"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite"):
        synchronous = sqlite_synchronous(durable and not throw_away)
        return _sqlite_engine(parsed, synchronous, "MEMORY" if throw_away else "WAL")
    if not parsed.drivername.startswith("postgresql"):
        raise ConfigError(f"databasadressen {url[:200]!r}: bara sqlite:/// och postgresql:// stöds")
    engine = create_engine(
        parsed,
        # psycopg prepares nothing itself: on ROLLBACK it would DEALLOCATE ALL, also the
        # statements storage.postgres_direct prepared.
        connect_args={"connect_timeout": 10, "prepare_threshold": None},
        pool_pre_ping=True,
        pool_size=5,
        # What the audit chain's lock and the claims rely on (a statement sees what committed
        # before it began), whatever the server's or the role's default.
        isolation_level="READ COMMITTED",
        json_serializer=json_text.dumps,
        json_deserializer=json_text.loads,  # psycopg's loader for json columns
    )

    @event.listens_for(engine, "before_cursor_execute")
    def _deferred_first(connection: Any, _cursor: Any, *_args: Any) -> None:
        # A unit of work's deferred writes (storage.postgres_direct) go before a statement
        # SQLAlchemy runs; SQLAlchemy's statements come with an execution context, the
        # prebuilt ones (storage.fast_sql) without.
        if _args[2] is not None:
            from lofte.storage.postgres_direct import flush_for

            flush_for(connection)

    @event.listens_for(engine, "reset")
    def _deferred_dropped(dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
        # Back to the pool: writes deferred outside a unit of work are never another's.
        from lofte.storage.postgres_direct import discard

        discard(connection_record.info)

    return engine


def _sqlite_engine(parsed: Any, synchronous: str, journal: str) -> Engine:
    database = parsed.database
    if database and database != ":memory:":
        folder = Path(database).expanduser().resolve().parent
        if not folder.is_dir():
            raise ConfigError(f"databasens mapp {folder} finns inte")
    engine = create_engine(
        parsed,
        connect_args={"timeout": 30, "check_same_thread": False},
        json_serializer=json_text.dumps,
        json_deserializer=json_text.loads,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA journal_mode={journal}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock at the start, so two engine processes serialise instead of
        # failing half-way with "database is locked"; read-only work takes no lock.
        # Straight to the driver: SQLAlchemy's statement machinery would cost more than BEGIN.
        statement = (
            "BEGIN" if connection.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
        )
        driver = connection.connection.driver_connection
        if driver.in_transaction:  # a unit of work began it on the driver (storage.unit_of_work)
            return
        try:
            driver.execute(statement)
        except sqlite3.Error as exc:  # locked past the busy timeout: retryable, as SQLAlchemy
            raise driver_error(connection, exc, statement, None) from exc  # would raise it

    return engine


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
    return restored if revision is not None else []  # a new database: nothing was missing


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
