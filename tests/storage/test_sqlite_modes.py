"""SQLite's journal and sync levels: durable by default, unsynced for the demo, and for a
simulation's own database a journal in memory; a change that fails leaves nothing behind in
each of them."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from lofte.kernel.errors import NotFound
from lofte.storage.database import make_engine, migrate
from lofte.storage.sensitive_keys import throwaway_cipher
from lofte.storage.unit_of_work import SqlStore


def _pragma(engine: Engine, name: str) -> str:
    with engine.connect() as connection:
        value = connection.connection.driver_connection.execute(  # type: ignore[union-attr]
            f"PRAGMA {name}"
        ).fetchone()[0]
    return str(value).lower()


@pytest.mark.parametrize(
    ("options", "journal", "synchronous"),
    [
        ({}, "wal", "1"),  # NORMAL
        ({"durable": False}, "wal", "0"),  # OFF: the demo, whose pages are served after
        ({"throw_away": True}, "memory", "0"),  # lofte simulate without --database
    ],
)
def test_journal_and_sync_level(
    tmp_path: object, options: dict[str, bool], journal: str, synchronous: str
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/modes.db", **options)
    try:
        assert _pragma(engine, "journal_mode") == journal
        assert _pragma(engine, "synchronous") == synchronous
    finally:
        engine.dispose()


@pytest.mark.parametrize("options", [{}, {"throw_away": True}])
def test_a_failed_unit_of_work_leaves_nothing(tmp_path: object, options: dict[str, bool]) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/rollback.db", **options)
    migrate(engine)
    store = SqlStore(engine, throwaway_cipher())
    try:
        with store.unit_of_work() as uow:
            uow.settings.get_or_add("kept", "1")
        with pytest.raises(NotFound), store.unit_of_work() as uow:
            uow.settings.get_or_add("lost", "2")
            uow.cycles.get(999_999)  # raises: the whole unit of work is rolled back
        with store.unit_of_work(read_only=True) as uow:
            assert uow.settings.get("kept") == "1"
            assert uow.settings.get("lost") is None
    finally:
        store.close()
