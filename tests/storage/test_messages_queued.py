"""The store counts the outbox messages its committed units of work queued (lofte simulate's
delivery job shares the engine's process and looks for due messages only when it grew)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.harness import Harness


def test_committed_messages_are_counted_and_rolled_back_ones_are_not(harness: Harness) -> None:
    h = harness
    before = h.store.messages_queued
    now = h.clock.now()
    h.engine.send_sign_in("jonas-ek", "https://x.example.se/l", now + timedelta(days=1), "a")
    assert h.store.messages_queued == before + 1
    with pytest.raises(RuntimeError), h.store.unit_of_work() as uow:
        uow.outbox.add_many(h.outbox()[:1])  # (ignored as a duplicate; rolled back anyway)
        raise RuntimeError("rolled back")
    with h.store.unit_of_work(read_only=True) as uow:
        uow.timers.next_due()
    assert h.store.messages_queued == before + 1
