"""Engine rules that do not depend on the database: a failing timer never blocks, identity
keys name the installation and the unit but never a row id, bounded definitions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from lofte.workflow.core import firing as firing_module
from lofte.workflow.core import timer_handlers
from lofte.workflow.core.firing import MAX_TIMER_ATTEMPTS
from lofte.workflow.core.records import Timer, TimerKind, TimerStatus
from lofte.workflow.core.work import Work
from tests.conftest import START, packaged
from tests.harness import MEMORY, Harness, make_harness, utc


def test_a_failing_timer_backs_off_becomes_an_incident_and_others_keep_firing(
    memory_harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = memory_harness
    original = timer_handlers.HANDLERS[TimerKind.REMINDER]

    def broken_for_surahammar(work: Work, timer: Timer) -> str:
        if timer.unit_id == "surahammar":
            raise RuntimeError("templates missing on this host")
        return original(work, timer)

    monkeypatch.setitem(timer_handlers.HANDLERS, TimerKind.REMINDER, broken_for_surahammar)
    h.run_until(utc(2027, 1, 6, 11))  # the first reminders fall due Wednesday 12:00 Stockholm
    failing = [t for t in h.timers() if t.unit_id == "surahammar" and t.kind is TimerKind.REMINDER]
    first = min(failing, key=lambda t: t.due_at)
    assert first.attempts >= 1 and first.last_error and "templates missing" in first.last_error
    assert first.status is TimerStatus.PENDING and first.next_attempt_at is not None
    # Meanwhile every other municipality was reminded.
    reminded = {m.unit_id for m in h.outbox("reminder")}
    assert {
        "sala",
        "norberg",
        "fagersta",
        "skinnskatteberg",
    } <= reminded and "surahammar" not in reminded

    h.run_until(utc(2027, 1, 7, 15, 30))  # backoff 1, 2, 4, 8 minutes, then an incident
    incident = next(t for t in h.timers() if t.key == first.key)
    assert incident.status is TimerStatus.FAILED and incident.attempts == MAX_TIMER_ATTEMPTS
    assert "timer_incident" in h.events()
    # Surahammar's cycle moved on past the broken reminder: its deadline still fired.
    surahammar = h.cycle("est-inventering", "surahammar", "2027-W01")
    assert surahammar.state == "sammanstallning"

    monkeypatch.setitem(timer_handlers.HANDLERS, TimerKind.REMINDER, original)
    retried = h.engine.retry_timer(incident.id or 0, "admin")
    assert retried.status is TimerStatus.PENDING
    fired = h.engine.run_due()
    after = next(t for t in h.timers() if t.key == first.key)
    assert after.status is TimerStatus.FIRED
    assert any("överhoppad" in (t.note or "") for t in fired if t.key == first.key)
    assert h.events()[-1] != "timer_incident"


def test_keys_name_the_installation_and_unit_and_never_a_row_id(memory_harness: Harness) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 6, 12))
    with h.store.unit_of_work() as uow:
        installation = uow.settings.get("installation_id")
    assert installation and len(installation) == 10
    for timer in h.timers():
        assert timer.key.startswith(f"{installation}:{timer.unit_id}:"), timer.key
    for message in h.outbox():
        assert message.key.startswith(f"{installation}:{message.unit_id}:"), message.key
        assert f":{message.id}:" not in message.key
    uids = [m.uid for m, _ in h.read_model().meetings_between(START, utc(2028, 1, 1))]
    assert uids and all(uid.endswith(f".{installation}.lofte") for uid in uids)


def test_timers_are_fired_in_due_order_within_a_cycle(memory_harness: Harness) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 4, 8))
    # Jump a fortnight at once: every cycle's timers still fire in due order.
    h.clock.set(h.clock.now() + timedelta(days=14))
    h.engine.run_due()
    for cycle in h.cycles("est-inventering", "sala"):
        fired = [t for t in h.timers("fired") if t.instance_id == cycle.id]
        assert [t.due_at for t in fired] == sorted(t.due_at for t in fired)


def test_timers_due_together_fire_in_fewer_units_of_work_with_the_same_outcome(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = {}
    default = firing_module.TOGETHER
    for together in (default, 1):
        monkeypatch.setattr(firing_module, "TOGETHER", together)
        h = make_harness(MEMORY, START, packaged())
        units = 0
        opened = h.store.unit_of_work

        def counted(*, read_only: bool = False, opened: Any = opened) -> Any:
            nonlocal units
            units += 0 if read_only else 1
            return opened(read_only=read_only)

        monkeypatch.setattr(h.store, "unit_of_work", counted)
        h.run_until(utc(2027, 1, 13))  # a week and a half: openings, reminders, deadlines
        seen[together] = (
            units,
            sorted((t.key.split(":", 1)[1], t.status, t.fired_at) for t in h.timers()),
            sorted((m.key.split(":", 1)[1], m.recipient, m.created_at) for m in h.outbox()),
            h.events(),
        )
        h.close()
    batched, single = seen[default], seen[1]
    assert batched[1:] == single[1:] and len(single[1]) > 50  # the same timers, mail, audit
    assert batched[0] < single[0] * 0.6  # 73 units of work instead of 138
