"""Backups of the embedded database: SQLite's online backup (consistent while the engine
runs), and a restore that refuses to overwrite unless told. PostgreSQL is backed up with its
own tools (`pg_dump -Fc`, restored with `pg_restore`)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from lofte.kernel.errors import ConfigError
from lofte.storage.drivers import driver_class

PG_HINT = (
    "PostgreSQL säkerhetskopieras med dess egna verktyg: `pg_dump -Fc -f lofte.dump DATABAS` "
    "och återställs med `pg_restore -d DATABAS lofte.dump`; kontrollera sedan med "
    "`lofte audit verify`"
)


def sqlite_path(url: str) -> Path:
    parsed = make_url(url)
    if (
        not parsed.drivername.startswith("sqlite")
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        raise ConfigError(
            PG_HINT if parsed.drivername.startswith("postgresql") else f"{url}: ingen SQLite-fil"
        )
    return Path(str(parsed.database)).expanduser().resolve()


def backup(engine: Engine, target: Path) -> int:
    """Copy the live database to `target` (which must not exist); returns its size in bytes."""
    if not driver_class(engine.dialect.name).file_backup:
        raise ConfigError(PG_HINT)
    if target.exists():
        raise ConfigError(f"{target} finns redan; välj ett nytt namn för säkerhetskopian")
    if not target.parent.is_dir():
        raise ConfigError(f"mappen {target.parent} finns inte")
    partial = target.with_name(target.name + ".part")
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        with sqlite3.connect(partial) as copy:
            source.backup(copy)
        os.replace(partial, target)
    finally:
        raw.close()
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def restore(source: Path, target: Path, *, overwrite: bool) -> None:
    """Put a backup file in place of the database file at `target`."""
    if not source.is_file():
        raise ConfigError(f"säkerhetskopian {source} finns inte")
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as check:
        if check.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise ConfigError(f"{source} är skadad (integrity_check)")
    if target.exists() and not overwrite:
        raise ConfigError(f"{target} finns redan; lägg till --force för att ersätta den")
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    partial = target.with_name(target.name + ".part")
    shutil.copyfile(source, partial)
    os.replace(partial, target)
