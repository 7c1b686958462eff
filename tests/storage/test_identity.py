"""Identity across databases and crashes: the same weeks give the same cycle, timer, request,
outbox, meeting and action keys on SQLite and PostgreSQL, also when the engine dies in the
middle of a unit of work and a new one carries on."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from lofte.definitions.loader import Bundle
from lofte.kernel.clock import VirtualClock
from lofte.storage.database import make_engine, migrate
from lofte.storage.sensitive_keys import throwaway_cipher
from lofte.storage.unit_of_work import SqlStore
from lofte.workflow.core.engine import INSTALLATION, Engine
from lofte.workflow.core.work import Work
from tests.conftest import packaged, pg_schema_url
from tests.harness import Harness, utc

END = utc(2027, 1, 26)


class Crash(BaseException):
    """A process that dies: not an error the engine handles, the transaction just ends."""


def fresh(url: str, bundle: Bundle) -> Harness:
    db = make_engine(url)
    migrate(db)
    store = SqlStore(db, throwaway_cipher())
    with store.unit_of_work() as uow:
        uow.settings.put(INSTALLATION, "testinst01")
    clock = VirtualClock(datetime(2027, 1, 1, tzinfo=UTC))
    engine = Engine(store, clock, engine_id="a")
    engine.register(bundle)
    return Harness(store, clock, engine, bundle)


def drive(h: Harness, crash_at: int | None, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Three weeks in which every Sala reporter answers; optionally crash at the n-th change."""
    flushes = {"n": 0}
    original = Work.flush

    def flush(self: Work) -> None:
        flushes["n"] += 1
        if crash_at is not None and flushes["n"] == crash_at:
            raise Crash()
        original(self)

    monkeypatch.setattr(Work, "flush", flush)
    crashed = False
    while True:
        try:
            _weeks(h)
            return crashed
        except Crash:  # a new engine process takes over the same database
            h.engine = Engine(h.store, h.clock, engine_id="b")
            crash_at, crashed = None, True


def _weeks(h: Harness) -> None:
    """Day by day at 11:00 Stockholm time, every open Sala inventory request is answered."""
    day = utc(2027, 1, 1, 10)
    while day <= END:
        if day > h.clock.now():
            h.run_until(day)
        for cycle in h.cycles("est-inventering", "sala"):
            for request in h.requests(cycle, "rapportering"):
                if request.status.value == "open" and h.clock.now() < request.deadline_at:
                    h.engine.submit(
                        request.id or 0, request.person_id, {"inget_att_rapportera": True}
                    )
        day += timedelta(days=1)
    h.run_until(END + timedelta(hours=23))


def signature(h: Harness) -> Counter[tuple[object, ...]]:
    with h.store.reading() as c:
        parts: list[tuple[object, ...]] = []
        parts += [
            ("cycle", *r)
            for r in c.execute(text("SELECT key, state, outcome FROM cycle_instances"))
        ]
        parts += [("timer", *r) for r in c.execute(text("SELECT key, status FROM timers"))]
        parts += [
            ("request", *r) for r in c.execute(text("SELECT key, status FROM input_requests"))
        ]
        parts += [("outbox", r[0]) for r in c.execute(text("SELECT key FROM outbox"))]
        parts += [("meeting", r[0]) for r in c.execute(text("SELECT uid FROM meetings"))]
        parts += [("action", r[0]) for r in c.execute(text("SELECT key FROM actions"))]
        parts += [
            ("audit", *r)
            for r in c.execute(
                text(
                    "SELECT event, unit_id, definition_name, from_state, to_state FROM audit_events"
                )
            )
        ]
    return Counter(parts)


def test_same_keys_on_sqlite_and_postgres_after_a_crash(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = packaged()
    reference = fresh(f"sqlite:///{tmp_path}/reference.db", bundle)
    drive(reference, None, monkeypatch)
    expected = signature(reference)
    reference.close()
    answered = [k for k in expected if k[0] == "request" and k[2] == "answered"]
    assert (
        len(answered) >= 15
        and expected[("audit", "cycle_closed", "sala", "est-inventering", None, None)] >= 2
    )
    for crash_at in (7, 60):
        crashed = fresh(f"sqlite:///{tmp_path}/crash{crash_at}.db", bundle)
        assert drive(crashed, crash_at, monkeypatch)
        assert signature(crashed) == expected
        crashed.close()
    with pg_schema_url() as url:
        on_postgres = fresh(url, bundle)
        assert drive(on_postgres, 33, monkeypatch)
        assert signature(on_postgres) == expected
        on_postgres.close()
