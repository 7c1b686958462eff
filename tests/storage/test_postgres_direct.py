"""PostgreSQL's direct statements (storage.postgres_direct): writes that nothing reads wait for
the transaction's next statement or its COMMIT, yet every read of the same unit of work sees
them, a failure among them fails the whole unit of work (nothing of it is kept) with the error
and the SQL of the write that failed, and a unit of work that rolls back never sends them. A
value the driver cannot take fails where it was given; a savepoint still catches a failing
write; a lost connection is a retryable error. Statements stay prepared across rollbacks; a
prepared statement deallocated by someone else, or whose table changed under it, fails one
unit of work with a retryable error."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError

from lofte.storage.database import make_engine, migrate
from lofte.storage.sensitive_keys import throwaway_cipher
from lofte.storage.unit_of_work import SqlStore
from lofte.workflow.core.records import ActionEvent, AuditEvent, Meeting, Timer, TimerKind
from tests.conftest import migrated_store
from tests.storage.sql_paths import fast_path_only

DUE = datetime(2027, 1, 4, 8, tzinfo=UTC)


@pytest.fixture
def store(pg_url: str) -> Iterator[SqlStore]:
    with migrated_store(pg_url) as made:
        yield made


def _timer(key: str, due: datetime = DUE) -> Timer:
    return Timer(key, TimerKind.CYCLE_OPEN, due, "est", "sala", {})


def _prepare_a_setting(store: SqlStore) -> None:
    """Setting "a" is "1", and reading a setting is prepared on the thread's connection."""
    with store.unit_of_work() as uow:
        uow.settings.put("a", "1")
        assert uow.settings.get("a") == "1"


def _timers(store: SqlStore) -> list[str]:
    with store.reading() as connection:
        return list(connection.execute(text("SELECT key FROM timers ORDER BY key")).scalars())


def test_a_unit_of_work_reads_its_own_deferred_writes(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.timers.add_many([_timer("a")])  # deferred
        assert uow.timers.next_due() == DUE  # a prebuilt read, on libpq
        uow.timers.add_many([_timer("b")])
        counted = uow.connection.execute(text("SELECT count(*) FROM timers")).scalar()
        assert counted == 2  # a statement SQLAlchemy runs
        uow.timers.add_many([_timer("c")])
        assert uow.timers.pending_openings() == {("est", "sala")}
    assert _timers(store) == ["a", "b", "c"]


def test_a_deferred_write_that_fails_fails_its_unit_of_work_at_commit(store: SqlStore) -> None:
    with pytest.raises(IntegrityError) as failed, store.unit_of_work() as uow:
        uow.settings.put("kept", "no")
        uow.timers.add_many([_timer("a")])
        uow.actions.add_event(ActionEvent(action_id=999, at=DUE, status="pagar", actor="x"))
        # no action 999: the event's insert fails, when it is sent with COMMIT
    assert "INSERT INTO action_events" in str(failed.value)  # the write that failed, by name
    assert _timers(store) == []
    with store.unit_of_work(read_only=True) as uow:
        assert uow.settings.get("kept") is None


def test_a_unit_of_work_that_rolls_back_never_sends_its_deferred_writes(store: SqlStore) -> None:
    with pytest.raises(RuntimeError), store.unit_of_work() as uow:
        uow.timers.add_many([_timer("lost")])
        raise RuntimeError("the change fails before it commits")
    # The same thread keeps its connection: the next units of work must not send them.
    with store.unit_of_work() as uow:
        assert uow.timers.next_due() is None
        uow.timers.add_many([_timer("kept")])
    assert _timers(store) == ["kept"]


def test_statements_stay_prepared_after_a_rollback(store: SqlStore) -> None:
    for _ in range(2):
        with pytest.raises(RuntimeError), store.unit_of_work() as uow:
            uow.settings.get("x")
            for _ in range(6):  # psycopg would prepare this one itself, and then on ROLLBACK
                uow.connection.execute(text("SELECT 1"))  # deallocate every statement
            raise RuntimeError("rolled back")
    with store.unit_of_work(read_only=True) as uow:
        assert uow.settings.get("x") is None


@fast_path_only
def test_a_prepared_statement_deallocated_by_another_fails_one_unit_of_work(
    store: SqlStore,
) -> None:
    _prepare_a_setting(store)
    with pytest.raises(OperationalError), store.unit_of_work() as uow:
        uow.connection.exec_driver_sql("DEALLOCATE ALL")
        uow.settings.get("a")
    assert issubclass(OperationalError, SqlStore.retryable)  # done again, it works
    with store.unit_of_work(read_only=True) as uow:
        assert uow.settings.get("a") == "1"


def test_a_transaction_begun_by_a_prebuilt_statement_reads_committed(pg_url: str) -> None:
    engine = make_engine(pg_url + "%20-cdefault_transaction_isolation%3Drepeatable%5C%20read")
    migrate(engine)
    store = SqlStore(engine, throwaway_cipher())
    with store.unit_of_work() as uow:
        uow.settings.get("x")  # BEGIN goes with it, in one pipeline
        level = uow.connection.exec_driver_sql("SHOW transaction_isolation").scalar()
    assert level == "read committed"
    store.close()


def test_a_value_the_driver_cannot_take_fails_where_it_is_written(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.timers.add_many([_timer("a")])
    with store.unit_of_work() as uow:
        uow.settings.get("x")
        broken = dataclasses.replace(_timer("a"), id=1, last_error={"not": "text"})  # type: ignore[arg-type]
        with pytest.raises(StatementError) as failed:
            uow.timers.save(broken)  # here, not at the next statement
        assert not getattr(failed.value, "connection_invalidated", False)
        assert uow.timers.next_due() == DUE  # the connection and its transaction go on


def test_a_savepoint_catches_a_write_that_fails_inside_it(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.timers.add_many([_timer("before")])
        with pytest.raises(IntegrityError), uow.connection.begin_nested():
            uow.actions.add_event(ActionEvent(action_id=999, at=DUE, status="pagar", actor="x"))
        uow.timers.add_many([_timer("after")])
    assert _timers(store) == ["after", "before"]


def test_a_later_error_is_not_taken_for_an_earlier_writes_collision(store: SqlStore) -> None:
    meeting = Meeting("m", 999, "est", "s", DUE, DUE, "rum", ("a",))  # no cycle 999
    with pytest.raises(IntegrityError), store.unit_of_work() as uow:
        uow.settings.get("x")
        uow.audit.append([AuditEvent(at=DUE, event="test", actor="t")])  # deferred
        uow.connection.execute(text("SELECT 1"))  # sends the insert, which succeeds
        # its own IntegrityError, not the audit chain's ConcurrentUpdate (which is retried)
        uow.meetings.add_many([meeting, dataclasses.replace(meeting, uid="n")])


def test_a_connection_lost_with_writes_deferred_is_a_retryable_error(store: SqlStore) -> None:
    with pytest.raises(OperationalError) as lost, store.unit_of_work() as uow:
        uow.connection.execute(text("SELECT 1"))  # a transaction SQLAlchemy began
        backend = uow.connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        uow.timers.add_many([_timer("lost")])
        with store.reading() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({backend}, 10000)")  # gone
    assert lost.value.connection_invalidated
    with store.unit_of_work() as uow:  # done again, on a new connection
        uow.timers.add_many([_timer("kept")])
    assert _timers(store) == ["kept"]


@fast_path_only
def test_work_that_goes_on_after_its_connection_was_lost_does_not_commit(store: SqlStore) -> None:
    with pytest.raises(OperationalError), store.unit_of_work() as uow:
        uow.timers.add_many([_timer("first")])
        uow.settings.get("x")  # sends the insert, with BEGIN
        backend = uow.connection.connection.driver_connection.info.backend_pid  # type: ignore[union-attr]
        with store.reading() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({backend}, 10000)")  # gone
        with pytest.raises(OperationalError):
            uow.settings.get("y")  # lost here; a caller catches it and goes on
        uow.timers.add_many([_timer("second")])  # on a new connection, in a new transaction
    assert _timers(store) == []  # not the second half alone


@fast_path_only
def test_a_column_changed_under_a_prepared_statement_fails_one_unit_of_work(
    store: SqlStore,
) -> None:
    _prepare_a_setting(store)
    with store.engine.begin() as other:  # as a migration would, with an engine running
        other.exec_driver_sql("ALTER TABLE settings ALTER COLUMN value TYPE varchar(4000)")
    with pytest.raises(OperationalError), store.unit_of_work(read_only=True) as uow:
        uow.settings.get("a")  # "cached plan must not change result type"
    with store.unit_of_work(read_only=True) as uow:  # done again: prepared afresh
        assert uow.settings.get("a") == "1"
