"""Benchmark: a mail server that is down for three days while the engine keeps running.

A real SMTP server (aiosmtpd) on loopback is stopped for 71 hours (just inside the default
72-hour retry horizon, `LOFTE_OUTBOX_RETRY_HORIZON`) from Monday morning, while virtual time
moves in ten-minute ticks; each tick fires due timers and runs the delivery job, separately.
Then the server comes back. Prints how late timers fired during and outside the outage, what
was delivered (and whether any Message-ID arrived twice), what expired instead of being sent
late, the delivery alerts, and the time to drain; the last line is `RESULT {json}`.

    .venv/bin/python bench/bench_outage.py
"""

from __future__ import annotations

import json
import socket
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller

from lofte.definitions.loader import load_packaged
from lofte.kernel.clock import VirtualClock
from lofte.notifications.config import mail_settings
from lofte.notifications.dispatcher import Dispatcher
from lofte.notifications.transports import transport_for
from lofte.storage.database import make_engine, migrate
from lofte.storage.sensitive_keys import throwaway_cipher
from lofte.storage.unit_of_work import SqlStore
from lofte.workflow.core.engine import Engine

START = datetime(2027, 1, 1, tzinfo=UTC)
DOWN, UP = datetime(2027, 1, 4, 6, tzinfo=UTC), datetime(2027, 1, 7, 5, tzinfo=UTC)  # 71 h
END = datetime(2027, 1, 9, tzinfo=UTC)
TICK = timedelta(minutes=10)


class Mailbox:
    def __init__(self) -> None:
        self.ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        self.ids.append(str(parsed["Message-ID"]))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    print("SQLite WAL, synchronous=OFF (a throw-away database: this measures delivery, not disk)")
    port, mailbox = free_port(), Mailbox()
    env = {
        "LOFTE_SMTP_HOST": "127.0.0.1",
        "LOFTE_SMTP_PORT": str(port),
        "LOFTE_SMTP_TLS": "none",
        "LOFTE_MAIL_FROM": "Löfte <lofte@sala.example.se>",
    }
    settings = mail_settings(env)
    with tempfile.TemporaryDirectory(prefix="lofte-bench-outage-") as folder:
        db = make_engine(f"sqlite:///{folder}/outage.db", durable=False)
        migrate(db)
        store = SqlStore(db, throwaway_cipher())
        clock = VirtualClock(START)
        engine = Engine(store, clock)
        engine.register(load_packaged())
        dispatcher = Dispatcher(store, clock, transport_for(settings), settings)
        server: Controller | None = None
        lateness: dict[str, list[float]] = {"outage": [], "normal": []}
        started = time.perf_counter()
        drained_at = None
        while clock.now() < END:
            down = DOWN <= clock.now() < UP
            if not down and server is None:
                server = Controller(mailbox, hostname="127.0.0.1", port=port)
                server.start()
            if down and server is not None:
                server.stop()
                server = None
            for timer in engine.run_due():
                late = (clock.now() - timer.due_at).total_seconds()
                lateness["outage" if down else "normal"].append(late)
            report = dispatcher.run_once()
            if (
                clock.now() >= UP
                and drained_at is None
                and report.sent == 0
                and _pending(store) == 0
            ):
                drained_at = clock.now()
            clock.set(clock.now() + TICK)
        elapsed = time.perf_counter() - started
        statuses = _statuses(store)
        alerts = _alerts(store)
        if server is not None:
            server.stop()
    _print(mailbox, statuses, alerts, lateness, drained_at, elapsed, settings)


def _pending(store: SqlStore) -> int:
    return _statuses(store).get("pending", 0) + _statuses(store).get("sending", 0)


def _statuses(store: SqlStore) -> Counter[str]:
    from sqlalchemy import text

    with store.reading() as c:
        return Counter(
            {
                r[0]: r[1]
                for r in c.execute(text("SELECT status, count(*) FROM outbox GROUP BY status"))
            }
        )


def _alerts(store: SqlStore) -> int:
    from sqlalchemy import text

    with store.reading() as c:
        return int(
            c.execute(text("SELECT count(*) FROM outbox WHERE kind = 'delivery_alert'")).scalar()
            or 0
        )


def _print(
    mailbox: Mailbox,
    statuses: Counter[str],
    alerts: int,
    lateness: dict[str, list[float]],
    drained_at: datetime | None,
    elapsed: float,
    settings: Any,
) -> None:
    twice = sum(1 for n in Counter(mailbox.ids).values() if n > 1)
    worst = {k: max(v, default=0.0) / 60 for k, v in lateness.items()}
    print(
        f"mail server down {DOWN:%a %d %b %H:%M} – {UP:%a %d %b %H:%M} UTC (71 h); "
        f"retry horizon {settings.retry_horizon_hours} h"
    )
    print(
        f"timers fired: {len(lateness['normal'])} outside the outage "
        f"(latest {worst['normal']:.0f} min after due), {len(lateness['outage'])} during it "
        f"(latest {worst['outage']:.0f} min; the tick is 10 min)"
    )
    print(
        f"outbox: {dict(statuses)}; delivered {len(mailbox.ids)} messages, "
        f"{twice} Message-IDs twice"
    )
    print(
        f"delivery alerts to the administrator: {alerts}; "
        f"drained by {drained_at:%a %d %b %H:%M} UTC"
        if drained_at
        else "not drained"
    )
    print(f"{elapsed:.1f} s wall time for {END - START} of virtual time")
    print(
        "RESULT "
        + json.dumps(
            {
                "delivered": len(mailbox.ids),
                "delivered_twice": twice,
                "expired": statuses.get("expired", 0),
                "incidents": statuses.get("failed", 0),
                "still_pending": statuses.get("pending", 0) + statuses.get("sending", 0),
                "delivery_alerts": alerts,
                "timer_lateness_minutes": {k: round(v, 1) for k, v in worst.items()},
                "drained_at": drained_at.isoformat() if drained_at else None,
                "wall_s": round(elapsed, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
