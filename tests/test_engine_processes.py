"""Real `lofte run` processes: killed with SIGKILL and restarted, and two at once on one
PostgreSQL database. Time is virtual (a clock file); nothing waits on the wall clock except
the processes themselves, and every wait is bounded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from lofte.kernel.clock import VirtualClock
from lofte.storage.audit_keys import throwaway_audit_keys
from lofte.storage.database import make_engine, migrate
from lofte.storage.sensitive_keys import throwaway_cipher
from lofte.storage.unit_of_work import SqlStore
from lofte.workflow.core.engine import INSTALLATION, Engine
from tests.conftest import packaged

pytestmark = pytest.mark.slow
START = "2027-01-01T00:00:00+00:00"
LATER = datetime(2027, 4, 1, tzinfo=UTC)
TIMEOUT = 180
INSTALLATION_ID = "proctest01"


AUDIT_KEYS = throwaway_audit_keys()  # the installation's audit key, as `lofte init` makes one


def lofte(clock: Path, url: str, *argv: str) -> subprocess.Popen[str]:
    env = dict(
        os.environ,
        LOFTE_CLOCK_FILE=str(clock),
        LOFTE_DATABASE_URL=url,
        LOFTE_MAIL_DIR=str(clock.parent / "mail"),
        LOFTE_AUDIT_KEY=AUDIT_KEYS.current.secret.decode(),  # the key `prepare` wrote with
        PYTHONUNBUFFERED="1",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "lofte.cli.main", *argv],
        env=env,
        text=True,
        cwd=clock.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, err
    return out


def prepare(url: str) -> None:
    """A migrated database with a known installation id and the example loaded at START."""
    db = make_engine(url)
    migrate(db)
    store = SqlStore(db, throwaway_cipher(), AUDIT_KEYS)
    with store.unit_of_work() as uow:
        uow.settings.put(INSTALLATION, INSTALLATION_ID)
    Engine(store, VirtualClock(datetime.fromisoformat(START))).register(packaged())
    db.dispose()


def signature(url: str) -> Counter[tuple[object, ...]]:
    """What happened, independent of row ids and of which process did it."""
    engine = create_engine(url)
    with engine.connect() as c:
        audit = c.execute(
            text("SELECT unit_id, definition_name, event, from_state, to_state FROM audit_events")
        ).all()
        timers = c.execute(text("SELECT key, status FROM timers")).all()
        outbox = c.execute(text("SELECT key FROM outbox")).all()
        cycles = c.execute(text("SELECT key, state, outcome FROM cycle_instances")).all()
    engine.dispose()
    return Counter(
        [("audit", *row) for row in audit if row[2] not in ("setup_loaded",)]
        + [("timer", *row) for row in timers]
        + [("outbox", row[0]) for row in outbox]
        + [("cycle", *row) for row in cycles]
    )


def reference(tmp_path: Path) -> Counter[tuple[object, ...]]:
    """The same catch-up of three months, in-process and without interruption."""
    url = f"sqlite:///{tmp_path}/reference.db"
    prepare(url)
    db = make_engine(url)
    engine = Engine(SqlStore(db, throwaway_cipher()), VirtualClock(LATER))
    engine.ensure_schedule()
    while engine.run_due():
        engine.ensure_schedule()
    db.dispose()
    return signature(url)


def test_a_killed_engine_catches_up_once_after_restart(tmp_path: Path, db_url: str) -> None:
    clock = tmp_path / "clock"
    prepare(db_url)
    clock.write_text(LATER.isoformat())
    engine = lofte(clock, db_url, "run", "--tick", "0.05")
    assert engine.stdout is not None
    fired = 0
    for line in engine.stdout:
        fired += line.startswith("timer ")
        if fired >= 60:
            break
    engine.send_signal(signal.SIGKILL)  # mid-flight: no clean shutdown
    engine.wait(timeout=TIMEOUT)
    assert fired >= 60
    finish(lofte(clock, db_url, "run", "--exit-when-idle"))
    assert signature(db_url) == reference(tmp_path)


def test_two_engines_on_postgres_fire_each_timer_once(tmp_path: Path, pg_url: str) -> None:
    clock = tmp_path / "clock"
    prepare(pg_url)
    clock.write_text(LATER.isoformat())
    first = lofte(clock, pg_url, "run", "--exit-when-idle")
    second = lofte(clock, pg_url, "run", "--exit-when-idle")
    outputs = [finish(first), finish(second)]
    assert signature(pg_url) == reference(tmp_path)
    engine = create_engine(pg_url)
    with engine.connect() as c:
        by_engine = dict(
            c.execute(
                text(
                    "SELECT fired_by, count(*) FROM timers WHERE status = 'fired' GROUP BY fired_by"
                )
            ).all()
        )
    engine.dispose()
    fired_lines = [line for o in outputs for line in o.splitlines() if line.startswith("timer ")]
    assert sum(by_engine.values()) == len(fired_lines)  # each timer fired by exactly one engine
    print(f"timers fired per engine: {by_engine}")
