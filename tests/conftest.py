"""Fixtures: every test gets its own fresh database (SQLite file or a PostgreSQL schema),
a virtual clock, and an engine with the packaged definitions."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from definitions.loader import Bundle, load_bundle
from storage.database import make_engine, migrate
from storage.sql_store import SqlStore
from workflow.clock import VirtualClock
from workflow.engine import Engine
from workflow.records import Timer

PG_SERVER = os.environ.get("LOFTE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
_pg_checked: bool | None = None


def postgres_available() -> bool:
    global _pg_checked
    if _pg_checked is None:
        try:
            with create_engine(PG_SERVER).connect() as connection:
                connection.execute(text("select 1"))
            _pg_checked = True
        except OperationalError:
            _pg_checked = False
    return _pg_checked


def require_postgres() -> None:
    if postgres_available():
        return
    if IN_CI:
        pytest.fail(f"PostgreSQL is not reachable at {PG_SERVER}; CI needs it (see .ci/run)")
    pytest.skip("PostgreSQL is not running here (it is required in CI)")


@contextmanager
def pg_schema_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema, as a URL whose connections use it."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema_url() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/lofte.db"
    else:
        with pg_schema_url() as url:
            yield url


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    return f"sqlite:///{tmp_path}/lofte.db"


@dataclass
class Harness:
    """An engine on a fresh database, in virtual time."""

    store: SqlStore
    clock: VirtualClock
    engine: Engine
    bundle: Bundle

    def run_until(self, end: datetime) -> list[Timer]:
        """Move virtual time to `end`, firing each timer at its due moment, in order."""
        fired: list[Timer] = []
        while True:
            with self.store.transaction() as tx:
                due = tx.next_timer_due()
            if due is None or due > end:
                break
            self.clock.set(max(due, self.clock.now()))
            fired.extend(self.engine.run_due())
        self.clock.set(max(end, self.clock.now()))
        return fired


def make_harness(url: str, start: datetime, bundle: Bundle | None = None) -> Harness:
    db = make_engine(url)
    migrate(db)
    store = SqlStore(db)
    clock = VirtualClock(start)
    engine = Engine(store, clock, engine_id="test", retryable=(OperationalError,))
    bundle = bundle or load_bundle()
    engine.register(bundle)
    return Harness(store, clock, engine, bundle)


@pytest.fixture
def harness(db_url: str) -> Iterator[Harness]:
    built = make_harness(db_url, datetime(2027, 1, 1, tzinfo=UTC))
    yield built
    built.store.engine.dispose()


@pytest.fixture
def sqlite_harness(sqlite_url: str) -> Iterator[Harness]:
    built = make_harness(sqlite_url, datetime(2027, 1, 1, tzinfo=UTC))
    yield built
    built.store.engine.dispose()
