"""The audit key: the secret of the audit chain's HMAC (`workflow.core.audit_chain`), kept
apart from the database like the data key, and configured the same way.

Where the keys come from, in order: LOFTE_AUDIT_KEY (keys separated by commas, newest first),
LOFTE_AUDIT_KEY_FILE (one key per line, newest first), else `lofte-audit.key` beside the SQLite
database (or in the working folder for PostgreSQL), made by `lofte init` with mode 0600. The
newest key signs new events; an older one stays listed for as long as events signed with it
are kept (for ever, in an append-only log), so `lofte audit verify` can check them.
A key has the data key's shape (`lofte keys new` prints one).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from lofte.kernel.errors import ConfigError
from lofte.storage.sensitive_keys import default_key_file, new_key, parse_keys, write_keys
from lofte.workflow.core.audit_chain import AuditKey, AuditKeys

AUDIT_KEY_FILE_NAME = "lofte-audit.key"
HEADER = "# Löfte: granskningsloggens nycklar, nyaste först. Ta aldrig bort en gammal nyckel.\n"


def audit_key_file(database_url: str, env: Mapping[str, str] | None = None) -> Path | None:
    """The file the audit keys are kept in, or None when LOFTE_AUDIT_KEY gives them."""
    env = os.environ if env is None else env
    if env.get("LOFTE_AUDIT_KEY"):
        return None
    configured = env.get("LOFTE_AUDIT_KEY_FILE")
    return Path(configured) if configured else default_key_file(database_url, AUDIT_KEY_FILE_NAME)


def load_audit_keys(
    database_url: str, *, create: bool, env: Mapping[str, str] | None = None
) -> AuditKeys:
    """The audit keys for `database_url`. Without any: with `create`, a new key file; else an
    empty list whose `missing` says what to do (appending refuses, verifying reports it)."""
    env = os.environ if env is None else env
    if env.get("LOFTE_AUDIT_KEY"):
        return _keys(parse_keys(env["LOFTE_AUDIT_KEY"], "LOFTE_AUDIT_KEY"), "LOFTE_AUDIT_KEY")
    path = audit_key_file(database_url, env)
    assert path is not None
    if not path.exists():
        if not path.parent.is_dir():
            raise ConfigError(f"mappen {path.parent} för granskningsnyckeln finns inte")
        if not create:
            return AuditKeys(
                (),
                str(path),
                f"granskningsnyckeln saknas: filen {path} finns inte. Kör `lofte init` för att "
                "skapa den, eller ange LOFTE_AUDIT_KEY_FILE eller LOFTE_AUDIT_KEY med den "
                "nyckel som loggen skrivits med",
            )
        write_keys(path, (new_key(),), HEADER)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"granskningsnyckelns fil {path} går inte att läsa ({exc})") from None
    return _keys(parse_keys(text, str(path)), str(path))


def rotate_audit_key(database_url: str, env: Mapping[str, str] | None = None) -> AuditKeys:
    """A new key first in the key file, the old ones kept after it (they verify old events)."""
    env = os.environ if env is None else env
    path = audit_key_file(database_url, env)
    if path is None:
        raise ConfigError(
            "LOFTE_AUDIT_KEY anger nycklarna: skapa en ny med `lofte keys new`, sätt den först "
            "i LOFTE_AUDIT_KEY och behåll de gamla efter den (kommaseparerade)"
        )
    current = load_audit_keys(database_url, create=False, env=env)
    current.current  # noqa: B018  (raises the missing key's message)
    secrets = (new_key(), *(k.secret for k in current.keys))
    write_keys(path, secrets, HEADER)
    return _keys(secrets, str(path))


def _keys(secrets: tuple[bytes, ...], source: str) -> AuditKeys:
    if not secrets:
        raise ConfigError(f"{source}: ingen granskningsnyckel")
    return AuditKeys(tuple(AuditKey(s) for s in secrets), source)


def throwaway_audit_keys() -> AuditKeys:
    """A fresh audit key held in memory only: for tests, benchmarks and simulations."""
    return AuditKeys((AuditKey(new_key()),), "minnet (tillfällig granskningsnyckel)")
