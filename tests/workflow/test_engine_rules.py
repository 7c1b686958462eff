"""Engine rules: machines shared per version, refused events, definition changes, catch-up
after downtime, concurrent changes detected, one cycle per period."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from pathlib import Path

import pytest

from definitions.loader import PACKAGED_DIR, load_bundle
from definitions.schema import Event
from tests.conftest import Harness
from tests.helpers import instance, instances, outbox, requests, utc
from workflow.errors import ConcurrentUpdate, InvalidTransition
from workflow.machines import CycleMachine


def test_an_event_that_is_not_valid_in_the_state_is_refused() -> None:
    machine = CycleMachine(load_bundle().definition("est-inventering"))
    assert machine.fire("rapportering", Event.INPUTS_COMPLETE, "x") == "sammanstallning"
    with pytest.raises(InvalidTransition, match="valid events: decided, expired"):
        machine.fire("sammanstallning", Event.INPUTS_COMPLETE, "est-inventering 2027-W01")
    with pytest.raises(InvalidTransition, match="none: the cycle has ended"):
        machine.fire("completed", Event.EXPIRED, "est-inventering 2027-W01")


def test_one_machine_per_definition_version_serves_every_cycle(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    h.run_until(utc(2027, 3, 1))
    assert len(instances(h, "est-inventering")) == 8  # 4 January to 22 February
    assert len(h.engine.machines) <= 5  # one per definition version that moved a cycle


def test_a_changed_definition_applies_only_to_cycles_opened_after(
    sqlite_harness: Harness, tmp_path: Path
) -> None:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 8))
    running = instance(h, "est-inventering", "2027-W01")
    changed = (PACKAGED_DIR / "est-inventering.yaml").read_text(encoding="utf-8")
    changed = changed.replace("every: P1W", "every: P2W")  # the administrator's change
    (tmp_path / "est-inventering.yaml").write_text(changed, encoding="utf-8")
    changes = h.engine.register(load_bundle([tmp_path]))
    assert changes == ["est-inventering: version 2 (next opening rescheduled)"]

    h.run_until(utc(2027, 2, 1, 9))
    weeks = instances(h, "est-inventering")
    assert [(w.period_key, w.definition_version) for w in weeks] == [
        ("2027-W01", 1),
        ("2027-W03", 2),
        ("2027-W05", 2),
    ]
    assert instance(h, "est-inventering", "2027-W01").id == running.id
    assert h.engine.register(load_bundle([tmp_path])) == []  # unchanged: no new version


def test_catch_up_after_downtime_fires_every_timer_once_in_due_order(
    harness: Harness,
) -> None:
    h = harness
    h.run_until(utc(2027, 1, 4, 8))  # the engine runs, then stops for three weeks
    h.clock.set(utc(2027, 1, 25, 12))
    fired = h.engine.run_due()
    assert fired, "the engine should catch up"
    keys = [t.key for t in fired]
    assert len(keys) == len(set(keys))
    by_cycle = defaultdict(list)
    for timer in fired:
        by_cycle[timer.instance_id or timer.definition_name].append(timer.due_at)
    assert all(dues == sorted(dues) for dues in by_cycle.values())
    weekly = [w.period_key for w in instances(h, "est-inventering")]
    assert weekly == ["2027-W01", "2027-W02", "2027-W03", "2027-W04"]
    # Reminders that fell due while down are recorded as skipped, not sent late.
    assert all(m.created_at < utc(2027, 1, 5) for m in outbox(h, "reminder"))
    assert h.engine.run_due() == []


def test_a_stale_write_is_detected_not_lost(harness: Harness) -> None:
    h = harness
    h.run_until(utc(2027, 1, 4, 8))
    week = instance(h, "est-inventering", "2027-W01")
    with h.store.transaction() as tx:
        tx.save_instance(dataclasses.replace(week, state="sammanstallning"))
    with (
        pytest.raises(ConcurrentUpdate, match="changed by another process"),
        h.store.transaction() as tx,
    ):
        tx.save_instance(dataclasses.replace(week, state="closed_incomplete"))
    assert instance(h, "est-inventering", "2027-W01").state == "sammanstallning"


def test_no_cycle_is_opened_twice_for_a_period(harness: Harness) -> None:
    h = harness
    h.run_until(utc(2027, 1, 4, 8))
    definition, version = None, 1
    from workflow.cadence import first_period_after
    from workflow.cycle_ops import CycleOps

    with h.store.transaction() as tx:
        definition, version = h.engine.catalog.latest(tx, "est-inventering")
        ops = CycleOps(tx, h.clock.now(), "test", h.engine.catalog, h.engine.machines)
        week = first_period_after(definition, utc(2027, 1, 4))
        assert ops.open_cycle(definition, version, week) is None
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"), h.store.transaction() as tx:
        tx.add_instance(dataclasses.replace(instance(h, "est-inventering", "2027-W01"), id=None))
    assert len(instances(h, "est-inventering")) == 1


def test_a_summer_time_week_keeps_local_opening_and_deadline_hours(harness: Harness) -> None:
    h = harness
    h.run_until(utc(2027, 4, 6))  # summer time starts on Sunday 28 March 2027
    before = instance(h, "est-inventering", "2027-W12")
    after = instance(h, "est-inventering", "2027-W14")
    assert before.opened_at == utc(2027, 3, 22, 8)  # 09:00 CET
    assert after.opened_at == utc(2027, 4, 5, 7)  # 09:00 CEST
    easter = instance(h, "est-inventering", "2027-W13")
    assert easter.opened_at == utc(2027, 3, 30, 7)  # Easter Monday: opens Tuesday 09:00
    from tests.helpers import requests

    assert {r.deadline_at for r in requests(h, after, "rapportering")} == {utc(2027, 4, 7, 10)}
    assert {r.deadline_at for r in requests(h, before, "rapportering")} == {utc(2027, 3, 24, 11)}


def test_a_person_who_leaves_does_not_stall_their_cycle(
    sqlite_harness: Harness, tmp_path: Path
) -> None:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 8))
    org = (PACKAGED_DIR / "organisation.yaml").read_text(encoding="utf-8")
    start = org.index("  - id: johan-sjo")
    end = org.index("  - id: eva-lund")
    (tmp_path / "organisation.yaml").write_text(org[:start] + org[end:], encoding="utf-8")
    assert h.engine.register(load_bundle([tmp_path])) == ["organisation: version 2"]
    fired = h.run_until(utc(2027, 1, 11, 7))
    notes = [t.note for t in fired if t.kind.value == "reminder" and "johan" in (t.note or "")]
    assert notes and all("no longer in the organisation" in n for n in notes)
    week = instance(h, "est-inventering", "2027-W01")
    assert week.outcome is not None  # the cycle still ended
    h.run_until(utc(2027, 1, 11, 9))
    assert "johan-sjo" not in {
        r.person_id for r in requests(h, instance(h, "est-inventering", "2027-W02"))
    }
