"""The unit of work and the smaller ports: all or nothing, the audit chain in order, meetings,
actions, step contexts, stored definitions and settings."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from lofte.kernel.clock import VirtualClock
from lofte.kernel.errors import NotFound
from lofte.workflow.application.app import Application
from lofte.workflow.application.audit_verify import verify
from lofte.workflow.application.reads import CycleFilter
from lofte.workflow.core.engine import Engine
from lofte.workflow.core.ports import StoredDocument, StoredVersion, Writes
from lofte.workflow.core.records import (
    ActionEvent,
    ActionStatus,
    AuditEvent,
    Meeting,
    OutboxStatus,
    RequestStatus,
)
from tests.contract.conftest import (
    T0,
    Store,
    action,
    add_cycles,
    cycle,
    message,
    reads_of,
    request,
    timer,
)


class Crash(BaseException):
    """A process that dies in the middle: not an error anyone handles."""


def test_nothing_of_a_unit_of_work_that_fails_is_kept(store: Store) -> None:
    [c1] = add_cycles(store, cycle(1))
    before = reads_of(store)
    with store.unit_of_work() as uow:
        uow.settings.put("mode", "före")
    for failure in (RuntimeError("fel"), Crash()):
        with pytest.raises(type(failure)), store.unit_of_work() as uow:
            uow.cycles.add(cycle(2))
            uow.cycles.save(dataclasses.replace(c1, state="ändrad"))
            [r] = uow.requests.add_many([request(c1, "tove")])
            uow.sensitive.put(r.id or 0, 1, {"namn": "x"}, T0)
            uow.timers.add_many([timer("t", T0, c1)])
            uow.outbox.add_many([message("m")])
            uow.audit.append([AuditEvent(at=T0, event="cycle_opened", actor="motor")])
            uow.contexts.put(c1.id or 0, "mote", {"items": []})
            uow.settings.put("mode", "efter")
            uow.settings.get_or_add("ny", "värde")
            uow.catalog.add_documents([StoredDocument("h1", "definition", 1, "text")])
            raise failure
    with store.unit_of_work() as uow:
        assert uow.cycles.get(c1.id or 0) == c1
        assert uow.cycles.by_key(cycle(2).key) is None
        assert uow.requests.for_instance(c1.id or 0) == []
        assert uow.timers.next_due() is None
        assert uow.outbox.with_status(OutboxStatus.PENDING) == []
        assert uow.contexts.get(c1.id or 0, "mote") is None
        assert (uow.settings.get("mode"), uow.settings.get("ny")) == ("före", None)
        assert uow.catalog.document("h1") is None
    assert before.audit_head() is None and before.audit_events() == []


def test_a_store_counts_what_its_committed_units_of_work_wrote(store: Store) -> None:
    [c1] = add_cycles(store, cycle(1))
    start = store.writes()
    with store.unit_of_work() as uow:
        uow.outbox.add_many([message("m1"), message("m2")])
        uow.timers.add_many([timer("t1", T0, c1)])
        uow.requests.add_many([request(c1, "tove"), request(c1, "bo")])
    with pytest.raises(RuntimeError), store.unit_of_work() as uow:
        uow.outbox.add_many([message("m3")])
        raise RuntimeError("rolled back")
    with store.unit_of_work(read_only=True) as uow:
        uow.timers.next_due()
    assert store.writes() == start + Writes(messages_queued=2, timer_writes=1, requests_added=2)


def test_audit_events_are_chained_in_the_order_appended(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.audit.append([])
        uow.audit.append(
            [
                AuditEvent(at=T0, event="a", actor="motor", detail={"n": 1, "lista": (1, 2)}),
                AuditEvent(at=T0, event="b", actor="x" * 130, unit_id="sala"),
            ]
        )
    with store.unit_of_work() as uow:
        uow.audit.append([AuditEvent(at=T0 + timedelta(hours=1), event="c", actor="motor")])
    reads = reads_of(store)
    events = reads.audit_events()
    assert [(e.seq, e.event) for e in events] == [(1, "a"), (2, "b"), (3, "c")]
    assert events[0].detail == {"n": 1, "lista": [1, 2]} and len(events[1].actor) == 120
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:2]]
    assert reads.audit_head() == (3, events[2].hash)
    assert [e.event for e in reads.audit_events(unit_id="sala")] == ["b"]
    assert [e.event for e in reads.audit_events(limit=2)] == ["b", "c"]
    app = Application(Engine(store, VirtualClock(T0)), reads)
    verdict = verify(app, (3, events[2].hash))
    assert verdict.ok and verdict.events == 3


def test_a_meeting_is_found_by_its_cycle_and_step_and_saved(store: Store) -> None:
    [c1] = add_cycles(store, cycle(1))
    booked = Meeting(
        uid="m.sala",
        instance_id=c1.id or 0,
        unit_id="sala",
        step_id="mote",
        starts_at=T0 + timedelta(days=4),
        ends_at=T0 + timedelta(days=4, hours=1),
        location="Rådhuset",
        participants=("tove-lind", "bo"),
    )
    with store.unit_of_work() as uow:
        uow.meetings.add_many([booked])
        assert uow.meetings.get(c1.id or 0, "annat") is None
        stored = uow.meetings.get(c1.id or 0, "mote", lock=True)
        assert stored is not None and stored.participants == ("tove-lind", "bo")
        moved = dataclasses.replace(stored, starts_at=T0, sequence=1, cancelled=True)
        uow.meetings.save(dataclasses.replace(moved, location="Stadshuset"))
    with store.unit_of_work() as uow:
        now = uow.meetings.get(c1.id or 0, "mote")
    assert now is not None and (now.starts_at, now.sequence, now.cancelled, now.location) == (
        T0,
        1,
        True,
        "Stadshuset",
    )


def test_actions_are_added_once_listed_open_by_age_and_followed_up(store: Store) -> None:
    [c1] = add_cycles(store, cycle(1))
    day = timedelta(days=1)
    with store.unit_of_work() as uow:
        added = uow.actions.add_many(
            [action("a2", c1, T0 + day), action("a1", c1, T0), action("b", c1, T0, kind="atagande")]
        )
        again = uow.actions.add_many([action("a1", c1, T0), action("c", c1, T0, unit_id="x")])
        assert [a.key for a in again] == ["c"]
        done = uow.actions.follow_up(added[1].id or 0, ActionStatus.DONE, "", "Bra", T0, True)
        note = uow.actions.follow_up(
            added[0].id or 0, ActionStatus.IN_PROGRESS, "Pågår", "", T0, False
        )
        uow.actions.add_event(ActionEvent(added[0].id or 0, T0, "pagar", "tove-lind", "Pågår"))
        with pytest.raises(NotFound):
            uow.actions.follow_up(999_999, ActionStatus.DONE, "", "", T0, True)
        with pytest.raises(NotFound):
            uow.actions.get(999_999)
        still_open = uow.actions.open_in(["sala", "x"], ["insats", "atagande"])
        assert uow.actions.open_in([], ["insats"]) == []
    assert [a.key for a in added] == ["a2", "a1", "b"] and all(a.id for a in added)
    assert (done.status, done.effect, done.note, done.closed_at, done.version) == (
        ActionStatus.DONE,
        "Bra",
        "",
        T0,
        2,
    )
    assert (note.note, note.closed_at) == ("Pågår", None)
    assert [a.key for a in still_open] == ["b", "c", "a2"]  # by creation, then as added
    history = reads_of(store).action_history(added[0].id or 0)
    assert [(h[1], h[2], h[3]) for h in history] == [("pagar", "tove-lind", "Pågår")]


def test_contexts_documents_versions_and_settings_are_kept_as_written(store: Store) -> None:
    [c1] = add_cycles(store, cycle(1))
    with store.unit_of_work() as uow:
        uow.contexts.put(c1.id or 0, "mote", {"items": [1]})
        uow.contexts.put(c1.id or 0, "mote", {"items": [2]})  # replaces
        uow.catalog.add_documents([StoredDocument("h1", "definition", 1, "första")])
        uow.catalog.add_documents([StoredDocument("h1", "definition", 1, "andra")])
        uow.catalog.add_versions(
            [
                StoredVersion("definition", "est", "sala", 1, "h1", T0),
                StoredVersion("definition", "est", "sala", 2, "h2", T0),
                StoredVersion("definition", "est", "norberg", 1, "h1", T0),
                StoredVersion("template", "est", "", 1, "h0", T0),
            ]
        )
        assert uow.settings.get_or_add("id", "först") == "först"
        assert uow.settings.get_or_add("id", "sedan") == "först"
        uow.settings.put("läge", "a")
        uow.settings.put("läge", "b")
    with store.unit_of_work() as uow:
        assert uow.contexts.get(c1.id or 0, "mote") == {"items": [2]}
        assert uow.contexts.get(c1.id or 0, "annat") is None
        assert uow.catalog.document("h1") == "första"
        assert uow.catalog.latest_versions("definition") == {
            ("est", "sala"): (2, "h2"),
            ("est", "norberg"): (1, "h1"),
        }
        assert uow.catalog.version_hash("definition", "est", "sala", 1) == "h1"
        assert uow.catalog.version_hash("definition", "est", "sala", 3) is None
        assert (uow.settings.get("läge", lock=True), uow.settings.get("inget")) == ("b", None)
    history = reads_of(store).version_history()
    assert [v.version for v in history[("est", "sala")]] == [1, 2]


def test_the_read_model_lists_open_requests_by_deadline_and_cycles_by_start(store: Store) -> None:
    [c2, c1, f1] = add_cycles(store, cycle(2), cycle(1), cycle(1, unit="fagersta"))
    with store.unit_of_work() as uow:
        [late, early] = uow.requests.add_many([request(c2, "tove"), request(c1, "tove")])
        [other] = uow.requests.add_many([request(f1, "bo")])
        uow.requests.save(dataclasses.replace(other, status=RequestStatus.ANSWERED, answered_at=T0))
    reads = reads_of(store)
    assert [r.id for r, _ in reads.open_requests("tove")] == [early.id, late.id]
    assert [r.id for r, _ in reads.open_requests(units=["fagersta"])] == []
    assert [r.id for r, _ in reads.requests_after(early.id or 0)] == [other.id]
    assert [r.id for r, _ in reads.answered_requests_of("bo", 5)] == [other.id]
    listed = reads.cycles(CycleFilter(definition="est-inventering"))
    assert [(c.period_key, c.unit_id) for c in listed] == [
        ("2027-W01", "fagersta"),
        ("2027-W01", "sala"),
        ("2027-W02", "sala"),
    ]
    assert [
        c.key for c in reads.cycles(CycleFilter(units=["sala"], started_from=c2.period_start))
    ] == [c2.key]
    assert reads.cycle(999_999) is None and reads.cycle(c1.id or 0) == c1
