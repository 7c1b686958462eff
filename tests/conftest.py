"""Fixtures: every test gets its own fresh store (the in-memory store, a SQLite file, or a
PostgreSQL schema of its own), a virtual clock, and an engine with the packaged definitions.

Tests of the engine's rules use `memory_harness` (no database: `storage.memory`); tests
that go end to end through SQL (pages, delivery, the CLI) use `sqlite_harness`; tests of
storage behaviour (locking, keys, concurrency) use `harness`, which runs on SQLite and
PostgreSQL. `store_url` runs a test on all three (`tests/storage/test_contract*.py`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from lofte.definitions.loader import Bundle, load_packaged
from lofte.storage.database import make_engine, migrate
from lofte.storage.sensitive_keys import throwaway_cipher
from lofte.storage.unit_of_work import SqlStore
from tests.harness import MEMORY, Harness, make_harness

PG_SERVER = os.environ.get("LOFTE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START = datetime(2027, 1, 1, tzinfo=UTC)
_pg_checked: bool | None = None

# Hypothesis: under CI every property test draws the same examples on every run (derandomised,
# no database of examples), so CI is never red by chance; locally it keeps Hypothesis' default
# (fresh examples, failures remembered in .hypothesis/). `--hypothesis-profile=ci` (mutmut, see
# docs/testing.md) chooses the CI profile by hand.
# No deadline either: CI shares two cores, and a slow example is not a wrong one.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.load_profile("ci" if IN_CI else "default")
_packaged: Bundle | None = None


def packaged() -> Bundle:
    """The packaged definitions and example organisation, loaded once per test run."""
    global _packaged
    if _packaged is None:
        _packaged = load_packaged()
    return _packaged


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


@contextmanager
def migrated_store(url: str) -> Iterator[SqlStore]:
    """A store on the database at `url`, migrated, with a throw-away key; closed after."""
    engine = make_engine(url)
    migrate(engine)
    store = SqlStore(engine, throwaway_cipher())
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema_url() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/lofte.db"
    else:
        with pg_schema_url() as url:
            yield url


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The in-memory store (`MEMORY`), a SQLite file, a PostgreSQL schema: a test of what the
    ports promise runs on each."""
    if request.param == "memory":
        yield MEMORY
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/lofte.db"
    else:
        with pg_schema_url() as url:
            yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/lofte.db"


@pytest.fixture
def harness(db_url: str) -> Iterator[Harness]:
    """An engine with the packaged setup, on SQLite and on PostgreSQL."""
    built = make_harness(db_url, START, packaged())
    yield built
    built.close()


@pytest.fixture
def sqlite_harness(sqlite_url: str) -> Iterator[Harness]:
    """An engine with the packaged setup, on SQLite (for rules that do not depend on SQL)."""
    built = make_harness(sqlite_url, START, packaged())
    yield built
    built.close()


@pytest.fixture
def memory_harness() -> Iterator[Harness]:
    """An engine with the packaged setup, on the in-memory store (for the engine's rules)."""
    built = make_harness(MEMORY, START, packaged())
    yield built
    built.close()


@pytest.fixture(autouse=True)
def _no_stray_mail(tmp_path: Path, monkeypatch: Any) -> None:
    """Mail written during a test goes to the test's own folder, never the checkout."""
    monkeypatch.setenv("LOFTE_MAIL_DIR", str(tmp_path / "mail"))
