"""Connections kept by threads between their units of work (`storage.unit_of_work.SqlStore`).

Checking a connection out of the pool and returning it cost more than a short transaction
itself, so up to `KEPT` threads keep one: the engine's and the delivery job's, say; other
threads, and a unit of work nested in another, check one out each time. A kept connection
unused for `KEPT_IDLE_S` goes back to the pool, whose pre-ping then checks it; one that failed
is dropped. The same on both databases (PostgreSQL's connection also keeps its cursor: the
driver's business, `storage.drivers.postgres`).
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Connection, Engine

log = logging.getLogger("lofte.storage")
KEPT = 4  # threads that keep a connection (the pool holds 5, and 10 more for a while)
KEPT_IDLE_S = 30.0  # a kept connection unused this long goes back to the pool's pre-ping


class Kept:
    """A thread's kept connection; `busy` while a unit of work uses it."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.busy = False
        self.used = time.monotonic()

    def fresh(self) -> bool:
        connection = self.connection
        return (
            not connection.closed
            and not connection.invalidated
            and time.monotonic() - self.used < KEPT_IDLE_S
        )


class KeptConnections:
    """The threads' kept connections of one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._kept: dict[threading.Thread, Kept] = {}
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def take(self) -> Kept | None:
        """The calling thread's kept connection (made if it has none and there is room);
        None if there is no room or the thread's is in use by an enclosing unit of work."""
        thread = threading.current_thread()
        kept = self._kept.get(thread)
        if kept is not None:
            if kept.busy:
                return None
            if not kept.fresh():
                self._release(thread)
                kept = None
        if kept is None:
            with self.lock:
                for gone in [t for t in self._kept if not t.is_alive()]:
                    self._kept.pop(gone).connection.close()
                if len(self._kept) >= KEPT:
                    return None
                kept = self._kept[thread] = Kept(self.engine.connect())
        return kept

    def drop(self, connection: Connection) -> None:
        """A database error may have broken the connection: the thread's next one is new."""
        thread = threading.current_thread()
        kept = self._kept.get(thread)
        if kept is not None and kept.connection is connection:
            self._release(thread)

    def _release(self, thread: threading.Thread) -> None:
        with self.lock:
            kept = self._kept.pop(thread, None)
        if kept is not None:
            try:
                kept.connection.close()  # back to the pool (an invalidated one is discarded)
            except Exception:
                log.debug("closing a kept connection failed", exc_info=True)

    def close(self) -> None:
        """Close them all (every thread is done with the store)."""
        with self.lock:
            kept, self._kept = self._kept, {}
        for entry in kept.values():
            entry.connection.close()
