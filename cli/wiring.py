"""The composition root: builds the store, clock, engine, application and dispatcher that the
commands use. Imported lazily, so `lofte --help` starts fast."""

from __future__ import annotations

import dataclasses
import os
import socket
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from lofte.kernel.clock import Clock, FileClock, SystemClock
from lofte.kernel.durations import IsoDuration
from lofte.kernel.errors import ConfigError, NotInitialised
from lofte.storage.audit_head_file import HeadFile, head_file_path
from lofte.storage.audit_keys import load_audit_keys, throwaway_audit_keys
from lofte.storage.database import (
    database_url,
    is_behind,
    is_migrated,
    make_engine,
    migrate,
    sqlite_file_missing,
)
from lofte.storage.read_model import SqlReadModel
from lofte.storage.sensitive_keys import load_cipher
from lofte.storage.unit_of_work import SqlStore
from lofte.workflow.application.app import Application
from lofte.workflow.core.audit_chain import AuditKeys
from lofte.workflow.core.engine import Engine
from lofte.workflow.core.setup import has_setup


@dataclass
class Wired:
    url: str
    store: SqlStore
    engine: Engine
    app: Application
    clock: Clock
    restored_triggers: list[str]

    def dispatcher(self, mail_dir: Path | None = None, **options: Any) -> Any:
        """The outbox dispatcher: SMTP if LOFTE_SMTP_HOST is set, else .eml files; `options`
        go to `Dispatcher` (`hand_off`, `lease`)."""
        from lofte.notifications.config import mail_settings
        from lofte.notifications.dispatcher import Dispatcher
        from lofte.notifications.transports import transport_for

        settings = mail_settings()
        if mail_dir is not None:
            settings = dataclasses.replace(settings, mail_dir=mail_dir)
        return Dispatcher(
            self.store,
            self.clock,
            transport_for(settings),
            settings,
            dispatcher_id=self.engine.engine_id,
            secret=configured_secret(),
            catalog=self.engine.catalog,  # the setup parsed once per process
            **options,
        )

    def has_setup(self) -> bool:
        with self.store.unit_of_work(read_only=True) as uow:
            return has_setup(uow)

    def close(self) -> None:
        self.store.close()


def configured_secret() -> str | None:
    """LOFTE_SECRET_KEY if set (several installations sharing links), else the database's."""
    return os.environ.get("LOFTE_SECRET_KEY") or None


def sensitive_retention() -> timedelta:
    """LOFTE_SENSITIVE_RETENTION_DAYS: how long after a cycle closes its sensitive values are
    kept (default 90 days)."""
    raw = os.environ.get("LOFTE_SENSITIVE_RETENTION_DAYS", "90").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 3650:
        raise ConfigError(f"LOFTE_SENSITIVE_RETENTION_DAYS={raw[:20]!r}: ange 1–3650 dagar")
    return timedelta(days=int(raw))


def personal_retention() -> IsoDuration:
    """LOFTE_PERSONAL_RETENTION: how long after a cycle closes the names of people who left
    are kept (an ISO duration, default P2Y); the organisation's and a definition's
    `retention:` win over it."""
    raw = os.environ.get("LOFTE_PERSONAL_RETENTION", "P2Y").strip()
    try:
        found = IsoDuration.parse(raw)
    except ValueError:
        found = None
    if found is None or found.is_negative or found.approx_seconds() < 86400:
        raise ConfigError(
            f"LOFTE_PERSONAL_RETENTION={raw[:20]!r}: ange en varaktighet på minst en dag, "
            "till exempel P2Y eller P18M"
        )
    return found


def pseudonym_key() -> bytes:
    """LOFTE_PSEUDONYM_KEY (hex, at least 32 characters): the key pseudonyms are made with,
    kept apart from the database; unset, the deployment's own key in its settings is used.
    Set it before the first pseudonym is made: another key gives other pseudonyms."""
    raw = os.environ.get("LOFTE_PSEUDONYM_KEY", "").strip()
    if not raw:
        return b""
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise ConfigError(
            "LOFTE_PSEUDONYM_KEY: ange minst 32 hexadecimala tecken (till exempel från "
            "`python3 -c 'import secrets; print(secrets.token_hex(32))'`)"
        )
    return key


def engine_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def clock_from_env() -> Clock:
    path = os.environ.get("LOFTE_CLOCK_FILE")
    return FileClock(Path(path)) if path else SystemClock()


def connect(
    url: str | None,
    *,
    clock: Clock | None = None,
    create: bool = False,
    durable: bool = True,
    throw_away: bool = False,
    need_setup: bool = True,
    audit_key: bool = True,
) -> Wired:
    """Open the database at `url` (or LOFTE_DATABASE_URL, or ./lofte.db).

    With `create`, migrate it to the newest schema (restoring missing audit triggers);
    otherwise it must already be initialised and hold a setup. `durable` and `throw_away`:
    see `storage.database.make_engine`. Without `audit_key` the audit key may be missing
    (commands that only check the log report it; everything else refuses to start).
    """
    resolved = database_url(url)
    if not create and sqlite_file_missing(resolved):
        raise NotInitialised(_display(resolved))
    cipher = load_cipher(resolved, create=create)  # before anything is written
    audit_keys, head_file = _audit_keeping(resolved, create=create, throw_away=throw_away)
    db = make_engine(resolved, durable=durable, throw_away=throw_away)
    restored: list[str] = []
    if create:
        restored = migrate(db)
    elif not is_migrated(db):
        raise NotInitialised(_display(resolved))
    elif is_behind(db):
        raise ConfigError(
            f"databasen {_display(resolved)} har ett äldre schema än denna version av Löfte; "
            "kör `lofte init` för att uppdatera den (inget går förlorat)"
        )
    if audit_key and not audit_keys.keys:  # refused at start, not at the first event
        raise ConfigError(audit_keys.missing)
    store = SqlStore(db, cipher, audit_keys, head_file)
    clock = clock or clock_from_env()
    engine = _engine(store, clock)
    engine.catalog.database_label = _display(resolved)
    wired = Wired(
        _display(resolved),
        store,
        engine,
        Application(engine, SqlReadModel(db), configured_secret()),
        clock,
        restored,
    )
    if need_setup and not create and not wired.has_setup():
        raise NotInitialised(wired.url)
    return wired


def _engine(store: SqlStore, clock: Clock) -> Engine:
    """The engine with the retentions and the pseudonym key of the environment."""
    return Engine(
        store,
        clock,
        engine_id=engine_id(),
        sensitive_retention=sensitive_retention(),
        personal_retention=personal_retention(),
        pseudonym_key=pseudonym_key(),
    )


HEAD_EVERY = 1.0  # seconds between writes of the audit head file by one busy process


def _audit_keeping(
    url: str, *, create: bool, throw_away: bool
) -> tuple[AuditKeys, HeadFile | None]:
    """The audit keys and the head file of the database at `url`; a database of one run
    (`throw_away`) gets a key of its own and no head outside it."""
    if throw_away:
        return throwaway_audit_keys(), None
    return load_audit_keys(url, create=create), HeadFile(head_file_path(url), HEAD_EVERY)


def _display(url: str) -> str:
    """The URL without a password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL was refused earlier; show it as given
        return url
