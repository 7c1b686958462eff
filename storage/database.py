"""Database engines and migrations. SQLite (WAL) is the embedded default; PostgreSQL for
production and for several engine processes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from workflow.errors import ConfigError

DEFAULT_URL = "sqlite:///lofte.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(explicit: str | None = None) -> str:
    """The URL to use: an explicit one, else LOFTE_DATABASE_URL, else ./lofte.db."""
    return explicit or os.environ.get("LOFTE_DATABASE_URL") or DEFAULT_URL


def make_engine(url: str, *, durable: bool = True, schema: str | None = None) -> Engine:
    """An engine for `url`. `durable=False` trades crash safety for speed (throw-away runs).

    `schema` (PostgreSQL only) puts every table in that schema, e.g. one per test.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"database URL {url!r} is not valid: {exc}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite"):
        return _sqlite_engine(parsed, durable)
    if not parsed.drivername.startswith("postgresql"):
        raise ConfigError(
            f"database URL {url!r}: only sqlite:/// and postgresql:// databases are supported"
        )
    connect_args: dict[str, Any] = {"connect_timeout": 10}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    return create_engine(parsed, connect_args=connect_args, pool_pre_ping=True)


def _sqlite_engine(parsed: Any, durable: bool) -> Engine:
    database = parsed.database
    if database and database != ":memory:":
        folder = Path(database).expanduser().resolve().parent
        if not folder.is_dir():
            raise ConfigError(f"database folder {folder} does not exist")
    engine = create_engine(parsed, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute(f"PRAGMA synchronous={'NORMAL' if durable else 'OFF'}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock at the start, so two engine processes serialise instead of
        # failing half-way with "database is locked".
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()


def is_migrated(engine: Engine) -> bool:
    return "alembic_version" in inspect(engine).get_table_names()
