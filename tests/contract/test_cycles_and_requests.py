"""Cycles, requests and sensitive values: what each store promises alike."""

from __future__ import annotations

import dataclasses
from datetime import UTC, timedelta

import pytest

from lofte.kernel.errors import ConcurrentUpdate, NotFound
from lofte.workflow.core.records import Outcome, RequestStatus
from tests.contract.conftest import (
    STOCKHOLM,
    T0,
    Store,
    add_cycles,
    cycle,
    request,
)


def test_a_cycle_is_added_once_per_key_and_found_by_id_and_key(store: Store) -> None:
    [first] = add_cycles(store, cycle(1))
    with store.unit_of_work() as uow:
        assert uow.cycles.add(cycle(1)) is None  # the same key: left as it is
        assert uow.cycles.get(first.id or 0) == first
        assert uow.cycles.by_key(first.key) == first
        assert uow.cycles.by_key("est-inventering/sala/2099-W01") is None
        with pytest.raises(NotFound):
            uow.cycles.get(999_999)


def test_times_come_back_in_utc_whatever_zone_they_were_given_in(store: Store) -> None:
    local = dataclasses.replace(cycle(1), period_start=T0.astimezone(STOCKHOLM))
    [added] = add_cycles(store, local)
    with store.unit_of_work() as uow:
        stored = uow.cycles.get(added.id or 0)
    assert stored.period_start == T0 and stored.period_start.tzinfo == UTC
    assert stored.period_start.isoformat() == "2027-01-04T08:00:00+00:00"


def test_a_save_writes_on_the_version_it_read_and_a_stale_one_is_refused(store: Store) -> None:
    [added] = add_cycles(store, cycle(1))
    closed_at = T0 + timedelta(days=3)
    with store.unit_of_work() as uow:
        read = uow.cycles.get(added.id or 0, lock=True)
        saved = uow.cycles.save(
            dataclasses.replace(
                read,
                state="completed",
                open_requests=2,
                closed_at=closed_at,
                outcome=Outcome.COMPLETED_LATE,
                missing=({"person": "tove-lind", "step": "rapportering"},),
            )
        )
    assert saved.version == read.version + 1
    with pytest.raises(ConcurrentUpdate), store.unit_of_work() as uow:
        uow.cycles.save(dataclasses.replace(read, state="stale"))  # read before the save
    with store.unit_of_work() as uow:
        now = uow.cycles.get(added.id or 0)
    assert (now.state, now.version, now.open_requests, now.closed_at) == (
        "completed",
        saved.version,
        2,
        closed_at,
    )
    assert now.outcome is Outcome.COMPLETED_LATE
    assert now.missing == ({"person": "tove-lind", "step": "rapportering"},)
    assert now.completion is not None and now.completion.late_inputs == 0


def test_latest_previous_and_started_between_go_by_period_start(store: Store) -> None:
    add_cycles(
        store,
        cycle(3),
        cycle(1),
        cycle(2, unit="fagersta"),
        cycle(2),
        cycle(5, definition="est-mote"),
    )
    with store.unit_of_work() as uow:
        latest = uow.cycles.latest("est-inventering", "sala")
        previous = uow.cycles.previous("est-inventering", "sala", T0 + timedelta(weeks=3))
        none_before = uow.cycles.previous("est-inventering", "sala", T0 + timedelta(weeks=1))
        between = uow.cycles.started_between(
            "est-inventering",
            ["sala", "fagersta"],
            T0 + timedelta(weeks=1),
            T0 + timedelta(weeks=3),
        )
        periods = uow.cycles.latest_periods()
        assert uow.cycles.latest("est-inventering", "norberg") is None
        assert uow.cycles.started_between("est-inventering", [], T0, T0 + timedelta(weeks=9)) == []
    assert latest is not None and latest.period_key == "2027-W03"
    assert previous is not None and previous.period_key == "2027-W02"
    assert none_before is None
    assert [(c.period_key, c.unit_id) for c in between] == [
        ("2027-W01", "sala"),
        ("2027-W02", "fagersta"),
        ("2027-W02", "sala"),
    ]
    assert {pair: p.key for pair, p in periods.items()} == {
        ("est-inventering", "sala"): "2027-W03",
        ("est-inventering", "fagersta"): "2027-W02",
        ("est-mote", "sala"): "2027-W05",
    }
    assert periods[("est-mote", "sala")].starts_at == T0 + timedelta(weeks=5)


def test_requests_keep_the_order_they_were_made_in(store: Store) -> None:
    [c1, c2] = add_cycles(store, cycle(1), cycle(2))
    people = ["ulla", "bo", "tove", "ada"]
    with store.unit_of_work() as uow:
        made = uow.requests.add_many([request(c1, p) for p in people])
        uow.requests.add_many([request(c2, "bo"), request(c1, "kim", step="sammanstallning")])
    assert [r.person_id for r in made] == people and all(r.id for r in made)
    with store.unit_of_work() as uow:
        assert [r.person_id for r in uow.requests.open_for_step(c1.id or 0, "rapportering")] == (
            people
        )
        assert len(uow.requests.for_instance(c1.id or 0)) == 5
        got, its_cycle = uow.requests.get_for_update(made[2].id or 0)
        assert got == made[2] and its_cycle.key == c1.key
        cycle_read, open_ones = uow.requests.cycle_and_open_requests(c2.id or 0, "rapportering")
        assert cycle_read.key == c2.key and [r.person_id for r in open_ones] == ["bo"]
        for missing in (
            lambda: uow.requests.get(999_999),
            lambda: uow.requests.get_for_update(999_999),
            lambda: uow.requests.cycle_and_open_requests(999_999, "rapportering"),
        ):
            with pytest.raises(NotFound):
                missing()


def test_answers_are_stored_as_json_and_read_as_copies(store: Store) -> None:
    [c1] = add_cycles(store, cycle(1))
    with store.unit_of_work() as uow:
        [made] = uow.requests.add_many([request(c1, "tove", subject={"unit": "sala"})])
        answered = dataclasses.replace(
            made,
            status=RequestStatus.ANSWERED,
            answered_at=T0 + timedelta(hours=1),
            answer={"rader": ({"plats": "Torget"},), "antal": 2},
            answer_version=1,
        )
        uow.requests.save(answered)
    with store.unit_of_work() as uow:
        read = uow.requests.get(made.id or 0)
        assert read.answer == {"rader": [{"plats": "Torget"}], "antal": 2}  # a list, as JSON
        assert read.answer is not None
        read.answer["antal"] = 99  # a caller's copy: the store keeps its own
        read.subject["unit"] = "annan"
    with store.unit_of_work() as uow:
        again = uow.requests.get(made.id or 0)
    assert again.answer is not None and again.answer["antal"] == 2
    assert again.subject == {"unit": "sala"} and again.status is RequestStatus.ANSWERED


def test_closing_and_moving_touch_only_the_steps_open_requests(store: Store) -> None:
    [c1, c2] = add_cycles(store, cycle(1), cycle(2))
    with store.unit_of_work() as uow:
        made = uow.requests.add_many([request(c1, p) for p in ("a", "b", "c")])
        uow.requests.add_many([request(c2, "a")])
        uow.requests.save(
            dataclasses.replace(made[1], status=RequestStatus.ANSWERED, answer={"x": 1})
        )
        later = T0 + timedelta(days=9)
        uow.requests.move_open(c1.id or 0, "rapportering", later, later + timedelta(days=1))
        closed = uow.requests.close_open(c1.id or 0, "rapportering", RequestStatus.MISSING)
    assert sorted(r.person_id for r in closed) == ["a", "c"]
    assert {r.status for r in closed} == {RequestStatus.MISSING}
    with store.unit_of_work() as uow:
        after = {r.person_id: r for r in uow.requests.for_instance(c1.id or 0)}
        other = uow.requests.open_for_step(c2.id or 0, "rapportering")
    assert after["a"].deadline_at == later and after["c"].late_until == later + timedelta(days=1)
    assert after["b"].deadline_at == made[1].deadline_at  # answered: not moved
    assert after["b"].status is RequestStatus.ANSWERED
    assert [r.person_id for r in other] == ["a"]  # another cycle's step: untouched


def test_answers_are_read_cycle_by_cycle_in_the_order_asked(store: Store) -> None:
    cycles = add_cycles(store, cycle(2), cycle(1), cycle(3), cycle(1, unit="fagersta"))
    with store.unit_of_work() as uow:
        for c in cycles:
            made = uow.requests.add_many([request(c, p) for p in ("z", "a", "m")])
            for r in made[:2]:
                uow.requests.save(
                    dataclasses.replace(
                        r, status=RequestStatus.ANSWERED, answer={"by": r.person_id, "c": c.key}
                    )
                )
    ids = [c.id or 0 for c in cycles]
    with store.unit_of_work() as uow:
        answered = uow.requests.answered([ids[2], ids[0]], "rapportering")
        by_period = uow.requests.answers_by_period(
            "est-inventering", "sala", "rapportering", T0, T0 + timedelta(weeks=3)
        )
        assert uow.requests.answered([], "rapportering") == []
    assert [(r.instance_id, r.person_id) for r in answered] == [
        (ids[0], "z"),
        (ids[0], "a"),
        (ids[2], "z"),
        (ids[2], "a"),
    ]
    assert [(a.answer or {}).get("c") for a in by_period] == [
        cycles[0].key,  # week 2, made first
        cycles[0].key,
        cycles[1].key,  # week 1, made second
        cycles[1].key,
    ]
    assert [a.period_start for a in by_period][::2] == [
        T0 + timedelta(weeks=2),
        T0 + timedelta(weeks=1),
    ]
    # each answer says which version of the definition its cycle ran under (its shape)
    assert [a.definition_version for a in by_period] == [
        c.definition_version for c in cycles[:2] for _ in "za"
    ]


def test_sensitive_values_give_the_latest_version_until_erased(store: Store) -> None:
    [c1, c2] = add_cycles(store, cycle(1), cycle(2))
    with store.unit_of_work() as uow:
        [r1] = uow.requests.add_many([request(c1, "tove")])
        [r2] = uow.requests.add_many([request(c2, "tove")])
        uow.sensitive.put(r1.id or 0, 1, {"namn": "Första"}, T0)
        uow.sensitive.put(r1.id or 0, 2, {"namn": "Andra"}, T0)
        uow.sensitive.put(r2.id or 0, 1, {"namn": "Kvar"}, T0)
    with store.unit_of_work() as uow:
        assert uow.sensitive.get(r1.id or 0) == {"namn": "Andra"}
        assert uow.sensitive.get(999_999) is None
        assert uow.sensitive.erase_for_instance(c1.id or 0, T0 + timedelta(days=90)) == 2
        assert uow.sensitive.erase_for_instance(c1.id or 0, T0 + timedelta(days=91)) == 0
    with store.unit_of_work() as uow:
        assert uow.sensitive.get(r1.id or 0) is None
        assert uow.sensitive.get(r2.id or 0) == {"namn": "Kvar"}
