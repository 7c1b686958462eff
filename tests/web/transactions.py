"""Counting the transactions a request costs, on the database itself: every statement SQLite
runs is traced, so a read through the read model, the store's units of work, the catalog or
the sign-in tables is counted alike, whichever path sent it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event


@dataclass
class Transactions:
    """What SQLite was asked inside a `counted` block. A read is a `BEGIN` (or a statement
    outside any transaction, which is a transaction of its own); a write a `BEGIN IMMEDIATE`."""

    reads: int = 0
    writes: int = 0
    statements: list[str] = field(default_factory=list)
    on: bool = False

    def seen(self, connection: sqlite3.Connection, sql: str) -> None:
        if not self.on:
            return
        self.statements.append(sql)
        word = sql.lstrip().upper()
        if word.startswith("BEGIN IMMEDIATE") or word.startswith("BEGIN EXCLUSIVE"):
            self.writes += 1
        elif word.startswith("BEGIN"):
            self.reads += 1
        elif not connection.in_transaction and not word.startswith(("COMMIT", "ROLLBACK")):
            self.reads += 1  # autocommit: its own transaction

    def reset(self) -> None:
        self.reads = self.writes = 0
        self.statements.clear()


@contextmanager
def counted(engine: Engine, close: Any) -> Iterator[Transactions]:
    """Trace the SQLite database of `engine`; `close` drops the connections open so far (the
    store's `close`), so that every connection the block uses is a traced one."""
    found = Transactions()

    def trace(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.set_trace_callback(lambda sql: found.seen(dbapi_connection, sql))

    event.listen(engine, "connect", trace)
    close()
    found.on = True
    try:
        yield found
    finally:
        found.on = False
        event.remove(engine, "connect", trace)
