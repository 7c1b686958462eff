"""SIGTERM while the mail server hangs: real `lofte run` and `lofte outbox send` processes stop
within 5 s with exit code 0 and say how much mail waits; the mail they held is not lost, not
marked sent, and goes out once with the next run to a working server. A server that took the
DATA but never answered has the message too: it goes out again with the same Message-ID
(delivery is at least once; the duplicate is recognisable).

The time limit is the one wall-clock bound here: a bound on real processes, measured from the
signal to the process's end; every other wait is on an event or a process, bounded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from lofte.notifications.sending import ABANDONED
from tests.notifications.conftest import SmtpServer
from tests.notifications.hanging_smtp import HangingSmtp

pytestmark = pytest.mark.slow
CLOCK = "2027-01-04T08:00:00+00:00"  # Monday 09:00 in Stockholm: the week's requests go out
STOP_WITHIN = 5.0  # seconds, the budget
TIMEOUT = 120


def lofte(folder: Path, *argv: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lofte.cli.main", *argv],
        env=dict(
            os.environ,
            LOFTE_CLOCK_FILE=str(folder / "klocka"),
            LOFTE_DATABASE_URL=f"sqlite:///{folder}/lofte.db",
            PYTHONUNBUFFERED="1",
            **env,
        ),
        text=True,
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def done(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, err
    assert "Traceback" not in err, err
    return out


def outbox(folder: Path) -> list[Any]:
    """The messages to send one by one (not those held for, or put into, a daily digest)."""
    engine = create_engine(f"sqlite:///{folder}/lofte.db")
    with engine.connect() as c:
        found = c.execute(
            text(
                "SELECT key, status, attempts, last_error FROM outbox "
                "WHERE status NOT IN ('held', 'digested') ORDER BY id"
            )
        ).all()
    engine.dispose()
    return list(found)


def stop_while_hanging(process: subprocess.Popen[str], server: HangingSmtp) -> tuple[float, str]:
    """SIGTERM once the server hangs; how long the process took to end, and what it said."""
    assert server.reached.wait(TIMEOUT), "the process never reached the mail server"
    signalled = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        process.kill()
    took = time.monotonic() - signalled
    print(f"stopped in {took:.2f} s: {out.strip().splitlines()[-1]}")
    assert process.returncode == 0, err
    assert "Traceback" not in err, err
    return took, out


def all_waiting(folder: Path, mode: str) -> int:
    """Every message waits again, none sent, no try counted; the abandoned one says so."""
    rows = outbox(folder)
    assert {row.status for row in rows} == {"pending"}
    assert {row.attempts for row in rows} == {0}
    assert [row.last_error for row in rows if row.last_error] == [ABANDONED]
    return len(rows)


@pytest.mark.parametrize(
    ("mode", "running"),
    [("silent", ["--tick", "0.05"]), ("data", ["--tick", "0.05"]), ("data", ["--exit-when-idle"])],
)
def test_sigterm_while_the_mail_server_hangs_loses_nothing(
    tmp_path: Path, hanging: Any, smtp_server: Any, mode: str, running: list[str]
) -> None:
    (tmp_path / "klocka").write_text(CLOCK)
    done(lofte(tmp_path, "init"))
    first = hanging(mode)
    took, said = stop_while_hanging(lofte(tmp_path, "run", *running, **first.env()), first)
    assert took < STOP_WITHIN
    waiting = all_waiting(tmp_path, mode)
    assert waiting > 10  # the week's requests, fired by this run before it began to send
    assert "Löfte stoppat (SIGTERM) efter" in said
    assert f"{waiting} meddelanden i utkorgen väntar till nästa start." in said

    second = hanging(mode)  # the next start hangs too: `lofte outbox send`, stopped the same way
    took, said = stop_while_hanging(lofte(tmp_path, "outbox", "send", **second.env()), second)
    assert took < STOP_WITHIN
    assert all_waiting(tmp_path, mode) == waiting
    assert "0 skickade" in said and f"{waiting} meddelanden i utkorgen väntar" in said

    working: SmtpServer = smtp_server("plain")
    done(lofte(tmp_path, "outbox", "send", **working.env()))  # with the daily digest now
    rows = outbox(tmp_path)
    assert {row.status for row in rows} == {"sent"} and len(rows) > waiting
    delivered = working.mailbox.message_ids()
    assert len(delivered) == len(set(delivered)) == len(rows)  # each once
    done(lofte(tmp_path, "run", "--exit-when-idle", **working.env()))
    assert len(working.mailbox.received) == len(rows)  # nothing goes twice to a server that answers
    if mode == "data":  # the hung servers had the first message: the same one, recognisable
        assert first.message_ids() == second.message_ids()
        assert first.message_ids()[0] in delivered
    else:
        assert first.received == second.received == []
