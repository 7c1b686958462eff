"""Threads keep their database connection between units of work, within limits: a unit of
work nested in another gets its own connection and never commits the outer one half-way, many
threads never exhaust the pool, and a connection the server dropped is replaced after one
failed (retryable) unit of work."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from lofte.storage.database import make_engine, migrate
from lofte.storage.sensitive_keys import throwaway_cipher
from lofte.storage.unit_of_work import KEPT, SqlStore
from tests.conftest import PG_SERVER, migrated_store


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    with migrated_store(db_url) as made:
        yield made


def test_a_nested_unit_of_work_leaves_the_outer_one_whole(store: SqlStore) -> None:
    with pytest.raises(RuntimeError), store.unit_of_work() as outer:
        outer.settings.put("a", "1")  # on the driver; the outer transaction is open
        with store.unit_of_work(read_only=True) as inner:
            assert inner.connection is not outer.connection
            assert inner.settings.get("a") is None  # not committed by the inner one
        raise RuntimeError("the outer change fails")
    with store.unit_of_work() as after:
        assert after.settings.get("a") is None  # nothing of it was kept


def test_many_threads_share_the_pool_and_only_a_few_keep_a_connection(store: SqlStore) -> None:
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(5):
                with store.unit_of_work() as uow:
                    uow.settings.get_or_add(f"t{n}", "0")
                    uow.settings.put(f"t{n}", str(i))
        except BaseException as exc:  # reported below, with the test's failure
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(store._kept) <= KEPT
    with store.unit_of_work(read_only=True) as uow:
        assert [uow.settings.get(f"t{n}") for n in range(24)] == ["4"] * 24


def test_a_connection_the_server_dropped_is_replaced(pg_url: str) -> None:
    engine = make_engine(pg_url)
    migrate(engine)
    store = SqlStore(engine, throwaway_cipher())
    with store.unit_of_work() as uow:
        pid = uow.connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    admin = create_engine(PG_SERVER)
    with admin.begin() as connection:
        # waits until the backend is gone (up to 10 s), so the next statement meets no race
        connection.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid})
    admin.dispose()
    with pytest.raises(DBAPIError) as lost, store.unit_of_work() as uow:
        uow.settings.get("a")  # on the driver, on the dropped connection
    assert isinstance(lost.value, OperationalError)  # what the engine retries
    assert lost.value.connection_invalidated
    with store.unit_of_work() as uow:  # a new connection
        assert uow.settings.get_or_add("a", "1") == "1"
    store.close()


def test_a_change_whose_connection_was_lost_is_not_reported_as_saved(store: SqlStore) -> None:
    # Work that caught a statement's lost connection and went on must not end as if its
    # change was committed: the database rolled it back.
    with pytest.raises(OperationalError), store.unit_of_work() as uow:
        uow.settings.put("lost", "1")
        uow.connection.invalidate()
    with store.unit_of_work(read_only=True) as uow:
        assert uow.settings.get("lost") is None


def test_postgresql_reads_committed_whatever_the_server_default(pg_url: str) -> None:
    # The audit chain's lock and the claims rely on each statement seeing what committed
    # before it began; a role or server default of REPEATABLE READ must not change that.
    engine = make_engine(pg_url + "%20-cdefault_transaction_isolation%3Drepeatable%5C%20read")
    migrate(engine)
    store = SqlStore(engine, throwaway_cipher())
    with store.unit_of_work() as uow:
        level = uow.connection.exec_driver_sql("SHOW transaction_isolation").scalar()
        default = uow.connection.exec_driver_sql("SHOW default_transaction_isolation").scalar()
    assert (level, default) == ("read committed", "repeatable read")
    store.close()
