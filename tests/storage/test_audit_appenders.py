"""Appenders of the audit chain on PostgreSQL. With the head known and no other appender in
its process, an append takes the chain's lock inside its insert (one round trip); another
process's append since then makes it collide, and the unit of work done again reads the head
afresh under the lock. Threads of one process append at once and the chain stays whole."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, event, select

from lofte.kernel.errors import ConcurrentUpdate
from lofte.storage import rows
from lofte.storage.audit_keys import throwaway_audit_keys
from lofte.storage.database import make_engine, migrate
from lofte.storage.sensitive_keys import throwaway_cipher
from lofte.storage.tables import AuditRow
from lofte.storage.unit_of_work import SqlStore
from lofte.workflow.core.audit_chain import GENESIS, chain_hash
from lofte.workflow.core.records import AuditEvent

AT = datetime(2027, 1, 4, 8, tzinfo=UTC)
KEYS = throwaway_audit_keys()  # the key of every process that appends
VALUES = (
    "at",
    "unit_id",
    "instance_id",
    "definition_name",
    "definition_version",
    "event",
    "actor",
    "from_state",
    "to_state",
    "detail",
)


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    made = make_engine(pg_url)
    migrate(made)
    yield made
    made.dispose()


def _append(store: SqlStore, n: int, *, retries: int = 0) -> int:
    """Append one event as the engine does, done again after a collision; how many times
    it collided."""
    for attempt in range(retries + 1):
        try:
            with store.unit_of_work() as uow:
                uow.audit.append([AuditEvent(at=AT, event="test", actor=f"t{n}")])
            return attempt
        except ConcurrentUpdate:
            if attempt == retries:
                raise
    raise AssertionError("unreachable")


def _statements_of(engine: Engine, action: Callable[[], object]) -> list[str]:
    """The SQL statements `action` sent."""
    statements: list[str] = []

    def seen(_c: object, _cur: object, sql: str, *_rest: object) -> None:
        statements.append(sql)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return statements


def _store(engine: Engine) -> SqlStore:
    """A process appending to the chain, with the installation's audit key."""
    return SqlStore(engine, throwaway_cipher(), KEYS)


def _whole_chain(engine: Engine) -> list[str]:
    """The actors in chain order, after checking every link and hash."""
    table = rows.table(AuditRow)
    with engine.connect() as connection:
        found = connection.execute(select(table).order_by(table.c.seq)).mappings().all()
    prev = GENESIS
    for number, row in enumerate(found, start=1):
        assert row["seq"] == number and row["prev_hash"] == prev
        values = {key: row[key] for key in VALUES}
        assert row["hash"] == chain_hash(prev, number, values, KEYS.current)
        prev = row["hash"]
    return [row["actor"] for row in found]


def test_with_its_head_known_an_append_takes_the_lock_in_its_insert(engine: Engine) -> None:
    store = _store(engine)
    _append(store, 1)  # reads the head (none yet) under the lock
    statements = _statements_of(engine, lambda: _append(store, 2))
    assert len(statements) == 1 and "pg_advisory_xact_lock" in statements[0]
    assert _whole_chain(engine) == ["t1", "t2"]


def test_a_head_gone_stale_in_another_process_collides_and_is_read_again(engine: Engine) -> None:
    first, second = (
        _store(engine),
        _store(engine),
    )
    _append(first, 1)
    _append(second, 2)  # another process: the first one's head is stale now
    with pytest.raises(ConcurrentUpdate):
        _append(first, 3)
    _append(first, 3)  # done again: the head read afresh under the lock
    _append(first, 4)
    assert _whole_chain(engine) == ["t1", "t2", "t3", "t4"]


def test_a_process_that_keeps_colliding_reads_the_head_under_the_lock_until_alone_again(
    engine: Engine,
) -> None:
    """Two engines side by side: after two collisions a process reads the head under the lock
    (no more units of work done again); once nobody else appended, it is optimistic again."""
    first, second = _store(engine), _store(engine)
    collided = []
    for n in range(1, 13, 2):  # the two append in turn, as engines firing batches do
        collided.append(_append(first, n, retries=1))
        collided.append(_append(second, n + 1, retries=1))
    assert collided == [0, 0, 1, 1, 1, 1] + [0] * 6  # two collisions each, then none
    _append(first, 13)  # read under the lock: the other's head
    _append(first, 14)  # read under the lock: the head it cached, nobody appended since
    statements = _statements_of(engine, lambda: _append(first, 15))
    assert len(statements) == 1  # alone again: the lock in the insert
    assert _whole_chain(engine) == [f"t{n}" for n in range(1, 16)]


def test_a_unit_of_work_that_appended_twice_leaves_the_process_appending_alone(
    engine: Engine,
) -> None:
    first, second = (
        _store(engine),
        _store(engine),
    )
    _append(first, 1)
    _append(second, 2)  # the first one's head is stale now
    # The insert goes to the server with COMMIT (storage.postgres_direct), and collides there
    with pytest.raises(ConcurrentUpdate), first.unit_of_work() as uow:
        uow.audit.append([AuditEvent(at=AT, event="test", actor="t3")])
        uow.audit.append([AuditEvent(at=AT, event="test", actor="t3 again")])
    _append(first, 3)  # the head read afresh under the lock
    statements = _statements_of(engine, lambda: _append(first, 4))
    assert len(statements) == 1  # alone again: the lock in the insert
    assert _whole_chain(engine) == ["t1", "t2", "t3", "t4"]


def test_threads_of_one_process_append_at_once_and_the_chain_stays_whole(engine: Engine) -> None:
    store = _store(engine)
    _append(store, 0)
    start = threading.Barrier(6)
    failures: list[BaseException] = []

    def work(thread: int) -> None:
        try:
            start.wait()
            for i in range(10):
                _append(store, thread * 100 + i, retries=5)
        except BaseException as exc:  # reported below, with the test's failure
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    actors = _whole_chain(engine)
    assert len(actors) == 61 and len(set(actors)) == 61
