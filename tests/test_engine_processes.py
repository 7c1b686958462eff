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

from tests.conftest import make_harness

pytestmark = pytest.mark.slow
START = "2027-01-01T00:00:00+00:00"
LATER = datetime(2027, 4, 1, tzinfo=UTC)
TIMEOUT = 120


def lofte(clock: Path, url: str, *argv: str) -> subprocess.Popen[str]:
    env = dict(
        os.environ,
        LOFTE_CLOCK_FILE=str(clock),
        LOFTE_DATABASE_URL=url,
        LOFTE_MAIL_DIR=str(clock.parent / "mail"),
        PYTHONUNBUFFERED="1",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", *argv],
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


def signature(url: str) -> Counter[tuple[object, ...]]:
    """What happened, independent of row ids and of which process did it."""
    engine = create_engine(url)
    with engine.connect() as c:
        audit = c.execute(
            text(
                "SELECT i.definition_name, i.period_key, a.event, a.from_state, a.to_state "
                "FROM audit_events a LEFT JOIN cycle_instances i ON i.id = a.instance_id"
            )
        ).all()
        timers = c.execute(text("SELECT key, status FROM timers")).all()
        outbox = c.execute(text("SELECT key FROM outbox")).all()
    engine.dispose()
    return Counter(
        [("audit", *row) for row in audit]
        + [("timer", *row) for row in timers]
        + [("outbox", row[0].split(":")[0]) for row in outbox]
    )


def reference(tmp_path: Path) -> Counter[tuple[object, ...]]:
    """The same catch-up of three months, in-process and without interruption."""
    url = f"sqlite:///{tmp_path}/reference.db"
    h = make_harness(url, datetime.fromisoformat(START))
    h.clock.set(LATER)
    h.engine.ensure_schedule()
    while h.engine.run_due():
        h.engine.ensure_schedule()
    h.store.engine.dispose()
    return signature(url)


def normalise(found: Counter[tuple[object, ...]]) -> Counter[tuple[object, ...]]:
    # Timer keys embed row ids, which differ between runs; compare kinds and statuses.
    return Counter(
        {
            (k[0], str(k[1]).split(":")[0], *k[2:]) if k[0] == "timer" else k: v
            for k, v in found.items()
        }
    )


def init(clock: Path, url: str) -> None:
    clock.write_text(START)
    finish(lofte(clock, url, "init"))


def test_killed_engine_catches_up_once_after_restart(tmp_path: Path, db_url: str) -> None:
    url = db_url
    clock = tmp_path / "clock"
    init(clock, url)
    clock.write_text(LATER.isoformat())
    engine = lofte(clock, url, "run", "--tick", "0.05")
    assert engine.stdout is not None
    fired = 0
    for line in engine.stdout:
        fired += line.startswith("2027")  # one line per timer fired
        if fired >= 40:
            break
    engine.send_signal(signal.SIGKILL)  # mid-flight: no clean shutdown
    engine.wait(timeout=TIMEOUT)
    assert fired >= 40

    out = finish(lofte(clock, url, "run", "--exit-when-idle"))
    assert "opened" in out or "expired" in out or "reminder" in out
    assert normalise(signature(url)) == normalise(reference(tmp_path))


def test_two_engines_on_postgres_fire_each_timer_once(tmp_path: Path, pg_url: str) -> None:
    clock = tmp_path / "clock"
    init(clock, pg_url)
    clock.write_text(LATER.isoformat())
    first = lofte(clock, pg_url, "run", "--exit-when-idle")
    second = lofte(clock, pg_url, "run", "--exit-when-idle")
    outputs = [finish(first), finish(second)]
    found = signature(pg_url)
    assert normalise(found) == normalise(reference(tmp_path))
    engine = create_engine(pg_url)
    with engine.connect() as c:
        by_engine = dict(
            c.execute(
                text(
                    "SELECT fired_by, count(*) FROM timers WHERE status = 'fired' GROUP BY fired_by"
                )
            ).all()
        )
        twice = c.execute(
            text(
                "SELECT count(*) FROM (SELECT definition_name, period_key FROM cycle_instances "
                "GROUP BY 1, 2 HAVING count(*) > 1) d"
            )
        ).scalar_one()
    engine.dispose()
    assert twice == 0
    print(f"timers fired per engine: {by_engine}; lines: {[len(o.splitlines()) for o in outputs]}")
    fired_lines = [line for o in outputs for line in o.splitlines() if line.startswith("2027")]
    assert sum(by_engine.values()) == len(fired_lines)
