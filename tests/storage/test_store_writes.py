"""The store counts what its committed units of work wrote: outbox messages queued, timer
writes, requests added (lofte simulate and its delivery job share the engine's process and
read again only what can have changed)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.harness import Harness


def test_committed_messages_are_counted_and_rolled_back_ones_are_not(harness: Harness) -> None:
    h = harness
    before = h.store.writes().messages_queued
    now = h.clock.now()
    h.engine.send_sign_in("jonas-ek", "https://x.example.se/l", now + timedelta(days=1), "a")
    assert h.store.writes().messages_queued == before + 1
    with pytest.raises(RuntimeError), h.store.unit_of_work() as uow:
        uow.outbox.add_many(h.outbox()[:1])  # (ignored as a duplicate; rolled back anyway)
        raise RuntimeError("rolled back")
    with h.store.unit_of_work(read_only=True) as uow:
        uow.timers.next_due()
    assert h.store.writes().messages_queued == before + 1


def test_timer_writes_and_added_requests_are_counted_when_committed(harness: Harness) -> None:
    h = harness
    before = h.store.writes()
    h.run_until(h.clock.now() + timedelta(days=7))  # cycles open: timers fire, requests made
    after = h.store.writes()
    assert after.timer_writes > before.timer_writes
    assert after.requests_added > before.requests_added
    with pytest.raises(RuntimeError), h.store.unit_of_work() as uow:
        uow.timers.cancel_for_instance(h.cycles()[0].id or 0)
        raise RuntimeError("rolled back")
    assert h.store.writes() == after
