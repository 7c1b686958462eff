"""The composition root: builds the store, clock and engine the commands use."""

from __future__ import annotations

import dataclasses
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import OperationalError

from notifications.config import mail_settings
from notifications.dispatcher import Dispatcher
from notifications.transports import transport_for
from storage.database import database_url, is_migrated, make_engine, migrate
from storage.sql_store import SqlStore
from workflow.clock import Clock, FileClock, SystemClock
from workflow.engine import Engine
from workflow.errors import ConfigError, NotInitialised


@dataclass
class App:
    url: str
    store: SqlStore
    engine: Engine
    clock: Clock

    def dispatcher(self, mail_dir: Path | None = None) -> Dispatcher:
        """The outbox dispatcher: SMTP if LOFTE_SMTP_HOST is set, else .eml files."""
        settings = mail_settings()
        if mail_dir is not None:
            settings = dataclasses.replace(settings, mail_dir=mail_dir)
        return Dispatcher(
            self.store,
            self.clock,
            transport_for(settings),
            settings,
            dispatcher_id=self.engine.engine_id,
            secret=link_secret(),
        )


def link_secret() -> str | None:
    """LOFTE_SECRET_KEY if set (several installations sharing links), else the database's."""
    return os.environ.get("LOFTE_SECRET_KEY") or None


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
) -> App:
    """Open the database at `url` (or LOFTE_DATABASE_URL, or ./lofte.db).

    With `create`, migrate it to the newest schema; otherwise it must already be initialised.
    """
    resolved = database_url(url)
    db = make_engine(resolved, durable=durable)
    try:
        if create:
            migrate(db)
        elif not is_migrated(db):
            raise NotInitialised(resolved)
    except OperationalError as exc:
        raise ConfigError(f"cannot open the database {resolved}: {exc.orig}") from exc
    store = SqlStore(db)
    clock = clock or clock_from_env()
    engine = Engine(store, clock, engine_id=engine_id(), retryable=(OperationalError,))
    return App(resolved, store, engine, clock)
