"""Shared helpers for the notification tests."""

from __future__ import annotations

from typing import Any

from lofte.notifications.config import mail_settings
from lofte.notifications.dispatcher import Dispatcher
from lofte.notifications.transports import transport_for
from tests.harness import Harness


def dispatcher(h: Harness, env: dict[str, str], name: str = "d1") -> Dispatcher:
    """A dispatcher with `env`; daily digests wait until 23:00 unless a test says otherwise."""
    settings = mail_settings({"LOFTE_DIGEST_HOUR": "23", **env})
    return Dispatcher(h.store, h.clock, transport_for(settings), settings, dispatcher_id=name)


def statuses(h: Harness) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in h.outbox():
        counts[message.status.value] = counts.get(message.status.value, 0) + 1
    return counts


def only_one_pending(h: Harness) -> int:
    """Mark all but one message as sent, so a test can follow that one."""
    from sqlalchemy import text

    first = next(
        m for m in h.outbox() if m.kind.value == "input_request" and m.status.value == "pending"
    )
    with h.store.engine.begin() as c:
        c.execute(text("UPDATE outbox SET status = 'sent' WHERE id != :id"), {"id": first.id})
    return first.id or 0


def current(h: Harness, message_id: int) -> Any:
    return next(m for m in h.outbox() if m.id == message_id)
