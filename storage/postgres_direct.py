"""PostgreSQL: a plan's statement run on psycopg's libpq connection, prepared once per
connection.

psycopg's cursor spends about 30 us of Python per statement around a round trip whose own
client cost is a few microseconds: its query conversion, its prepared-statement bookkeeping and
its result objects. A plan (`storage.fast_sql.Plan`) already has its SQL and the order of its
parameters fixed, so here the statement is written once with `$n` parameters
(`DirectStatement`), prepared on each connection the first time it runs there, and then sent as
psycopg sends a prepared statement: its values dumped by psycopg's `Transformer` (the same
adapters, the same text a cursor would send), `send_query_prepared`, psycopg's `execute`
generator and the connection's `wait` (which cancels the query on Ctrl-C), and the rows loaded
by the same `Transformer`. A transaction begins as psycopg begins it (`begin_command`: BEGIN with
the connection's isolation level, read-only and deferrable settings), and errors are psycopg's
own (`psycopg.errors.error_from_result`), but for a prepared statement someone else
deallocated or whose table's columns changed under it: a retryable OperationalError, after
which it is prepared again. psycopg's undocumented pieces used here are reached through
`storage.library_internals`; the PostgreSQL driver (`storage.drivers.postgres`) calls this module
on the fast path only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from psycopg import errors as pg_errors
from psycopg import pq
from psycopg.adapt import PyFormat

from lofte.storage.driver_errors import Failed
from lofte.storage.driver_values import Bind, make_binder
from lofte.storage.library_internals import psycopg_internals

PG = psycopg_internals()  # psycopg's undocumented pieces used here (storage.library_internals)

_IDLE = pq.TransactionStatus.IDLE
_TUPLES_OK = pq.ExecStatus.TUPLES_OK
_COMMAND_OK = pq.ExecStatus.COMMAND_OK
_FATAL_ERROR = pq.ExecStatus.FATAL_ERROR
_TEXT = pq.Format.TEXT
_SESSION = "lofte_direct_session"  # in a pooled connection's info: lives as long as it
MAX_PREPARED = 256  # statements prepared on one connection; beyond, they run unprepared
_PARAMETER = re.compile(r"%%|%\((\w+)\)s|%")
_CHANGED = b"cached plan must not change result type"


def dollar_form(sql: str) -> tuple[bytes, list[str]] | None:
    """The SQL with psycopg's `%(name)s` parameters as `$1`, `$2`... (a name used twice is
    one parameter) and `%%` as `%`, and the names in `$` order; None for any other `%`."""
    names: list[str] = []
    refused = False

    def replace(match: re.Match[str]) -> str:
        nonlocal refused
        text = match.group(0)
        if text == "%%":
            return "%"
        name = match.group(1)
        if name is None:
            refused = True
            return text
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    converted = _PARAMETER.sub(replace, sql)
    return None if refused else (converted.encode(), names)


def begin_command(driver: Any) -> bytes:
    """The BEGIN psycopg sends for this connection's settings."""
    parts = [b"BEGIN"]
    if driver.isolation_level is not None:
        parts += [b"ISOLATION LEVEL", driver.isolation_level.name.replace("_", " ").encode()]
    if driver.read_only is not None:
        parts.append(b"READ ONLY" if driver.read_only else b"READ WRITE")
    if driver.deferrable is not None:
        parts.append(b"DEFERRABLE" if driver.deferrable else b"NOT DEFERRABLE")
    return b" ".join(parts)


class DirectStatement:
    """One plan's statement in `$n` form, and the function that gives its values in order
    (as `make_binder` gives them, from the plan's `Bind`s)."""

    __slots__ = ("bind", "formats", "prepare", "sql", "text")

    def __init__(self, sql: bytes, bind: Callable[[Mapping[str, Any]], Sequence[Any]]) -> None:
        self.sql = sql
        self.text = sql.decode()  # as errors name it: the plan's SQL, as SQLAlchemy wrote it
        self.bind = bind
        self.formats: list[PyFormat] = []
        self.prepare = True

    @classmethod
    def command(cls, sql: bytes) -> DirectStatement:
        """A transaction command (BEGIN, COMMIT): no parameters, not prepared."""
        made = cls(sql, lambda _: ())
        made.prepare = False
        return made

    @classmethod
    def made(cls, sql: str, binds: list[Bind]) -> DirectStatement | None:
        """The statement for a plan's pyformat SQL and its binds; None if its SQL has a `%`
        that is not a parameter or its parameters are not exactly the binds."""
        form = dollar_form(sql)
        by_name = {bind.name: bind for bind in binds}
        if form is None or sorted(form[1]) != sorted(by_name):
            return None
        ordered = [by_name[name] for name in form[1]]

        def slowly(given: Mapping[str, Any]) -> tuple[Any, ...]:
            return tuple([bind.value(given) for bind in ordered])

        made = cls(form[0], make_binder(ordered, True, slowly) if ordered else lambda _: ())
        made.formats = [PyFormat.AUTO] * len(ordered)
        made.text = sql
        return made

    def run_on(
        self, pooled: Any, values: Sequence[Any], returns_rows: bool
    ) -> tuple[list[Sequence[Any]], int]:
        """Run on a pooled connection's psycopg connection (`DirectSession.run`)."""
        return DirectSession.of(pooled).run(self, values, returns_rows)

    def defer_on(self, pooled: Any, rows: Sequence[Sequence[Any]], failed: Failed) -> None:
        """Defer rows on a pooled connection's psycopg connection (`DirectSession.defer`)."""
        DirectSession.of(pooled).defer(self, rows, failed)


class Slot(NamedTuple):
    """A statement with its values dumped for libpq, as it goes into a pipeline."""

    statement: DirectStatement
    values: Sequence[Any]  # as given, for error messages
    dumped: Sequence[Any] | None  # bytes (or None for NULL) each
    types: tuple[int, ...]
    formats: Sequence[pq.Format] | None
    failed: Failed  # a deferred write's: what its caller makes of its error


class DirectSession:
    """What one psycopg connection keeps for direct statements: its `Transformer`, the names
    of the statements prepared on it, and the writes deferred in its open transaction.

    BEGIN, the deferred writes and the statement that needs its result (or COMMIT) go to the
    server in one libpq pipeline, one round trip, and run there in the order sent, as they
    would one by one. If one fails, those after it are not run (COMMIT neither) and its
    error is raised, naming its own SQL and carrying its `failed` (`driver_error`). Values are
    dumped before anything is sent: one psycopg cannot adapt fails where it was given."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.pgconn = driver.pgconn
        self.transformer = PG.transformer(driver)
        self.prepared: dict[tuple[bytes, tuple[int, ...]], bytes] = {}
        self.encoding = driver.info.encoding
        self.deferred: list[Slot] = []
        self._names = 0

    @classmethod
    def of(cls, pooled: Any) -> DirectSession:
        """The connection's session, made if it has none (or one of a driver it replaced)."""
        session = cls.kept_by(pooled.info, pooled.driver_connection)
        if session is None:
            session = pooled.info[_SESSION] = cls(pooled.driver_connection)
        return session

    @classmethod
    def kept_by(cls, info: dict[str, Any], driver: Any) -> DirectSession | None:
        """The session kept in a pooled connection's `info`, if it is `driver`'s."""
        session: DirectSession | None = info.get(_SESSION)
        return session if session is not None and session.driver is driver else None

    def run(
        self, statement: DirectStatement, values: Sequence[Any], returns_rows: bool
    ) -> tuple[list[Sequence[Any]], int]:
        """Run the statement with its values, after BEGIN (if no transaction is open) and
        the deferred writes; its rows (if it returns rows) and how many rows it touched."""
        result = self._send(self._dump(statement, values, None))
        found: list[Sequence[Any]] = []
        if returns_rows:
            self.transformer.set_pgresult(result)
            found = self.transformer.load_rows(0, result.ntuples, tuple)
        count = result.command_tuples
        return found, -1 if count is None else count

    def defer(
        self, statement: DirectStatement, rows: Sequence[Sequence[Any]], failed: Failed
    ) -> None:
        """Defer the statement for each row's values, all dumped first: if one cannot be
        dumped, none is deferred and the error carries `failed`."""
        try:
            slots = [self._dump(statement, values, failed) for values in rows]
        except pg_errors.Error as exc:
            exc.lofte_failed = failed  # type: ignore[attr-defined]
            raise
        self.deferred += slots

    def flush(self) -> None:
        """Send the deferred writes (before a statement that goes another way)."""
        if self.deferred:
            self._send(None)

    def commit(self) -> None:
        """COMMIT, with the deferred writes; nothing if no transaction was begun."""
        if self.deferred or self.pgconn.transaction_status != _IDLE:
            self._send(self._dump(_COMMIT, (), None))

    def discard(self) -> None:
        """The transaction ends without COMMIT: its deferred writes go with it."""
        self.deferred.clear()

    def _dump(self, statement: DirectStatement, values: Sequence[Any], failed: Failed) -> Slot:
        if not values:
            return Slot(statement, values, None, (), None, failed)
        transformer = self.transformer
        dumped = transformer.dump_sequence(values, statement.formats)
        types = tuple(transformer.types or ())
        return Slot(statement, values, dumped, types, list(transformer.formats or ()), failed)

    def _send(self, last: Slot | None) -> Any:
        """BEGIN if needed, the deferred writes, then `last`; the last one's result."""
        slots: list[Slot] = []
        if self.pgconn.transaction_status == _IDLE and not self.driver.autocommit:
            slots.append(self._dump(DirectStatement.command(begin_command(self.driver)), (), None))
        slots += self.deferred
        self.deferred = []
        if last is not None:
            slots.append(last)
        if len(slots) > 1:
            return self._pipeline(slots)
        slot = slots[0]
        key = (slot.statement.sql, slot.types)
        name = self.prepared.get(key)
        if name is None and slot.statement.prepare and len(self.prepared) < MAX_PREPARED:
            name = self._new_name()
            self.pgconn.send_prepare(name, slot.statement.sql, param_types=slot.types)
            self._result(PG.wait(self.driver, PG.execute_generator(self.pgconn)), slot)
            self.prepared[key] = name
        self._send_slot(slot, name)
        return self._result(PG.wait(self.driver, PG.execute_generator(self.pgconn)), slot)

    def _pipeline(self, slots: list[Slot]) -> Any:
        pgconn, driver = self.pgconn, self.driver
        new: dict[tuple[bytes, tuple[int, ...]], bytes] = {}
        answers: list[tuple[Slot, tuple[bytes, tuple[int, ...]] | None]] = []  # key: a PREPARE
        pgconn.enter_pipeline_mode()
        try:
            for slot in slots:
                key = (slot.statement.sql, slot.types)
                name = self.prepared.get(key) or new.get(key)
                room = len(self.prepared) + len(new) < MAX_PREPARED
                if name is None and slot.statement.prepare and room:
                    name = new[key] = self._new_name()
                    pgconn.send_prepare(name, slot.statement.sql, param_types=slot.types)
                    answers.append((slot, key))
                self._send_slot(slot, name)
                answers.append((slot, None))
            pgconn.pipeline_sync()
            PG.wait(driver, PG.send_generator(pgconn))
            results = [PG.wait(driver, PG.fetch_many(pgconn)) for _ in answers]
            PG.wait(driver, PG.fetch_many(pgconn))  # the pipeline's sync
            pgconn.exit_pipeline_mode()
        except BaseException:
            driver.close()  # its place in the protocol is lost (Ctrl-C, say): it is gone
            raise
        for got, (_slot, prepared) in zip(results, answers, strict=True):
            if prepared is not None and got and got[-1].status == _COMMAND_OK:
                self.prepared[prepared] = new[prepared]  # even if a later statement failed
        for got, (slot, _prepared) in zip(results, answers, strict=True):
            if any(r.status == _FATAL_ERROR for r in got):
                self._result(got, slot)
        return self._result(results[-1], slots[-1])

    def _new_name(self) -> bytes:
        self._names += 1
        return b"lofte_%d" % self._names

    def _send_slot(self, slot: Slot, name: bytes | None) -> None:
        if name is None:
            self.pgconn.send_query_params(
                slot.statement.sql, slot.dumped, param_types=slot.types, param_formats=slot.formats
            )
        else:
            self.pgconn.send_query_prepared(
                name, slot.dumped, param_formats=slot.formats, result_format=_TEXT
            )

    def _result(self, results: list[Any], slot: Slot) -> Any:
        """The last result; the first error among them raised, naming `slot`'s SQL and
        carrying its `failed`."""
        result = results[-1]
        status = result.status
        if status in (_TUPLES_OK, _COMMAND_OK):
            return result
        error: Exception = pg_errors.InternalError(f"unexpected result status {status!r}")
        for failed in results:
            if failed.status == _FATAL_ERROR:
                error = PG.error_from_result(failed, encoding=self.encoding)
                state = failed.error_field(pq.DiagnosticField.SQLSTATE)
                if state == b"26000":  # DEALLOCATE ALL or DISCARD ALL ran on this connection
                    self.prepared.clear()
                    error = pg_errors.OperationalError(f"prepared again: {error}")  # retryable
                elif state == b"0A000" and _CHANGED in (failed.error_message or b""):
                    # a table's columns changed under this prepared statement
                    self.prepared.pop((slot.statement.sql, slot.types), None)
                    error = pg_errors.OperationalError(f"prepared again: {error}")  # retryable
                break
        error.lofte_failed = slot.failed  # type: ignore[attr-defined]
        error.lofte_statement = (slot.statement.text, slot.values)  # type: ignore[attr-defined]
        raise error


_COMMIT = DirectStatement.command(b"COMMIT")


def commit(pooled: Any) -> None:
    """COMMIT the connection's transaction, with its deferred writes."""
    session = DirectSession.kept_by(pooled.info, pooled.driver_connection)
    if session is None:
        pooled.driver_connection.commit()
    else:
        session.commit()


def discard(info: dict[str, Any]) -> None:
    """Drop the deferred writes of the session kept in a pooled connection's `info`: its
    transaction ends without COMMIT."""
    session: DirectSession | None = info.get(_SESSION)
    if session is not None:
        session.discard()


def flush(pooled: Any) -> None:
    """Send the connection's deferred writes, if it has any."""
    session = DirectSession.kept_by(pooled.info, pooled.driver_connection)
    if session is not None:
        session.flush()


def flush_for(connection: Any) -> None:
    """`flush` for a SQLAlchemy connection; errors as SQLAlchemy raises them."""
    pooled = connection.connection
    try:
        flush(pooled)
    except pg_errors.Error as exc:
        from lofte.storage.driver_errors import driver_error

        raise driver_error(connection, exc, "COMMIT", None) from exc
